// <Text>: the task's text, with spans from <Labels> drawn over it. Select with the mouse while a label is
// active to make a span. Offsets are Unicode code points into data.text, end
// exclusive, the way Python slices the same string, so emoji and other astral characters count once.

import { h, colorFor } from "../dom.js";
import { register } from "../registry.js";
import { codePointIndex } from "../offsets.js";

register({
  names: ["Text"],
  render(node, ctx) {
    const name = node.getAttribute("name");
    const raw = ctx.resolve(node.getAttribute("value") || "");
    const text = raw === undefined || raw === null ? "" : typeof raw === "string" ? raw : JSON.stringify(raw);
    const index = codePointIndex(text);
    const content = h("div", { class: "ed-text-content", "data-object": name });
    const el = h("div", { class: "ed-text" }, content);
    ctx.objects.set(name, { name, type: "text", el, text });
    let signature = null;

    function draw() {
      const spans = ctx.store.regions(name).filter((r) => typeof r.value.start === "number");
      const sig = JSON.stringify(spans.map((s) => [s.id, s.value.start, s.value.end, ctx.store.labelsOf(s.id)])) + ctx.store.selected;
      if (sig === signature) return;
      signature = sig;
      if (!spans.length) {
        content.replaceChildren(document.createTextNode(text));
        return;
      }
      const bounds = new Set([0, text.length]);
      const ranges = spans.map((s) => {
        const from = index.toUnit(s.value.start);
        const to = index.toUnit(s.value.end);
        bounds.add(from);
        bounds.add(to);
        return { id: s.id, from, to, label: ctx.store.labelsOf(s.id)[0] || "" };
      });
      const points = [...bounds].sort((a, b) => a - b);
      const parts = [];
      for (let i = 0; i < points.length - 1; i++) {
        const a = points[i];
        const b = points[i + 1];
        const covering = ranges.filter((r) => r.from <= a && r.to >= b);
        const piece = text.slice(a, b);
        if (!covering.length) {
          parts.push(document.createTextNode(piece));
          continue;
        }
        const top = covering[covering.length - 1];
        const selected = covering.some((r) => r.id === ctx.store.selected);
        const mark = h("mark", {
          class: "ed-span" + (selected ? " ed-selected" : ""),
          "data-region": top.id,
          title: covering.map((r) => r.label).join(", "),
          style: `--span-color:${colorFor(top.label)}`,
        }, piece);
        parts.push(mark);
      }
      content.replaceChildren(...parts);
    }

    function unitOffset(container, offset) {
      const range = document.createRange();
      range.setStart(content, 0);
      range.setEnd(container, offset);
      return range.toString().length;
    }

    content.addEventListener("mouseup", () => {
      if (ctx.readOnly) return;
      const selection = window.getSelection();
      if (!selection || selection.isCollapsed || !selection.rangeCount) return;
      const range = selection.getRangeAt(0);
      if (!content.contains(range.startContainer) || !content.contains(range.endContainer)) return;
      const control = ctx.activeLabels(name);
      if (!control) return;
      let from = unitOffset(range.startContainer, range.startOffset);
      let to = unitOffset(range.endContainer, range.endOffset);
      // never cut a surrogate pair in half
      if (from > 0 && from < text.length && /[\uDC00-\uDFFF]/.test(text[from])) from -= 1;
      if (to > 0 && to < text.length && /[\uDC00-\uDFFF]/.test(text[to])) to += 1;
      if (to <= from) return;
      selection.removeAllRanges();
      const start = index.toPoint(from);
      const end = index.toPoint(to);
      control.addRegion({ start, end, text: text.slice(from, to) }, name);
    });

    content.addEventListener("click", (event) => {
      const mark = event.target.closest("mark[data-region]");
      if (mark && window.getSelection().isCollapsed) ctx.selectRegion(mark.dataset.region);
    });

    ctx.onUpdate(draw);
    return el;
  },
});
