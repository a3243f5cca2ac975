// <Rating> (stars, 1..maxRating), <Number> (min/max/step) and <DateTime> (date, time or both, per `only`).

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

register({
  names: ["Number"],
  render(node, ctx) {
    const name = node.getAttribute("name") || "number";
    const input = h("input", { type: "number", min: node.getAttribute("min"), max: node.getAttribute("max"), step: node.getAttribute("step") || "any", "aria-label": name });
    const el = h("div", { class: "ed-number", "data-control": name }, input);
    const control = addControl(ctx, node, "number", el);
    input.addEventListener("change", () => {
      const value = input.value === "" ? null : Number(input.value);
      writeValue(ctx, control, "number", value === null || Number.isNaN(value) ? null : value);
    });
    ctx.onUpdate(() => {
      const value = readValue(ctx, control, "number");
      if (document.activeElement !== input) input.value = value ?? "";
      input.disabled = ctx.readOnly;
    });
    return el;
  },
});

register({
  names: ["DateTime"],
  render(node, ctx) {
    const name = node.getAttribute("name") || "datetime";
    const only = node.getAttribute("only") || "";
    const type = only.includes("date") && !only.includes("time") ? "date" : only === "time" ? "time" : only === "month" ? "month" : only === "year" ? "number" : "datetime-local";
    const input = h("input", { type, "aria-label": name, min: node.getAttribute("min"), max: node.getAttribute("max") });
    const el = h("div", { class: "ed-datetime", "data-control": name }, input);
    const control = addControl(ctx, node, "datetime", el);
    input.addEventListener("change", () => writeValue(ctx, control, "datetime", input.value ? String(input.value) : null));
    ctx.onUpdate(() => {
      const value = readValue(ctx, control, "datetime");
      if (document.activeElement !== input) input.value = value ?? "";
      input.disabled = ctx.readOnly;
    });
    return el;
  },
});
