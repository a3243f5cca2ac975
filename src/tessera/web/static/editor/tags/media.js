// Objects that show task data without regions of their own here: <HyperText> (sanitized, see html.js),
// <Paragraphs> (plain or dialogue layout), <Audio> (playback with a speed control), <Table>.

import { h, colorFor } from "../dom.js";
import { register } from "../registry.js";
import { sanitizedFragment } from "../html.js";

register({
  names: ["HyperText"],
  render(node, ctx) {
    const name = node.getAttribute("name");
    const value = ctx.resolve(node.getAttribute("value") || "");
    const el = h("div", { class: "ed-hypertext", "data-object": name });
    el.append(sanitizedFragment(typeof value === "string" ? value : ""));
    ctx.objects.set(name, { name, type: "hypertext", el });
    return el;
  },
});

register({
  names: ["Paragraphs"],
  render(node, ctx) {
    const name = node.getAttribute("name");
    const nameKey = node.getAttribute("nameKey") || "author";
    const textKey = node.getAttribute("textKey") || "text";
    const dialogue = node.getAttribute("layout") === "dialogue";
    const value = ctx.resolve(node.getAttribute("value") || "");
    const list = Array.isArray(value) ? value : [];
    const el = h("div", { class: "ed-paragraphs" + (dialogue ? " ed-dialogue" : ""), "data-object": name });
    list.forEach((p, i) => {
      const author = p && typeof p === "object" ? p[nameKey] : "";
      const text = p && typeof p === "object" ? p[textKey] : p;
      const row = h("div", { class: "ed-paragraph", "data-index": i });
      if (author !== undefined && author !== "") row.append(h("span", { class: "ed-author", style: dialogue ? `--author-color:${colorFor(String(author))}` : null, text: String(author) }));
      row.append(h("span", { class: "ed-para-text", text: text === undefined || text === null ? "" : String(text) }));
      el.append(row);
    });
    ctx.objects.set(name, { name, type: "paragraphs", el });
    return el;
  },
});

register({
  names: ["Audio", "AudioPlus"],
  render(node, ctx) {
    const name = node.getAttribute("name");
    const src = ctx.resolve(node.getAttribute("value") || "");
    // preload="none": nothing is fetched until the annotator presses play
    const audio = h("audio", { controls: true, preload: "none" });
    if (typeof src === "string" && src) audio.src = src;
    const speed = h("select", { "aria-label": "Playback speed" }, ["0.5", "0.75", "1", "1.25", "1.5", "2"].map((s) => h("option", { value: s, selected: s === "1" }, `${s}×`)));
    speed.addEventListener("change", () => {
      audio.playbackRate = Number(speed.value);
    });
    const el = h("div", { class: "ed-audio", "data-object": name }, audio, h("label", {}, "Speed ", speed));
    ctx.objects.set(name, { name, type: "audio", el, audio });
    // Segments (Labels on Audio): no waveform yet; the annotator marks start and end at the playhead, or types
    // them, and adds the segment with the active label.
    const start = h("input", { type: "number", min: "0", step: "0.01", value: "0", "aria-label": "Segment start (s)" });
    const end = h("input", { type: "number", min: "0", step: "0.01", value: "1", "aria-label": "Segment end (s)" });
    const add = h("button", { type: "button", class: "ed-add-segment" }, "Add segment");
    const segments = h(
      "div",
      { class: "ed-segments", hidden: true },
      h("button", { type: "button", onclick: () => (start.value = audio.currentTime.toFixed(2)) }, "Start at playhead"),
      start,
      h("button", { type: "button", onclick: () => (end.value = audio.currentTime.toFixed(2)) }, "End at playhead"),
      end,
      add,
    );
    el.append(segments);
    add.addEventListener("click", () => {
      const control = ctx.activeLabels && ctx.activeLabels(name);
      const from = Number(start.value);
      const to = Number(end.value);
      if (!control || ctx.readOnly || !(to > from) || from < 0) return;
      control.addRegion({ start: from, end: to, channel: 0 }, name);
    });
    ctx.onUpdate(() => {
      segments.hidden = ctx.readOnly || !ctx.controlsFor(name).some((c) => c.isLabels);
      add.disabled = !(ctx.activeLabels && ctx.activeLabels(name));
    });
    return el;
  },
});

register({
  names: ["Table"],
  render(node, ctx) {
    const name = node.getAttribute("name");
    const value = ctx.resolve(node.getAttribute("value") || "");
    const rows = value && typeof value === "object" ? (Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value)) : [];
    const el = h(
      "table",
      { class: "ed-table", "data-object": name },
      h("tbody", {}, rows.map(([k, v]) => h("tr", {}, h("th", { text: String(k) }), h("td", { text: typeof v === "object" ? JSON.stringify(v) : String(v) })))),
    );
    ctx.objects.set(name, { name, type: "table", el });
    return el;
  },
});
