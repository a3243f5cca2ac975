// How Label Studio points into HyperText, and the map between that and the text shown here.
//
// A span's `start`/`end` are xpaths from the HTML's root to a text node ("/p[1]/text()[1]", "/article[1]/p[2]/
// text()[1]") with `startOffset`/`endOffset` in UTF-16 units of that node, as the DOM counts; `globalOffsets`
// are Unicode code points into the document's text (all its text nodes, whitespace between blocks included);
// `text` is the text as shown, a line break between blocks — Label Studio's own tests pin all three. The xpaths
// name nodes of the HTML as written (the inert parse), not of the whitelisted copy shown, which drops unknown
// wrappers such as <article>; `origins` (html.js) links the two.

import { textNodes } from "./spans.js";

const BLOCKS = new Set(
  ("address article aside blockquote br caption dd details div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 " +
    "header hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul").split(" "),
);
const isBlock = (node) => !!node && node.nodeType === Node.ELEMENT_NODE && BLOCKS.has(node.localName);
const codePoints = (text) => [...text].length;

export function xpathOf(root, node) {
  const steps = [];
  let n = node;
  for (; n && n !== root; n = n.parentNode) {
    let k = 1;
    if (n.nodeType === Node.TEXT_NODE) {
      for (let s = n.previousSibling; s; s = s.previousSibling) if (s.nodeType === Node.TEXT_NODE) k++;
      steps.unshift(`text()[${k}]`);
    } else {
      for (let s = n.previousElementSibling; s; s = s.previousElementSibling) if (s.localName === n.localName) k++;
      steps.unshift(`${n.localName}[${k}]`);
    }
  }
  return n === root ? "/" + steps.join("/") : null;
}

// The node an xpath of the form above names under `root`, or null.
export function nodeAtXpath(root, path) {
  let n = root;
  for (const step of path.replace(/^\.?\//, "").split("/")) {
    const m = /^([A-Za-z][\w-]*|text\(\))(?:\[(\d+)\])?$/.exec(step);
    if (!m) return null;
    const text = m[1] === "text()";
    let k = Number(m[2] || 1);
    let found = null;
    for (const c of n.childNodes) {
      const fits = text ? c.nodeType === Node.TEXT_NODE : c.nodeType === Node.ELEMENT_NODE && c.localName === m[1].toLowerCase();
      if (fits && --k === 0) {
        found = c;
        break;
      }
    }
    if (!found) return null;
    n = found;
  }
  return n;
}

// Whitespace a browser does not show (only blanks, next to a block's edge, in a block or the root, not in <pre>):
// left out of a span's `text`.
function collapsible(node, root) {
  if (!/^[ \t\n\r\f]*$/.test(node.data)) return false;
  const parent = node.parentNode;
  if (parent !== root && !isBlock(parent)) return false;
  if (node.parentElement && node.parentElement.closest("pre")) return false;
  const prev = node.previousSibling;
  const next = node.nextSibling;
  return !prev || isBlock(prev) || !next || isBlock(next);
}

function blockOf(node, root) {
  let n = node.parentNode;
  while (n && n !== root && !isBlock(n)) n = n.parentNode;
  return n;
}

// Built over `content` right after the whitelisted copy is put in (highlights split its text nodes later, so
// everything needed is read now):
// each shown text node with where it starts in the shown text (UTF-16 units) and in the document's text (points).
export function textMap(content, origins) {
  const entries = [];
  let unit = 0;
  let point = 0;
  for (const node of textNodes(content)) {
    const counted = origins.has(node); // not the stand-in text of an image left out
    const hidden = collapsible(node, content);
    const origin = origins.get(node) || null;
    entries.push({ node, unit, point, counted, hidden, origin, data: node.data, block: blockOf(node, content) });
    unit += node.length;
    if (counted) point += codePoints(node.data);
  }
  const sourced = entries.filter((e) => e.origin && e.data.length);
  return {
    entries,
    flat: entries.map((e) => e.data).join(""),
    // The text node (of the HTML as written) where a span starting or ending at `at` lies: [entry, offset].
    locate(at, isEnd) {
      if (isEnd) {
        const e = sourced.filter((x) => x.unit < at).pop();
        return e ? [e, Math.min(e.data.length, at - e.unit)] : null;
      }
      const e = sourced.find((x) => x.unit + x.data.length > at);
      return e ? [e, Math.max(0, at - e.unit)] : null;
    },
    entryOf: (origin) => entries.find((e) => e.origin === origin) || null,
    toPoint(at) {
      for (const e of entries) {
        if (at <= e.unit + e.data.length) return e.counted ? e.point + codePoints(e.data.slice(0, Math.max(0, at - e.unit))) : e.point;
      }
      return point;
    },
    toUnit(p, isEnd) {
      const counted = entries.filter((e) => e.counted);
      const e = isEnd ? counted.find((x) => p <= x.point + codePoints(x.data)) : counted.find((x) => p < x.point + codePoints(x.data));
      if (!e) return unit;
      return e.unit + [...e.data].slice(0, Math.max(0, p - e.point)).join("").length;
    },
    // The visible text of [from, to): a line break where the span passes from one block to another.
    text(from, to) {
      let out = "";
      let block = null;
      for (const e of entries) {
        if (!e.counted || e.hidden || e.unit + e.data.length <= from || e.unit >= to) continue;
        if (out && e.block !== block) out += "\n";
        block = e.block;
        out += e.data.slice(Math.max(0, from - e.unit), Math.min(e.data.length, to - e.unit));
      }
      return out;
    },
  };
}
