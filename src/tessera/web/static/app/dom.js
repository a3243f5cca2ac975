// Building DOM from data without ever parsing it as HTML: every string goes in as textContent or an attribute
// value, so a task, label or project name holding markup stays text. No innerHTML anywhere in the app.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "text") el.textContent = String(value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

export function clear(el) {
  el.replaceChildren();
  return el;
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

let toastTimer;
export function toast(message, kind = "info") {
  const el = document.getElementById("toast");
  if (!el) return;
  el.textContent = message;
  el.dataset.kind = kind;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), 4000);
}

// <dialog> elements: buttons marked data-close close their dialog.
export function wireDialog(dialog) {
  for (const button of $$("[data-close]", dialog)) button.addEventListener("click", () => dialog.close());
  return dialog;
}

// Ask the page's confirm dialog (#confirm-dialog, whose yes button reads "Delete") and resolve to the answer.
export async function confirmDelete(text) {
  const dialog = $("#confirm-dialog");
  $("#confirm-text").textContent = text;
  dialog.returnValue = "";
  dialog.showModal();
  $("#confirm-yes").focus();
  await new Promise((resolve) => dialog.addEventListener("close", resolve, { once: true }));
  return dialog.returnValue === "yes";
}

// The server's error as one readable line plus its per-field messages, for a refused write or import.
export function errorLines(error) {
  const lines = [error.message];
  const fields = (error.body && error.body.validation_errors) || {};
  for (const [field, messages] of Object.entries(fields)) {
    for (const message of [].concat(messages)) lines.push(`${field}: ${typeof message === "string" ? message : JSON.stringify(message)}`);
  }
  return [...new Set(lines)];
}

export function showError(el, error) {
  clear(el);
  const lines = error instanceof Error ? errorLines(error) : [String(error)];
  el.append(h("strong", { text: lines[0] }));
  if (lines.length > 1) el.append(h("ul", {}, lines.slice(1).map((line) => h("li", { text: line }))));
  el.hidden = false;
}

// Keyboard: "/" focuses the page's search box unless the user is typing somewhere.
export function slashToSearch(input) {
  document.addEventListener("keydown", (event) => {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = (document.activeElement && document.activeElement.tagName) || "";
    if (["INPUT", "TEXTAREA", "SELECT"].includes(tag) || document.activeElement.isContentEditable) return;
    if (document.querySelector("dialog[open]")) return;
    event.preventDefault();
    input.focus();
  });
}
