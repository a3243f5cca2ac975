// <HyperText>: the task's HTML, shown sanitized (see html.js): no script from task data ever runs.

import { h } from "../dom.js";
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
