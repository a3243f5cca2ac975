// Small DOM helpers shared by the tag modules. Everything from task data or the config goes in as text nodes or
// attribute values, never as markup, so nothing a task carries can become script.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function svg(tag, attrs = {}) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  return el;
}

// A config attribute whatever its case: names are case-sensitive in an XML DOM, and Label Studio's docs and
// templates spell some differently (minmessages / minMessages).
export function attr(node, name) {
  if (node.hasAttribute(name)) return node.getAttribute(name);
  const found = [...node.attributes].find((a) => a.name.toLowerCase() === name.toLowerCase());
  return found ? found.value : null;
}

export function truthy(value) {
  return value === "true" || value === "1" || value === "yes";
}

// Label colours: the config's `background` when it has one, else a stable pick from a palette by label name.
const PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#9a6324", "#469990"];

export function colorFor(value, explicit) {
  if (explicit && /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]+|rgba?\([\d.,\s%]+\))$/.test(explicit)) return explicit;
  let hash = 0;
  for (const ch of String(value)) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return PALETTE[hash % PALETTE.length];
}

// Inline `style` attributes of the config go through as CSS text; a `url()` could fetch, so it is dropped.
export function safeStyle(style) {
  return style ? String(style).replace(/url\s*\(/gi, "none(") : null;
}

export function newId() {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"[b & 63])
    .join("")
    .slice(0, 10);
}
