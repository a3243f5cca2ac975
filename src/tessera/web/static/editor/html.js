// HyperText from task data, made safe by construction: the HTML is parsed inert (into a <template>), then a new tree is built holding only whitelisted elements and attributes. Event handlers,
// scripts, frames, forms and styles never make it across.

const ELEMENTS = new Set(
  ("a abbr b blockquote br caption code dd del div dl dt em figcaption figure h1 h2 h3 h4 h5 h6 hr i img ins " +
    "kbd li mark ol p pre q s small span strong sub sup table tbody td tfoot th thead tr u ul").split(" "),
);
const DROP_WITH_CONTENT = new Set(["script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math"]);
const ATTRIBUTES = new Set(["title", "alt", "colspan", "rowspan", "dir", "lang"]);

function safeUrl(value, forImage) {
  const url = String(value || "").trim();
  // the page's CSP loads images only from this server or data: URLs; other hosts would only be refused
  if (forImage) return /^data:image\/(png|jpeg|gif|webp);/i.test(url) || (url.startsWith("/") && !url.startsWith("//")) ? url : null;
  if (/^https?:\/\//i.test(url) || (url.startsWith("/") && !url.startsWith("//"))) return url;
  return null;
}

function copy(node, into, origins) {
  for (const child of node.childNodes) {
    if (child.nodeType === Node.TEXT_NODE) {
      const text = document.createTextNode(child.data);
      if (origins) origins.set(text, child);
      into.append(text);
      continue;
    }
    if (child.nodeType !== Node.ELEMENT_NODE) continue;
    const name = child.localName;
    if (DROP_WITH_CONTENT.has(name)) continue;
    if (!ELEMENTS.has(name)) {
      copy(child, into, origins); // unknown wrapper: keep its text, lose the element
      continue;
    }
    const el = document.createElement(name);
    for (const attr of child.attributes) {
      if (ATTRIBUTES.has(attr.name)) el.setAttribute(attr.name, attr.value);
    }
    if (name === "a") {
      const href = safeUrl(child.getAttribute("href"), false);
      if (href) {
        el.setAttribute("href", href);
        el.setAttribute("rel", "noopener noreferrer nofollow");
        el.setAttribute("target", "_blank");
      }
    }
    if (name === "img") {
      const src = safeUrl(child.getAttribute("src"), true);
      if (!src) {
        into.append(document.createTextNode(`[image${child.getAttribute("alt") ? ": " + child.getAttribute("alt") : ""}]`));
        continue;
      }
      el.setAttribute("src", src);
      el.setAttribute("referrerpolicy", "no-referrer");
    }
    copy(child, el, origins);
    into.append(el);
  }
}

// The task's HTML rebuilt from the whitelist; `origins` maps each shown text node to the text node it copies in
// the inert parse (`root`), so that Label Studio's xpaths, which name nodes of the HTML as written, resolve.
export function sanitizedTree(html) {
  // A <template>'s content is inert: no script runs, no image loads, so no handler can fire while parsing
  // (a DOMParser document still tries to load <img>, and Chromium then evaluates its onerror against the CSP).
  // Chromium checks an inline handler attribute against the page's CSP as soon as it is parsed, even in an
  // inert document (nothing runs, but the console reports it). Handler attributes are renamed inside tags
  // first to keep that quiet; safety still comes from the whitelist below, not from this rename.
  let markup = String(html ?? "");
  for (let before = null; before !== markup; ) {
    before = markup;
    markup = markup.replace(/(<[^<>]*?[\s/"'])on([a-z]+\s*=)/gi, "$1data-dropped-on$2");
  }
  const inert = document.implementation.createHTMLDocument("");
  inert.body.innerHTML = markup;
  const fragment = document.createDocumentFragment();
  const origins = new Map();
  copy(inert.body, fragment, origins);
  return { fragment, root: inert.body, origins };
}

export function sanitizedFragment(html) {
  return sanitizedTree(html).fragment;
}
