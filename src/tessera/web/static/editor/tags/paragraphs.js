// <Paragraphs>: a list of {author, text} (or nameKey/textKey), plain or in the dialogue layout, with spans from
// <ParagraphLabels> (or <Labels>) drawn over it. A span lies in one paragraph or runs across several: select it
// with the mouse while a label is active, or with the keyboard (Tab to the paragraphs, shift and the arrow
// keys, Enter). The result is Label Studio's: `start`/`end` are paragraph indexes as strings, `startOffset`/
// `endOffset` Unicode code points into those paragraphs' texts (as Python slices them), end exclusive; `text`
// joins the pieces of several paragraphs with line breaks. A span without offsets (Label Studio's SDK writes
// {start: 2, end: 2}) covers whole paragraphs. granularity="paragraph" widens every selection to whole paragraphs.

import { h, colorFor } from "../dom.js";
import { register } from "../registry.js";
import { codePointIndex } from "../offsets.js";
import { keyboardSelection, paintSpans, pointAt, snap, unitsBefore } from "../spans.js";

// A paragraph index as Label Studio writes it ("3"), or as predictions may (3); null when it is neither.
function paragraphIndex(value) {
  const n = typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : null;
}

register({
  names: ["Paragraphs"],
  render(node, ctx) {
    const name = node.getAttribute("name");
    const nameKey = node.getAttribute("nameKey") || "author";
    const textKey = node.getAttribute("textKey") || "text";
    const dialogue = node.getAttribute("layout") === "dialogue";
    const wholeParagraphs = node.getAttribute("granularity") === "paragraph";
    const value = ctx.resolve(node.getAttribute("value") || "");
    const list = Array.isArray(value) ? value : [];
    const el = h("div", { class: "ed-paragraphs" + (dialogue ? " ed-dialogue" : ""), "data-object": name });
    const paragraphs = list.map((p, i) => {
      const author = p && typeof p === "object" ? p[nameKey] : "";
      const raw = p && typeof p === "object" ? p[textKey] : p;
      const text = raw === undefined || raw === null ? "" : String(raw);
      const body = h("span", { class: "ed-para-text", text });
      const row = h("div", { class: "ed-paragraph", "data-index": i });
      if (author !== undefined && author !== "") row.append(h("span", { class: "ed-author", style: dialogue ? `--author-color:${colorFor(String(author))}` : null, text: String(author) }));
      row.append(body);
      el.append(row);
      return { body, text, index: codePointIndex(text) };
    });
    ctx.objects.set(name, { name, type: "paragraphs", el });

    function spans() {
      return ctx.store.regions(name).filter((r) => paragraphIndex(r.value.start) !== null && paragraphIndex(r.value.end) !== null);
    }

    let signature = null;
    function draw() {
      const shown = spans();
      const sig = JSON.stringify(shown.map((s) => [s.id, s.value, ctx.store.labelsOf(s.id)])) + ctx.store.selected;
      if (sig === signature) return;
      signature = sig;
      const perParagraph = paragraphs.map(() => []);
      for (const s of shown) {
        const first = paragraphIndex(s.value.start);
        const last = Math.min(paragraphIndex(s.value.end), paragraphs.length - 1);
        const label = ctx.store.labelsOf(s.id)[0] || "";
        for (let k = first; k <= last; k++) {
          const p = paragraphs[k];
          const from = k === first && Number.isInteger(s.value.startOffset) ? p.index.toUnit(s.value.startOffset) : 0;
          const to = k === last && Number.isInteger(s.value.endOffset) ? p.index.toUnit(s.value.endOffset) : p.text.length;
          perParagraph[k].push({ id: s.id, from, to, label });
        }
      }
      paragraphs.forEach((p, k) => {
        p.body.replaceChildren(document.createTextNode(p.text));
        paintSpans(p.body, perParagraph[k], ctx.store.selected);
      });
    }

    // A DOM point as [paragraph, unit offset in its text]: a start in the first paragraph text at or after it,
    // an end in the last one at or before it (a point in an author's name or between rows snaps to a text).
    function position(container, offset, isEnd) {
      const order = isEnd ? [...paragraphs.keys()].reverse() : [...paragraphs.keys()];
      for (const k of order) {
        const range = document.createRange();
        range.selectNodeContents(paragraphs[k].body);
        const side = range.comparePoint(container, offset);
        if (side === 0) return [k, unitsBefore(paragraphs[k].body, container, offset)];
        if (!isEnd && side < 0) return [k, 0];
        if (isEnd && side > 0) return [k, paragraphs[k].text.length];
      }
      return null;
    }

    function markSpan(from, to) {
      const control = ctx.activeLabels(name);
      if (!control || !from || !to) return false;
      let [i, a] = from;
      let [j, b] = to;
      if (wholeParagraphs) {
        a = 0;
        b = paragraphs[j].text.length;
      }
      a = snap(paragraphs[i].text, a, false);
      b = snap(paragraphs[j].text, b, true);
      if (i > j || (i === j && b <= a)) return false;
      const pieces = i === j
        ? [paragraphs[i].text.slice(a, b)]
        : [paragraphs[i].text.slice(a), ...paragraphs.slice(i + 1, j).map((p) => p.text), paragraphs[j].text.slice(0, b)];
      window.getSelection().removeAllRanges();
      control.addRegion({
        start: String(i),
        end: String(j),
        startOffset: paragraphs[i].index.toPoint(a),
        endOffset: paragraphs[j].index.toPoint(b),
        text: pieces.join("\n"),
      }, name);
      return true;
    }

    el.addEventListener("mouseup", () => {
      if (ctx.readOnly) return;
      const selection = window.getSelection();
      if (!selection || selection.isCollapsed || !selection.rangeCount) return;
      const range = selection.getRangeAt(0);
      if (!el.contains(range.startContainer) || !el.contains(range.endContainer)) return;
      markSpan(position(range.startContainer, range.startOffset, false), position(range.endContainer, range.endOffset, true));
    });

    // The keyboard walks the paragraphs' texts as one flat text, a line break between paragraphs.
    const starts = [];
    let flat = "";
    paragraphs.forEach((p, k) => {
      if (k) flat += "\n";
      starts.push(flat.length);
      flat += p.text;
    });
    function unflatten(unit) {
      let k = starts.length - 1;
      while (k > 0 && starts[k] > unit) k--;
      return [k, Math.min(unit - starts[k], paragraphs[k].text.length)];
    }
    let keyboard = false;
    ctx.onUpdate(() => {
      if (keyboard || ctx.readOnly || !paragraphs.length || !ctx.controlsFor(name).some((c) => c.isLabels)) return;
      keyboard = true;
      keyboardSelection(el, name, {
        text: () => flat,
        show(anchor, caret) {
          const [i, a] = unflatten(anchor);
          const [j, b] = unflatten(caret);
          const [na, oa] = pointAt(paragraphs[i].body, a);
          const [nb, ob] = pointAt(paragraphs[j].body, b);
          window.getSelection().setBaseAndExtent(na, oa, nb, ob);
        },
        mark: (from, to) => markSpan(unflatten(from), unflatten(to)),
      });
    });

    el.addEventListener("click", (event) => {
      const mark = event.target.closest("mark[data-region]");
      if (mark && window.getSelection().isCollapsed) ctx.selectRegion(mark.dataset.region);
    });
    ctx.onUpdate(draw);
    return el;
  },
});
