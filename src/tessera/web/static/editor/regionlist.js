// The region list beside the task: select a region (its per-region controls appear and label buttons relabel
// it), delete it, or link it to another region as a relation; pick a relation to highlight its arrow, turn its
// direction, name it.

import { h, colorFor } from "./dom.js";
import { relationKey } from "./arrows.js";

const DIRECTIONS = ["right", "left", "bi", "none"];
const ARROWS = { right: "→", left: "←", bi: "↔", none: "—" };

function describe(ctx, region) {
  const v = region.value;
  const kind = (ctx.objects.get(region.to_name) || {}).type;
  if (kind === "paragraphs" && typeof v.text !== "string") {
    const [a, b] = [Number(v.start) + 1, Number(v.end) + 1];
    return a === b ? `paragraph ${a}` : `paragraphs ${a}–${b}`;
  }
  if (typeof v.messageIndex === "number") return `${(ctx.store.anchors.get(region.id) || {}).role || "message"} message ${v.messageIndex + 1}`;
  if (typeof v.start === "number" && typeof v.text !== "string") return `${v.start}s – ${v.end}s`;
  if (typeof v.text === "string") return v.text.length > 40 ? v.text.slice(0, 40) + "…" : v.text;
  if ("points" in v) return `polygon, ${v.points.length} points`;
  if ("width" in v && "height" in v) return `box ${v.x.toFixed(1)}%, ${v.y.toFixed(1)}%`;
  if ("x" in v) return `point ${v.x.toFixed(1)}%, ${v.y.toFixed(1)}%`;
  return region.type;
}

export function renderRegionList(ctx) {
  const { store } = ctx;
  const list = h("ol", { class: "ed-regions" });
  const relations = h("ul", { class: "ed-relations" });
  const heading = h("h3", { text: "Regions" });
  const panel = h("section", { class: "ed-region-panel" }, heading, list, relations);
  ctx.linking = null;

  function relationLabels() {
    const control = [...ctx.controls.values()].find((c) => c.type === "relations");
    return control ? control.values : [];
  }

  function update() {
    const regions = store.regions();
    panel.hidden = regions.length === 0;
    list.replaceChildren(
      ...regions.map((region) => {
        const labels = store.labelsOf(region.id);
        const row = h(
          "li",
          {
            class: "ed-region" + (store.selected === region.id ? " ed-selected" : "") + (ctx.linking === region.id ? " ed-linking" : ""),
            "data-region": region.id,
            "data-origin": region.origin || "manual",
          },
          h("span", { class: "ed-swatch", style: `background:${colorFor(labels[0] || "")}` }),
          h(
            "button",
            {
              type: "button",
              class: "ed-region-pick",
              onclick: () => pick(region.id),
            },
            `${labels.join(", ") || "(no label)"} · ${describe(ctx, region)}`,
          ),
          ctx.readOnly ? null : h("button", { type: "button", class: "ed-link", title: "Link to another region", onclick: () => startLink(region.id) }, "Link"),
          ctx.readOnly ? null : h("button", { type: "button", class: "ed-delete", "aria-label": "Delete region", onclick: () => store.removeRegion(region.id) }, "✕"),
        );
        return row;
      }),
    );
    const rels = store.items.filter((i) => i.type === "relation");
    const names = relationLabels();
    // Edit the index-th relation of the list in place (its arrow follows: arrows.js).
    const edit = (index, fn) => store.change((items) => fn(items.filter((i) => i.type === "relation")[index]));
    relations.replaceChildren(
      ...rels.map((rel, index) =>
        h(
          "li",
          { class: "ed-relation" + (ctx.selectedRelation === relationKey(rel) ? " ed-selected" : ""), "data-from": rel.from_id, "data-to": rel.to_id },
          h("button", { type: "button", class: "ed-relation-pick", title: "Show its arrow", onclick: () => pickRelation(rel) }, `${rel.from_id} ${ARROWS[rel.direction || "right"]} ${rel.to_id}`),
          ctx.readOnly
            ? null
            : h("button", {
                type: "button",
                class: "ed-relation-direction",
                "aria-label": "Change the relation's direction",
                onclick: () => edit(index, (target) => (target.direction = DIRECTIONS[(DIRECTIONS.indexOf(target.direction || "right") + 1) % DIRECTIONS.length])),
              }, "⇄"),
          names.length
            ? h(
                "select",
                {
                  "aria-label": "Relation label",
                  onchange: (e) => edit(index, (target) => (target.labels = e.target.value ? [e.target.value] : [])),
                },
                h("option", { value: "" }, "—"),
                names.map((n) => h("option", { value: n, selected: (rel.labels || []).includes(n) }, n)),
              )
            : null,
          ctx.readOnly ? null : h("button", { type: "button", "aria-label": "Delete relation", onclick: () => store.change((items) => items.splice(items.indexOf(items.filter((i) => i.type === "relation")[index]), 1)) }, "✕"),
        ),
      ),
    );
  }

  function pickRelation(rel) {
    const key = relationKey(rel);
    ctx.selectedRelation = ctx.selectedRelation === key ? null : key;
    update();
    ctx.redrawArrows();
  }

  function startLink(id) {
    ctx.linking = ctx.linking === id ? null : id;
    update();
  }

  function pick(id) {
    if (ctx.linking && ctx.linking !== id) {
      const from = ctx.linking;
      ctx.linking = null;
      store.change((items) => items.push({ from_id: from, to_id: id, type: "relation", direction: "right", labels: [] }));
      return;
    }
    ctx.selectRegion(id);
  }

  ctx.selectRegion = (id) => {
    if (ctx.linking && ctx.linking !== id && id) {
      pick(id);
      return;
    }
    store.select(store.selected === id ? null : id);
  };
  ctx.onUpdate(update);
  return panel;
}
