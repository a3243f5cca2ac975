// <DateTime>: a date, a time or both, per `only`.

import { h } from "../dom.js";
import { register } from "../registry.js";
import { addControl, readValue, writeValue } from "../controls.js";

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
