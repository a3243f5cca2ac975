// Spans over text drawn as DOM, shared by <Paragraphs> and <HyperText>: where a DOM point falls in a root's text
// (in UTF-16 units, as the DOM counts), the text node at a unit offset, painting highlights over text nodes
// without touching the elements around them, and keyboard selection over a flat text.

import { h, colorFor } from "./dom.js";

export function textNodes(root) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node);
  return nodes;
}

// UTF-16 units of text between the start of `root` and the DOM point (node, offset).
export function unitsBefore(root, node, offset) {
  const range = document.createRange();
  range.setStart(root, 0);
  range.setEnd(node, offset);
  return range.toString().length;
}

// The text node and offset at `unit` of root's text. At a boundary between two nodes a start ("after") lies in
// the later node, an end in the earlier one.
export function pointAt(root, unit, after = false) {
  const nodes = textNodes(root);
  let seen = 0;
  for (const node of nodes) {
    if (after ? seen + node.length > unit : seen + node.length >= unit) return [node, unit - seen];
    seen += node.length;
  }
  const last = nodes[nodes.length - 1];
  return last ? [last, last.length] : [root, root.childNodes.length];
}

// A unit offset moved off the middle of a surrogate pair: starts move left, ends right.
export function snap(text, unit, isEnd) {
  if (unit > 0 && unit < text.length && /[\uDC00-\uDFFF]/.test(text[unit]) && /[\uD800-\uDBFF]/.test(text[unit - 1])) {
    return isEnd ? unit + 1 : unit - 1;
  }
  return unit;
}

// Wraps the parts of root's text nodes covered by `ranges` ([{id, from, to, label}] in units of root's text)
// in <mark>s; where ranges overlap, the last one listed gives the colour and the title names them all.
export function paintSpans(root, ranges, selectedId) {
  const live = ranges.filter((r) => r.to > r.from);
  if (!live.length) return;
  let seen = 0;
  for (const node of textNodes(root)) {
    const start = seen;
    const end = seen + node.length;
    seen = end;
    const here = live.filter((r) => r.from < end && r.to > start);
    if (!here.length) continue;
    const cuts = new Set([start, end]);
    for (const r of here) for (const at of [r.from, r.to]) if (at > start && at < end) cuts.add(at);
    const points = [...cuts].sort((a, b) => a - b);
    const pieces = [];
    for (let i = 0; i < points.length - 1; i++) {
      const piece = node.data.slice(points[i] - start, points[i + 1] - start);
      const covering = here.filter((r) => r.from <= points[i] && r.to >= points[i + 1]);
      if (!covering.length) {
        pieces.push(document.createTextNode(piece));
        continue;
      }
      const top = covering[covering.length - 1];
      pieces.push(h("mark", {
        class: "ed-span" + (covering.some((r) => r.id === selectedId) ? " ed-selected" : ""),
        "data-region": top.id,
        title: covering.map((r) => r.label).join(", "),
        style: `--span-color:${colorFor(top.label)}`,
      }, piece));
    }
    node.replaceWith(...pieces);
  }
}

// Keyboard selection over a flat text (`text()`): Tab to the element, ←/→ move (ctrl or alt: by word), Home/End,
// shift extends, Enter calls `mark(from, to)` in units of the flat text. `show(anchor, caret)` draws the
// selection. The caret never stops inside a surrogate pair.
export function keyboardSelection(el, label, { text, show, mark }) {
  let anchor = 0;
  let caret = 0;
  el.tabIndex = 0;
  el.setAttribute("aria-label", `${label}: select text with shift and the arrow keys, Enter marks it`);
  function step(i, dir, byWord) {
    const flat = text();
    let j = i;
    if (byWord) {
      while (j + dir >= 0 && j + dir <= flat.length && /\s/.test(flat[dir > 0 ? j : j - 1] || "")) j += dir;
      while (j + dir >= 0 && j + dir <= flat.length && /\S/.test(flat[dir > 0 ? j : j - 1] || "")) j += dir;
      return j;
    }
    j = Math.min(flat.length, Math.max(0, j + dir));
    return j > 0 && j < flat.length && /[\uDC00-\uDFFF]/.test(flat[j]) ? j + dir : j;
  }
  el.addEventListener("keydown", (event) => {
    const moves = { ArrowRight: 1, ArrowLeft: -1, Home: "start", End: "end" };
    if (event.key === "Enter" && anchor !== caret) {
      if (mark(Math.min(anchor, caret), Math.max(anchor, caret))) anchor = caret;
    } else if (event.key in moves) {
      const move = moves[event.key];
      caret = move === "start" ? 0 : move === "end" ? text().length : step(caret, move, event.ctrlKey || event.altKey);
      if (!event.shiftKey) anchor = caret;
      show(anchor, caret);
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  });
}
