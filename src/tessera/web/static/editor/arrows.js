// Relations drawn as arrows: an SVG laid over the editor's body, from one region to another (spans on
// <Text>, <Paragraphs> and <HyperText>, shapes on <Image>: whatever element carries the region's
// data-region), arcing above them, with the relation's direction as arrowheads (right: at the target, left:
// at the source, bi: both, none: neither) and its labels at the top of the arc. Redrawn after every change
// of the annotation and, a frame later, after a scroll, a resize, a zoom, a pan or an image's load. The
// region list selects a relation (ctx.selectedRelation, a key from relationKey); its arrow is highlighted.

import { newId, svg } from "./dom.js";

export const relationKey = (rel) => `${rel.from_id}→${rel.to_id}`;

// A region's element: a shape before its group or handles, else the first mark of a span, else whatever
// else carries it (a chat message).
function elementOf(body, id) {
  const quoted = CSS.escape(id);
  return (
    body.querySelector(`.ed-shape[data-region="${quoted}"]`) ||
    body.querySelector(`mark[data-region="${quoted}"]`) ||
    body.querySelector(`[data-region="${quoted}"]:not(g):not(.ed-handle)`)
  );
}

// Where an arrow meets a region: the top middle of its first box, kept inside an image's viewport when the
// shape is zoomed or panned out of sight; null when the region is not shown.
function anchorOf(el, origin) {
  const rect = el.getClientRects()[0];
  if (!rect || (!rect.width && !rect.height)) return null;
  let x = rect.left + rect.width / 2;
  let y = rect.top;
  const frame = el.closest(".ed-image-viewport");
  if (frame) {
    const f = frame.getBoundingClientRect();
    x = Math.min(f.right, Math.max(f.left, x));
    y = Math.min(f.bottom, Math.max(f.top, y));
  }
  return { x: x - origin.left, y: y - origin.top };
}

function arrowhead(id, className) {
  const marker = svg("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, markerUnits: "userSpaceOnUse", orient: "auto-start-reverse" });
  marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z", class: className }));
  return marker;
}

/** Draw `ctx.store`'s relations over `body`; returns the function that redraws them at once. */
export function installArrows(ctx, body) {
  const plain = `ed-arrowhead-${newId()}`;
  const strong = `ed-arrowhead-${newId()}`;
  const defs = svg("defs");
  defs.append(arrowhead(plain, "ed-arrowhead"), arrowhead(strong, "ed-arrowhead ed-arrowhead-selected"));
  const layer = svg("g");
  const overlay = svg("svg", { class: "ed-arrows", "aria-hidden": "true" });
  overlay.append(defs, layer);
  body.append(overlay);

  function arrow(rel, a, b) {
    const selected = ctx.selectedRelation === relationKey(rel);
    const lift = Math.max(18, Math.abs(a.x - b.x) * 0.2);
    const c = { x: (a.x + b.x) / 2, y: Math.min(a.y, b.y) - lift };
    const line = svg("path", { class: "ed-arrow-line", d: `M${a.x},${a.y} Q${c.x},${c.y} ${b.x},${b.y}` });
    const head = `url(#${selected ? strong : plain})`;
    const direction = rel.direction || "right";
    if (direction === "right" || direction === "bi") line.setAttribute("marker-end", head);
    if (direction === "left" || direction === "bi") line.setAttribute("marker-start", head);
    const group = svg("g", { class: "ed-arrow" + (selected ? " ed-arrow-selected" : ""), "data-from": rel.from_id, "data-to": rel.to_id, "data-direction": direction });
    group.append(line);
    const labels = (rel.labels || []).join(", ");
    if (labels) {
      const text = svg("text", { class: "ed-arrow-label", x: (a.x + 2 * c.x + b.x) / 4, y: (a.y + 2 * c.y + b.y) / 4 - 3, "text-anchor": "middle" });
      text.textContent = labels;
      group.append(text);
    }
    return group;
  }

  function draw() {
    const relations = ctx.store.items.filter((item) => item.type === "relation");
    if (!relations.length && !layer.firstChild) return; // nothing to measure: no layout forced
    const origin = overlay.getBoundingClientRect();
    const arrows = [];
    for (const rel of relations) {
      const [from, to] = [elementOf(body, rel.from_id), elementOf(body, rel.to_id)];
      const a = from && anchorOf(from, origin);
      const b = to && anchorOf(to, origin);
      if (a && b) arrows.push(arrow(rel, a, b));
    }
    layer.replaceChildren(...arrows);
  }

  let frame = 0;
  const later = () => {
    if (!frame) frame = requestAnimationFrame(() => ((frame = 0), draw()));
  };
  const dragged = (event) => event.buttons && later();
  body.addEventListener("scroll", later, true); // scroll and load do not bubble: caught on the way down
  body.addEventListener("load", later, true);
  body.addEventListener("wheel", later, { passive: true });
  body.addEventListener("click", later);
  body.addEventListener("pointermove", dragged);
  body.addEventListener("pointerup", later);
  const resized = new ResizeObserver(later);
  resized.observe(body);
  window.addEventListener("resize", later);
  ctx.onDestroy(() => {
    resized.disconnect();
    window.removeEventListener("resize", later);
    cancelAnimationFrame(frame);
  });
  ctx.onUpdate(draw);
  return draw;
}
