// <Table>: a task field (an object or a list) as a two-column table.

import { h } from "../dom.js";
import { register } from "../registry.js";

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
