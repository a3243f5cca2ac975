// <Pairwise toName="a,b">: choose the left or the right object (buttons, a click on the object, or the
// left/right arrow keys). Stored as {"selected": "left" | "right"}.

import { h } from "../dom.js";
import { register } from "../registry.js";
import { addControl, readValue, writeValue } from "../controls.js";

register({
  names: ["Pairwise"],
  render(node, ctx) {
    const name = node.getAttribute("name") || "pairwise";
    const left = h("button", { type: "button", class: "ed-pair-left" }, "Left is better");
    const right = h("button", { type: "button", class: "ed-pair-right" }, "Right is better");
    const el = h("div", { class: "ed-pairwise", "data-control": name }, left, right);
    const control = addControl(ctx, node, "pairwise", el);
    const choose = (side) => !ctx.readOnly && writeValue(ctx, control, "selected", readValue(ctx, control, "selected") === side ? null : side);
    left.addEventListener("click", () => choose("left"));
    right.addEventListener("click", () => choose("right"));
    ctx.addHotkey("arrowleft", `${name}: left`, () => choose("left"), control);
    ctx.addHotkey("arrowright", `${name}: right`, () => choose("right"), control);
    let wired = false;
    ctx.onUpdate(() => {
      const [a, b] = control.toNames;
      if (!wired) {
        wired = true;
        const objA = ctx.objects.get(a);
        const objB = ctx.objects.get(b);
        if (objA) objA.el.addEventListener("click", () => choose("left"));
        if (objB) objB.el.addEventListener("click", () => choose("right"));
      }
      const selected = readValue(ctx, control, "selected");
      left.setAttribute("aria-pressed", selected === "left" ? "true" : "false");
      right.setAttribute("aria-pressed", selected === "right" ? "true" : "false");
      for (const [n, side] of [[a, "left"], [b, "right"]]) {
        const obj = ctx.objects.get(n);
        if (obj) obj.el.classList.toggle("ed-chosen", selected === side);
      }
    });
    return el;
  },
});
