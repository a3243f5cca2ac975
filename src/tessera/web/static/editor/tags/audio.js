// <Audio>: playback with a speed control, and segments for <Labels> on the audio.

import { h } from "../dom.js";
import { register } from "../registry.js";

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
