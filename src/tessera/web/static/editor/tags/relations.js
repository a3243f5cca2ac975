// <Relations>: the names a relation between two regions may carry (the region list draws and edits them).

import { h } from "../dom.js";
import { register } from "../registry.js";
import { addControl } from "../controls.js";

register({
  names: ["Relations"],
  render(node, ctx) {
    const el = h("div", { class: "ed-relations-config", hidden: true });
    const values = [...node.children].filter((c) => c.tagName === "Relation").map((c) => c.getAttribute("value"));
    const control = addControl(ctx, node, "relations", el, { values });
    control.required = false;
    return el;
  },
});
