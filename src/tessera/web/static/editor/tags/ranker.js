// <List> shows the task's items ({id, title, body}); <Ranker> orders them by drag and drop (or the ↑/↓
// buttons), into <Bucket>s when the config has some. Stored as {"ranker": {bucket or ranker name: [ids]}};
// with buckets, unplaced items stay out of the result. Unranked items start in the order of ctx.presentation
// (the data's order, or shuffled with a seed), which is recorded with the annotation.

import { h } from "../dom.js";
import { register } from "../registry.js";
import { addControl, readValue, writeValue } from "../controls.js";
import { sanitizedFragment } from "../html.js";

function listItems(ctx, node) {
  const items = ctx.resolve(node.getAttribute("value") || "");
  return Array.isArray(items) ? items.filter((i) => i && typeof i === "object" && "id" in i).map((i) => ({ ...i, id: String(i.id) })) : [];
}

function itemCard(item) {
  const card = h("div", { class: "ed-rank-card", "data-item": item.id, draggable: "true" });
  if (item.title) card.append(h("strong", { text: String(item.title) }));
  if (item.body) card.append(h("div", { text: String(item.body) }));
  if (item.html) card.append(h("div", {}, sanitizedFragment(item.html)));
  if (!item.title && !item.body && !item.html) card.append(h("span", { text: item.id }));
  return card;
}

register({
  names: ["List"],
  render(node, ctx) {
    const name = node.getAttribute("name");
    const el = h("div", { class: "ed-list", "data-object": name });
    if (node.getAttribute("title")) el.append(h("h4", { text: node.getAttribute("title") }));
    ctx.objects.set(name, { name, type: "list", el, items: listItems(ctx, node) });
    return el;
  },
});

register({
  names: ["Ranker"],
  render(node, ctx) {
    const name = node.getAttribute("name") || "ranker";
    const buckets = [...node.children].filter((c) => c.tagName === "Bucket").map((b) => ({ name: b.getAttribute("name"), title: b.getAttribute("title") || b.getAttribute("name") }));
    const el = h("div", { class: "ed-ranker", "data-control": name });
    const control = addControl(ctx, node, "ranker", el);
    const columns = buckets.length ? [{ name: "_", title: "Items" }, ...buckets] : [{ name, title: "" }];

    let shown = null; // the items in the order first shown (shuffled with a seed; see ../order.js)
    function items() {
      const obj = ctx.objects.get(control.toName);
      if (!obj) return [];
      if (!shown) {
        const byId = new Map(obj.items.map((i) => [i.id, i]));
        shown = ctx.presentation.orderFor(name, obj.items.map((i) => i.id)).map((id) => byId.get(id));
      }
      return shown;
    }

    function current() {
      const value = readValue(ctx, control, "ranker") || {};
      const placed = new Set(Object.values(value).flat());
      const out = {};
      for (const c of columns) out[c.name] = [...(value[c.name] || [])];
      const rest = items().map((i) => i.id).filter((id) => !placed.has(id));
      out[columns[0].name].push(...rest);
      return out;
    }

    function save(order) {
      const value = {};
      for (const c of columns) if (!buckets.length || c.name !== "_") value[c.name] = order[c.name];
      writeValue(ctx, control, "ranker", value);
    }

    function move(id, toColumn, beforeId) {
      if (ctx.readOnly) return;
      const order = current();
      for (const c of columns) order[c.name] = order[c.name].filter((x) => x !== id);
      const list = order[toColumn];
      const at = beforeId ? list.indexOf(beforeId) : -1;
      if (at >= 0) list.splice(at, 0, id);
      else list.push(id);
      save(order);
    }
    control.move = move;

    function step(id, column, delta) {
      const list = current()[column];
      const at = list.indexOf(id);
      const target = at + delta;
      if (target < 0 || target >= list.length) return;
      const order = current();
      const l = order[column];
      [l[at], l[target]] = [l[target], l[at]];
      save(order);
    }

    let dragging = null;
    ctx.onUpdate(() => {
      const byId = new Map(items().map((i) => [i.id, i]));
      const order = current();
      el.replaceChildren(
        ...columns.map((c) => {
          const col = h("ol", { class: "ed-rank-column", "data-bucket": c.name, "aria-label": c.title || "Ranking" });
          col.addEventListener("dragover", (e) => e.preventDefault());
          col.addEventListener("drop", (e) => {
            e.preventDefault();
            const before = e.target.closest("[data-item]");
            if (dragging) move(dragging, c.name, before && before.dataset.item !== dragging ? before.dataset.item : null);
            dragging = null;
          });
          for (const id of order[c.name]) {
            const item = byId.get(id);
            if (!item) continue;
            const card = itemCard(item);
            card.addEventListener("dragstart", (e) => {
              dragging = id;
              e.dataTransfer.setData("text/plain", id);
            });
            const li = h("li", {}, card, ctx.readOnly ? null : h("span", { class: "ed-rank-move" },
              h("button", { type: "button", "aria-label": `Move ${id} up`, onclick: () => step(id, c.name, -1) }, "↑"),
              h("button", { type: "button", "aria-label": `Move ${id} down`, onclick: () => step(id, c.name, 1) }, "↓")));
            col.append(li);
          }
          return h("section", { class: "ed-rank-bucket" }, c.title ? h("h4", { text: c.title }) : null, col);
        }),
      );
    });
    return el;
  },
});
