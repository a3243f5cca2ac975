// <Number>: a number within min/max.

import { h } from "../dom.js";
import { register } from "../registry.js";
import { addControl, readValue, writeValue } from "../controls.js";

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
