// <Taxonomy>: nested <Choice>s shown as a tree with a search box; a checked node is stored as its path
// from the root (`[["Animal", "Mammal"]]`).

import { h, truthy } from "../dom.js";
import { register } from "../registry.js";
import { addControl, readValue, writeValue } from "../controls.js";

function tree(node) {
  return [...node.children].filter((c) => c.tagName === "Choice").map((c) => ({ value: c.getAttribute("alias") || c.getAttribute("value") || "", children: tree(c) }));
}

register({
  names: ["Taxonomy"],
  render(node, ctx) {
    const name = node.getAttribute("name") || "taxonomy";
    const leafsOnly = truthy(node.getAttribute("leafsOnly"));
    const search = h("input", { type: "search", placeholder: "Search", "aria-label": `Search ${name}` });
    const body = h("ul", { class: "ed-tax-tree" });
    const el = h("div", { class: "ed-taxonomy", "data-control": name }, search, body);
    const control = addControl(ctx, node, "taxonomy", el);
    const roots = tree(node);
    const rows = [];

    function build(nodes, path, into) {
      for (const n of nodes) {
        const full = [...path, n.value];
        const input = h("input", { type: "checkbox", disabled: leafsOnly && n.children.length > 0 });
        const li = h("li", {}, h("label", {}, input, " ", n.value));
        rows.push({ path: full, input, li });
        input.addEventListener("change", () => {
          if (ctx.readOnly) return;
          const current = readValue(ctx, control, "taxonomy") || [];
          const key = JSON.stringify(full);
          const next = current.some((p) => JSON.stringify(p) === key) ? current.filter((p) => JSON.stringify(p) !== key) : [...current, full];
          writeValue(ctx, control, "taxonomy", next.length ? next : null);
        });
        if (n.children.length) {
          const sub = h("ul", {});
          build(n.children, full, sub);
          li.append(sub);
        }
        into.append(li);
      }
    }
    build(roots, [], body);

    search.addEventListener("input", () => {
      const q = search.value.trim().toLowerCase();
      for (const r of rows) {
        const hit = !q || r.path.some((p) => p.toLowerCase().includes(q));
        const below = q && rows.some((o) => o.path.length > r.path.length && r.path.every((p, i) => o.path[i] === p) && o.path[o.path.length - 1].toLowerCase().includes(q));
        r.li.hidden = !(hit || below);
      }
    });

    ctx.onUpdate(() => {
      const current = (readValue(ctx, control, "taxonomy") || []).map((p) => JSON.stringify(p));
      for (const r of rows) r.input.checked = current.includes(JSON.stringify(r.path));
    });
    return el;
  },
});
