// <HyperText>: the task's HTML, shown sanitized (see html.js): no script from task data ever runs. Spans from
// <HyperTextLabels> (or <Labels>) are drawn over it; select with the mouse while a label is active, or with
// the keyboard (Tab to the text, shift and the arrow keys, Enter). Results are Label Studio's: xpaths to text
// nodes with offsets, plus globalOffsets (see htmlranges.js); a saved span is found again by its xpaths, or
// by its globalOffsets when the xpaths do not resolve.

import { h } from "../dom.js";
import { register } from "../registry.js";
import { sanitizedTree } from "../html.js";
import { nodeAtXpath, textMap, xpathOf } from "../htmlranges.js";
import { keyboardSelection, paintSpans, pointAt, snap, unitsBefore } from "../spans.js";

register({
  names: ["HyperText"],
  render(node, ctx) {
    const name = node.getAttribute("name");
    const value = ctx.resolve(node.getAttribute("value") || "");
    const html = typeof value === "string" ? value : "";
    const content = h("div", { class: "ed-hypertext-content", "data-object": name });
    const el = h("div", { class: "ed-hypertext" }, content);
    ctx.objects.set(name, { name, type: "hypertext", el });
    let tree = null;
    let map = null;

    // A fresh whitelisted copy, without highlights.
    function rebuild() {
      tree = sanitizedTree(html);
      content.replaceChildren(tree.fragment);
      map = textMap(content, tree.origins);
    }
    rebuild();

    function fromXpath(path, offset) {
      if (typeof path !== "string" || !Number.isInteger(offset) || offset < 0) return null;
      const origin = nodeAtXpath(tree.root, path);
      const entry = origin && map.entryOf(origin);
      return entry && offset <= entry.data.length ? entry.unit + offset : null;
    }

    // Where a region lies in the shown text (UTF-16 units), or null when it cannot be found.
    function unitsOf(v) {
      const a = fromXpath(v.start, v.startOffset);
      const b = fromXpath(v.end, v.endOffset);
      if (a !== null && b !== null && b > a) return [a, b];
      const g = v.globalOffsets;
      if (g && Number.isInteger(g.start) && Number.isInteger(g.end) && g.end > g.start) return [map.toUnit(g.start, false), map.toUnit(g.end, true)];
      return null;
    }

    let signature = null;
    function draw() {
      const spans = ctx.store.regions(name).filter((r) => typeof r.value.start === "string" || r.value.globalOffsets);
      const sig = JSON.stringify(spans.map((s) => [s.id, s.value, ctx.store.labelsOf(s.id)])) + ctx.store.selected;
      if (sig === signature) return;
      signature = sig;
      rebuild();
      const ranges = [];
      for (const s of spans) {
        const at = unitsOf(s.value);
        if (at) ranges.push({ id: s.id, from: at[0], to: at[1], label: ctx.store.labelsOf(s.id)[0] || "" });
      }
      paintSpans(content, ranges, ctx.store.selected);
    }

    function markSpan(from, to) {
      const control = ctx.activeLabels(name);
      if (!control) return false;
      const first = map.locate(snap(map.flat, from, false), false);
      const last = map.locate(snap(map.flat, to, true), true);
      if (!first || !last) return false;
      const [a, aOffset] = first;
      const [b, bOffset] = last;
      const start = a.unit + aOffset;
      const end = b.unit + bOffset;
      if (end <= start) return false;
      window.getSelection().removeAllRanges();
      control.addRegion({
        start: xpathOf(tree.root, a.origin),
        end: xpathOf(tree.root, b.origin),
        startOffset: aOffset,
        endOffset: bOffset,
        globalOffsets: { start: map.toPoint(start), end: map.toPoint(end) },
        text: map.text(start, end),
      }, name);
      return true;
    }

    content.addEventListener("mouseup", () => {
      if (ctx.readOnly) return;
      const selection = window.getSelection();
      if (!selection || selection.isCollapsed || !selection.rangeCount) return;
      const range = selection.getRangeAt(0);
      if (!content.contains(range.startContainer) || !content.contains(range.endContainer)) return;
      markSpan(unitsBefore(content, range.startContainer, range.startOffset), unitsBefore(content, range.endContainer, range.endOffset));
    });

    let keyboard = false;
    ctx.onUpdate(() => {
      // after the whole config is drawn: the labels may come after the HyperText
      if (keyboard || ctx.readOnly || !ctx.controlsFor(name).some((c) => c.isLabels)) return;
      keyboard = true;
      keyboardSelection(content, name, {
        text: () => map.flat,
        show(anchor, caret) {
          const [na, oa] = pointAt(content, anchor, anchor <= caret);
          const [nb, ob] = pointAt(content, caret, caret < anchor);
          window.getSelection().setBaseAndExtent(na, oa, nb, ob);
        },
        mark: markSpan,
      });
    });

    content.addEventListener("click", (event) => {
      const mark = event.target.closest("mark[data-region]");
      if (mark && window.getSelection().isCollapsed) {
        event.preventDefault(); // a highlighted link selects the region rather than opening
        ctx.selectRegion(mark.dataset.region);
      }
    });
    ctx.onUpdate(draw);
    return el;
  },
});
