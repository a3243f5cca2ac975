// <Rating>: stars, 1..maxRating; pressing the chosen star again clears it.

import { h } from "../dom.js";
import { register } from "../registry.js";
import { addControl, readValue, writeValue } from "../controls.js";

register({
  names: ["Rating"],
  render(node, ctx) {
    const name = node.getAttribute("name") || "rating";
    const max = parseInt(node.getAttribute("maxRating") || "5", 10) || 5;
    const el = h("div", { class: "ed-rating", role: "radiogroup", "aria-label": name, "data-control": name });
    const control = addControl(ctx, node, "rating", el);
    const stars = [];
    for (let i = 1; i <= max; i++) {
      const star = h("button", { type: "button", class: "ed-star", role: "radio", "aria-label": `${i} of ${max}`, onclick: () => !ctx.readOnly && writeValue(ctx, control, "rating", readValue(ctx, control, "rating") === i ? null : i) }, "★");
      stars.push(star);
      el.append(star);
    }
    const hotkey = node.getAttribute("hotkey");
    if (hotkey) ctx.addHotkey(hotkey, `${name}: next rating`, () => writeValue(ctx, control, "rating", ((readValue(ctx, control, "rating") || 0) % max) + 1), control);
    ctx.onUpdate(() => {
      const value = readValue(ctx, control, "rating") || 0;
      stars.forEach((s, i) => s.setAttribute("aria-checked", i < value ? "true" : "false"));
    });
    return el;
  },
});
