// <Text>: the task's text, with spans from <Labels> drawn over it. Select with the mouse while a label is
// active to make a span, or with the keyboard: focus the text (Tab), move with ←/→ (ctrl: by word, Home/End),
// extend with shift, and press Enter. Offsets are Unicode code points into data.text, end
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

    // A span over UTF-16 units [from, to) with the active label; never cutting a surrogate pair in half.
    function markSpan(from, to) {
      const control = ctx.activeLabels(name);
      if (!control) return false;
      if (from > 0 && from < text.length && /[\uDC00-\uDFFF]/.test(text[from])) from -= 1;
      if (to > 0 && to < text.length && /[\uDC00-\uDFFF]/.test(text[to])) to += 1;
      if (to <= from) return false;
      window.getSelection().removeAllRanges();
      control.addRegion({ start: index.toPoint(from), end: index.toPoint(to), text: text.slice(from, to) }, name);
      return true;
    }

    content.addEventListener("mouseup", () => {
      if (ctx.readOnly) return;
      const selection = window.getSelection();
      if (!selection || selection.isCollapsed || !selection.rangeCount) return;
      const range = selection.getRangeAt(0);
      if (!content.contains(range.startContainer) || !content.contains(range.endContainer)) return;
      markSpan(unitOffset(range.startContainer, range.startOffset), unitOffset(range.endContainer, range.endOffset));
    });

    // Keyboard selection: a caret and an anchor in UTF-16 units, shown as the page's own selection.
    let anchor = 0;
    let caret = 0;
    const isLow = (i) => i > 0 && i < text.length && /[\uDC00-\uDFFF]/.test(text[i]);
    function stepFrom(i, dir, byWord) {
      let j = i;
      if (byWord) {
        while (j + dir >= 0 && j + dir <= text.length && /\s/.test(text[dir > 0 ? j : j - 1] || "")) j += dir;
        while (j + dir >= 0 && j + dir <= text.length && /\S/.test(text[dir > 0 ? j : j - 1] || "")) j += dir;
        return j;
      }
      j = Math.min(text.length, Math.max(0, j + dir));
      return isLow(j) ? j + dir : j;
    }
    function pointAt(unit) {
      const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT);
      let seen = 0;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (seen + node.length >= unit) return [node, unit - seen];
        seen += node.length;
      }
      return [content, content.childNodes.length];
    }
    function showSelection() {
      const [a, ao] = pointAt(anchor);
      const [b, bo] = pointAt(caret);
      window.getSelection().setBaseAndExtent(a, ao, b, bo);
    }
    let keyboard = false;
    function enableKeyboard() {
      // After the whole config is drawn: a <Labels> may come after its <Text>.
      if (keyboard || ctx.readOnly || !ctx.controlsFor(name).some((c) => c.isLabels)) return;
      keyboard = true;
      content.tabIndex = 0;
      content.setAttribute("aria-label", `${name}: select text with shift and the arrow keys, Enter marks it`);
      content.addEventListener("keydown", (event) => {
        const moves = { ArrowRight: 1, ArrowLeft: -1, Home: "start", End: "end" };
        if (event.key === "Enter" && anchor !== caret) {
          if (markSpan(Math.min(anchor, caret), Math.max(anchor, caret))) anchor = caret;
        } else if (event.key in moves) {
          const move = moves[event.key];
          caret = move === "start" ? 0 : move === "end" ? text.length : stepFrom(caret, move, event.ctrlKey || event.altKey);
          if (!event.shiftKey) anchor = caret;
          showSelection();
        } else {
          return;
        }
        event.preventDefault();
        event.stopPropagation();
      });
    }
    ctx.onUpdate(enableKeyboard);

    content.addEventListener("click", (event) => {
      const mark = event.target.closest("mark[data-region]");
      if (mark && window.getSelection().isCollapsed) ctx.selectRegion(mark.dataset.region);
    });

    ctx.onUpdate(draw);
    return el;
  },
});
