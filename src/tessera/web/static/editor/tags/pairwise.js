// <Pairwise toName="a,b">: choose the left or the right object (buttons, a click on the object, or the
// left/right arrow keys). Stored as {"selected": "left" | "right"} in the config's terms: "left" is the first
// toName wherever it is drawn. With a shuffle seed the two objects (with whatever shares their branch of the
// layout, such as ratings under each reply) may trade places on screen; the buttons and arrow keys follow the
// screen, and the order shown is recorded (ctx.presentation).

import { h } from "../dom.js";
import { register } from "../registry.js";
import { addControl, readValue, writeValue } from "../controls.js";

// The two branches that hold a and b under their nearest common ancestor: a reply laid out in a View with its
// own controls (ratings under it) moves with them.
function branches(a, b) {
  const mine = [];
  for (let x = a; x; x = x.parentElement) mine.push(x);
  for (let y = b; y && y.parentElement; y = y.parentElement) {
    const x = mine.find((el) => el.parentElement === y.parentElement);
    if (x && x !== y) return [x, y];
  }
  return [a, b];
}

function swap(a, b) {
  const mark = document.createComment("");
  a.replaceWith(mark);
  b.replaceWith(a);
  mark.replaceWith(b);
}

register({
  names: ["Pairwise"],
  render(node, ctx) {
    const name = node.getAttribute("name") || "pairwise";
    const left = h("button", { type: "button", class: "ed-pair-left" }, "Left is better");
    const right = h("button", { type: "button", class: "ed-pair-right" }, "Right is better");
    const el = h("div", { class: "ed-pairwise", "data-control": name }, left, right);
    const control = addControl(ctx, node, "pairwise", el);
    const sideOf = (objectName) => (objectName === control.toNames[0] ? "left" : "right");
    let shown = control.toNames.slice(0, 2); // the objects on screen, left then right
    const choose = (side) => !ctx.readOnly && writeValue(ctx, control, "selected", readValue(ctx, control, "selected") === side ? null : side);
    const chooseShown = (i) => choose(sideOf(shown[i]));
    left.addEventListener("click", () => chooseShown(0));
    right.addEventListener("click", () => chooseShown(1));
    ctx.addHotkey("arrowleft", `${name}: left`, () => chooseShown(0), control);
    ctx.addHotkey("arrowright", `${name}: right`, () => chooseShown(1), control);
    let wired = false;
    ctx.onUpdate(() => {
      const [a, b] = control.toNames;
      const objA = ctx.objects.get(a);
      const objB = ctx.objects.get(b);
      if (!wired) {
        wired = true;
        shown = ctx.presentation.orderFor(name, [a, b]);
        if (objA && objB && shown[0] === b) swap(...branches(objA.el, objB.el));
        if (objA) objA.el.addEventListener("click", () => choose("left"));
        if (objB) objB.el.addEventListener("click", () => choose("right"));
      }
      const selected = readValue(ctx, control, "selected");
      left.setAttribute("aria-pressed", selected && selected === sideOf(shown[0]) ? "true" : "false");
      right.setAttribute("aria-pressed", selected && selected === sideOf(shown[1]) ? "true" : "false");
      for (const [obj, side] of [[objA, "left"], [objB, "right"]]) {
        if (obj) obj.el.classList.toggle("ed-chosen", selected === side);
      }
    });
    return el;
  },
});
