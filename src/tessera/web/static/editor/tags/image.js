// <Image>: the picture with an SVG overlay whose viewBox is 0..100 in both directions, so region geometry is
// drawn straight from Label Studio's percent coordinates. Zoom (buttons, ctrl+wheel), pan (drag the
// background with no tool active), fit. Draw rectangles, polygons (click points, click the first point or
// press Enter to close) and key points; select, move, resize (corner handles) and delete regions.

import { h, svg, colorFor } from "../dom.js";
import { register } from "../registry.js";

const clamp = (v) => Math.min(100, Math.max(0, v));
const round = (v) => Math.round(v * 1e4) / 1e4;

register({
  names: ["Image"],
  render(node, ctx) {
    const name = node.getAttribute("name");
    // valueList="$pages": several images, one shown at a time; regions carry the page as item_index
    const listed = node.getAttribute("valueList") ? ctx.resolve(node.getAttribute("valueList")) : null;
    const pages = Array.isArray(listed) ? listed.map((p) => String(p)) : [ctx.resolve(node.getAttribute("value") || "")];
    const multi = Array.isArray(listed);
    let page = 0;
    const img = h("img", { class: "ed-image-img", alt: node.getAttribute("alt") || "", draggable: "false", referrerpolicy: "no-referrer" });
    const showPage = () => {
      const src = pages[page];
      if (typeof src === "string" && src) img.src = src;
    };
    showPage();
    const overlay = svg("svg", { class: "ed-image-overlay", viewBox: "0 0 100 100", preserveAspectRatio: "none" });
    const stage = h("div", { class: "ed-image-stage" }, img, overlay);
    const viewport = h("div", { class: "ed-image-viewport" }, stage);
    const zoomLabel = h("span", { class: "ed-zoom", text: "100%" });
    const toolbar = h(
      "div",
      { class: "ed-image-toolbar" },
      h("button", { type: "button", "aria-label": "Zoom in", onclick: () => zoomBy(1.25) }, "+"),
      h("button", { type: "button", "aria-label": "Zoom out", onclick: () => zoomBy(0.8) }, "−"),
      h("button", { type: "button", "aria-label": "Fit", onclick: () => fit() }, "Fit"),
      zoomLabel,
    );
    if (multi && pages.length > 1) {
      const pageLabel = h("span", { class: "ed-page", text: `1 / ${pages.length}` });
      const turn = (delta) => {
        page = Math.min(pages.length - 1, Math.max(0, page + delta));
        pageLabel.textContent = `${page + 1} / ${pages.length}`;
        showPage();
        signature = null;
        draw();
      };
      toolbar.append(
        h("button", { type: "button", "aria-label": "Previous page", onclick: () => turn(-1) }, "‹"),
        pageLabel,
        h("button", { type: "button", "aria-label": "Next page", onclick: () => turn(1) }, "›"),
      );
    }
    const el = h("div", { class: "ed-image", "data-object": name }, toolbar, viewport);
    const object = { name, type: "image", el, img, naturalWidth: 0, naturalHeight: 0 };
    ctx.objects.set(name, object);
    let zoom = 1;
    let panX = 0;
    let panY = 0;
    let drawing = null; // polygon being drawn: {points, tool}
    let signature = null;

    img.addEventListener("load", () => {
      object.naturalWidth = img.naturalWidth;
      object.naturalHeight = img.naturalHeight;
      signature = null;
      draw();
    });

    function applyTransform() {
      stage.style.transform = `translate(${panX}px, ${panY}px) scale(${zoom})`;
      zoomLabel.textContent = `${Math.round(zoom * 100)}%`;
    }
    function zoomBy(factor) {
      zoom = Math.min(20, Math.max(0.1, zoom * factor));
      applyTransform();
    }
    function fit() {
      zoom = 1;
      panX = 0;
      panY = 0;
      applyTransform();
    }
    viewport.addEventListener("wheel", (e) => {
      if (!e.ctrlKey) return;
      e.preventDefault();
      zoomBy(e.deltaY < 0 ? 1.1 : 0.9);
    }, { passive: false });

    function toPercent(event) {
      const rect = overlay.getBoundingClientRect();
      return [clamp(((event.clientX - rect.left) / rect.width) * 100), clamp(((event.clientY - rect.top) / rect.height) * 100)];
    }

    function extra() {
      const out = { original_width: object.naturalWidth || img.naturalWidth, original_height: object.naturalHeight || img.naturalHeight, image_rotation: 0 };
      if (multi) out.item_index = page;
      return out;
    }

    function shapeFor(region, selected) {
      const labels = ctx.store.labelsOf(region.id);
      const color = colorFor(labels[0] || "");
      const v = region.value;
      const attrs = { "data-region": region.id, class: "ed-shape" + (selected ? " ed-selected" : ""), stroke: color, fill: color, "vector-effect": "non-scaling-stroke" };
      const group = svg("g", { "data-region": region.id });
      let shape;
      if (Array.isArray(v.points)) {
        shape = svg("polygon", { ...attrs, points: v.points.map((p) => p.join(",")).join(" ") });
      } else if ("width" in v && "height" in v) {
        shape = svg("rect", { ...attrs, x: v.x, y: v.y, width: v.width, height: v.height });
      } else {
        const ratio = object.naturalWidth && object.naturalHeight ? object.naturalWidth / object.naturalHeight : 1;
        const r = Math.max(v.width || 0.6, 0.4);
        shape = svg("ellipse", { ...attrs, cx: v.x, cy: v.y, rx: r, ry: r * ratio });
      }
      shape.append(svg("title", {}));
      shape.lastChild.textContent = labels.join(", ");
      group.append(shape);
      if (selected && !ctx.readOnly && "width" in v && "height" in v) {
        for (const [cx, cy, corner] of [[v.x, v.y, "nw"], [v.x + v.width, v.y, "ne"], [v.x, v.y + v.height, "sw"], [v.x + v.width, v.y + v.height, "se"]]) {
          group.append(svg("rect", { class: "ed-handle", "data-corner": corner, "data-region": region.id, x: cx - 0.6, y: cy - 0.6, width: 1.2, height: 1.2, "vector-effect": "non-scaling-stroke" }));
        }
      }
      return group;
    }

    function draw() {
      const regions = ctx.store.regions(name).filter((r) => !multi || (r.item_index || 0) === page);
      const sig = JSON.stringify(regions.map((r) => [r.id, r.value, ctx.store.labelsOf(r.id)])) + ctx.store.selected + object.naturalWidth;
      if (sig !== signature) {
        signature = sig;
        const frag = document.createDocumentFragment();
        for (const region of regions) frag.append(shapeFor(region, region.id === ctx.store.selected));
        overlay.replaceChildren(frag);
      }
      drawPreview();
      const tool = ctx.activeTool ? ctx.activeTool(name) : null;
      el.classList.toggle("ed-drawing", !!tool);
    }

    let preview = null;
    function drawPreview() {
      if (preview) preview.remove();
      preview = null;
      if (!drawing) return;
      preview = svg("polyline", { class: "ed-preview", points: drawing.points.map((p) => p.join(",")).join(" "), "vector-effect": "non-scaling-stroke" });
      overlay.append(preview);
    }

    function closePolygon() {
      if (!drawing || drawing.points.length < 3) return false;
      const { tool } = drawing;
      const points = drawing.points.map(([x, y]) => [round(x), round(y)]);
      drawing = null;
      tool.control.addRegion({ points, closed: true }, name, extra(), tool.key || tool.control.type, tool.key && tool.key !== tool.control.type ? "labels" : tool.control.type);
      return true;
    }
    ctx.cancelDrawing = () => {
      if (!drawing) return false;
      drawing = null;
      drawPreview();
      return true;
    };
    ctx.addHotkey("enter", "Close the polygon being drawn", () => closePolygon() || null);

    // One pointer gesture at a time: drawing a box, moving or resizing a region, or panning.
    let gesture = null;

    overlay.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      const [x, y] = toPercent(event);
      const target = event.target;
      const regionId = target.dataset ? target.dataset.region : null;
      const tool = ctx.readOnly ? null : ctx.activeTool(name);
      if (target.classList.contains("ed-handle") && !ctx.readOnly) {
        const region = ctx.store.regions(name).find((r) => r.id === regionId);
        if (!region) return;
        gesture = { kind: "resize", corner: target.dataset.corner, region, start: { ...region.value } };
      } else if (regionId && !drawing && !(tool && tool.tool === "keypoint")) {
        if (ctx.store.selected !== regionId) ctx.selectRegion(regionId);
        const region = ctx.store.regions(name).find((r) => r.id === regionId);
        if (region && !ctx.readOnly) gesture = { kind: "move", region, from: [x, y], start: structuredClone(region.value) };
      } else if (tool && tool.tool === "rectangle") {
        gesture = { kind: "draw", tool, from: [x, y], rect: svg("rect", { class: "ed-preview", x, y, width: 0, height: 0, "vector-effect": "non-scaling-stroke" }) };
        overlay.append(gesture.rect);
      } else if (tool && tool.tool === "polygon") {
        if (drawing && drawing.points.length >= 3) {
          const [fx, fy] = drawing.points[0];
          if (Math.hypot(fx - x, fy - y) < 1.5) {
            closePolygon();
            return;
          }
        }
        if (!drawing) drawing = { tool, points: [] };
        drawing.points.push([x, y]);
        drawPreview();
        return;
      } else if (tool && tool.tool === "keypoint") {
        tool.control.addRegion({ x: round(x), y: round(y), width: 0.6 }, name, extra(), tool.key || tool.control.type, tool.key && tool.key !== tool.control.type ? "labels" : tool.control.type);
        return;
      } else {
        if (ctx.store.selected) ctx.store.select(null);
        gesture = { kind: "pan", from: [event.clientX, event.clientY], start: [panX, panY] };
      }
      overlay.setPointerCapture(event.pointerId);
      event.preventDefault();
    });

    overlay.addEventListener("pointermove", (event) => {
      if (!gesture) return;
      const [x, y] = toPercent(event);
      if (gesture.kind === "pan") {
        panX = gesture.start[0] + event.clientX - gesture.from[0];
        panY = gesture.start[1] + event.clientY - gesture.from[1];
        applyTransform();
      } else if (gesture.kind === "draw") {
        const [x0, y0] = gesture.from;
        gesture.box = { x: Math.min(x0, x), y: Math.min(y0, y), width: Math.abs(x - x0), height: Math.abs(y - y0) };
        for (const [k, v] of Object.entries(gesture.box)) gesture.rect.setAttribute(k, v);
      } else {
        gesture.value = moved(gesture, x, y);
        const shape = overlay.querySelector(`[data-region="${CSS.escape(gesture.region.id)}"] .ed-shape, .ed-shape[data-region="${CSS.escape(gesture.region.id)}"]`);
        if (shape && gesture.value) {
          const v = gesture.value;
          if (shape.tagName === "rect") for (const k of ["x", "y", "width", "height"]) shape.setAttribute(k, v[k]);
          else if (shape.tagName === "polygon") shape.setAttribute("points", v.points.map((p) => p.join(",")).join(" "));
          else {
            shape.setAttribute("cx", v.x);
            shape.setAttribute("cy", v.y);
          }
        }
      }
    });

    function moved(g, x, y) {
      const s = g.start;
      if (g.kind === "resize") {
        let x1 = s.x;
        let y1 = s.y;
        let x2 = s.x + s.width;
        let y2 = s.y + s.height;
        if (g.corner.includes("w")) x1 = x;
        if (g.corner.includes("e")) x2 = x;
        if (g.corner.includes("n")) y1 = y;
        if (g.corner.includes("s")) y2 = y;
        return { ...s, x: round(Math.min(x1, x2)), y: round(Math.min(y1, y2)), width: round(Math.abs(x2 - x1)), height: round(Math.abs(y2 - y1)) };
      }
      let dx = x - g.from[0];
      let dy = y - g.from[1];
      if (Array.isArray(s.points)) {
        const xs = s.points.map((p) => p[0]);
        const ys = s.points.map((p) => p[1]);
        dx = Math.min(Math.max(dx, -Math.min(...xs)), 100 - Math.max(...xs));
        dy = Math.min(Math.max(dy, -Math.min(...ys)), 100 - Math.max(...ys));
        return { ...s, points: s.points.map(([px, py]) => [round(px + dx), round(py + dy)]) };
      }
      const w = s.width && "height" in s ? s.width : 0;
      const hgt = s.height || 0;
      return { ...s, x: round(Math.min(Math.max(s.x + dx, 0), 100 - w)), y: round(Math.min(Math.max(s.y + dy, 0), 100 - hgt)) };
    }

    overlay.addEventListener("pointerup", () => {
      const g = gesture;
      gesture = null;
      if (!g) return;
      if (g.kind === "draw") {
        g.rect.remove();
        const b = g.box;
        if (!b || b.width < 0.3 || b.height < 0.3) return;
        const { tool } = g;
        const geometry = { x: round(b.x), y: round(b.y), width: round(b.width), height: round(b.height), rotation: 0 };
        tool.control.addRegion(geometry, name, extra(), tool.key || tool.control.type, tool.key && tool.key !== tool.control.type ? "labels" : tool.control.type);
      } else if ((g.kind === "move" || g.kind === "resize") && g.value) {
        const id = g.region.id;
        const geometry = g.value;
        ctx.store.change((items) => {
          for (const item of items) {
            if (item.id !== id || !item.value) continue;
            for (const k of ["x", "y", "width", "height", "points"]) if (k in geometry && k in item.value) item.value[k] = geometry[k];
          }
        }, [id]);
      }
    });

    ctx.onUpdate(draw);
    return el;
  },
});
