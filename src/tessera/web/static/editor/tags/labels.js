// <Labels>, <RectangleLabels>, <PolygonLabels>, <KeyPointLabels>, <ParagraphLabels>, <HyperTextLabels> and the
// bare tools <Rectangle>, <Polygon>, <KeyPoint>. Label buttons pick the label the next region gets; with a region
// selected they relabel it. The objects (text.js, image.js, paragraphs.js, hypertext.js) ask
// `ctx.activeLabels(name)` / `ctx.activeTool(name)` what to draw.

import { h, colorFor, newId, truthy } from "../dom.js";
import { register } from "../registry.js";
import { addControl } from "../controls.js";

const TOOL_OF = { rectanglelabels: "rectangle", polygonlabels: "polygon", keypointlabels: "keypoint", rectangle: "rectangle", polygon: "polygon", keypoint: "keypoint" };

function ensureLookups(ctx) {
  if (ctx.activeLabels) return;
  ctx.activeLabels = (objectName) =>
    [...ctx.controls.values()].find((c) => c.isLabels && c.toNames.includes(objectName) && c.active.size) || null;
  // What a press on the image draws: a *Labels control with an active label, or <Labels> with an active
  // label drawing with the object's bare tool, or a bare tool switched on without a label.
  ctx.activeTool = (objectName) => {
    const labels = ctx.activeLabels(objectName);
    const tools = [...ctx.controls.values()].filter((c) => c.isTool && c.toNames.includes(objectName));
    if (labels && TOOL_OF[labels.type]) return { tool: TOOL_OF[labels.type], control: labels, labels: [...labels.active], key: labels.type };
    if (labels) {
      const tool = tools.find((t) => t.on) || tools[0];
      if (tool) return { tool: TOOL_OF[tool.type], control: labels, labels: [...labels.active], key: `${TOOL_OF[tool.type]}labels` };
    }
    const bare = tools.find((t) => t.on);
    if (bare) return { tool: TOOL_OF[bare.type], control: bare, labels: null, key: null };
    return null;
  };
}

function assignDigits(ctx, control, values) {
  for (const v of values) if (v.hotkey) ctx.addHotkey(v.hotkey, `${control.name}: ${v.value}`, () => control.press(v.value), control);
  if (values.some((v) => v.hotkey) || ctx.digitsTaken || values.length > 9) return;
  ctx.digitsTaken = true;
  values.forEach((v, i) => {
    v.hotkey = String(i + 1);
    ctx.addHotkey(v.hotkey, `${control.name}: ${v.value}`, () => control.press(v.value), control);
  });
}

function renderLabels(node, ctx) {
  ensureLookups(ctx);
  const type = node.tagName.toLowerCase();
  const values = [...node.children]
    .filter((c) => c.tagName === "Label")
    .map((c) => ({ value: c.getAttribute("value") || "", alias: c.getAttribute("alias"), hotkey: c.getAttribute("hotkey"), color: colorFor(c.getAttribute("value"), c.getAttribute("background")) }));
  // value="$field": labels listed by the task (strings or {value, background})
  const dynamic = node.getAttribute("value");
  if (dynamic && dynamic.startsWith("$")) {
    const listed = ctx.resolve(dynamic);
    for (const entry of Array.isArray(listed) ? listed : []) {
      const value = typeof entry === "string" ? entry : entry && entry.value !== undefined ? String(entry.value) : null;
      if (value !== null) values.push({ value, alias: null, hotkey: null, color: colorFor(value, entry && entry.background) });
    }
  }
  const el = h("div", { class: "ed-labels", role: "toolbar", "aria-label": node.getAttribute("name"), "data-type": type });
  const multiple = node.getAttribute("choice") === "multiple";
  const control = addControl(ctx, node, type, el, { isLabels: true, active: new Set(), values });

  // Adds a region made by an object with this control's active labels.
  control.addRegion = (geometry, objectName, extra = {}, resultType = type, key = type) => {
    const id = newId();
    const labels = [...control.active];
    const item = { id, from_name: control.name, to_name: objectName, type: resultType, origin: "manual", ...extra, value: { ...geometry, [key]: labels } };
    ctx.store.change((items) => items.push(item));
    if (!truthy(node.getAttribute("keepActive") ?? "true")) control.active.clear();
    return id;
  };

  control.press = (value) => {
    if (ctx.readOnly) return;
    const selected = ctx.store.selected;
    const own = selected && ctx.store.items.find((i) => i.id === selected && i.from_name === control.name);
    if (own) {
      const key = Object.keys(own.value).find((k) => k.endsWith("labels"));
      ctx.store.change((items) => {
        const item = items.find((i) => i === own) || items.find((i) => i.id === selected && i.from_name === control.name);
        const current = item.value[key] || [];
        item.value = { ...item.value, [key]: multiple ? (current.includes(value) ? current.filter((v) => v !== value) : [...current, value]) : [value] };
      }, [selected]);
      return;
    }
    if (control.active.has(value)) control.active.delete(value);
    else {
      if (!multiple) control.active.clear();
      control.active.add(value);
      // one active label set at a time across controls of the same object
      for (const other of ctx.controls.values()) if (other !== control && other.isLabels && other.toNames.some((n) => control.toNames.includes(n))) other.active.clear();
    }
    ctx.store.emit();
  };

  for (const v of values) {
    const button = h("button", { type: "button", class: "ed-label", "data-value": v.value, style: `--label-color:${v.color}`, onclick: () => control.press(v.value) }, v.value);
    v.button = button;
    el.append(button);
  }
  assignDigits(ctx, control, values);
  for (const v of values) if (v.hotkey) v.button.append(h("kbd", { text: v.hotkey }));
  ctx.onUpdate(() => {
    const selected = ctx.store.selected;
    const own = selected ? ctx.store.items.find((i) => i.id === selected && i.from_name === control.name) : null;
    const shown = own ? new Set(ctx.store.labelsOf(selected)) : control.active;
    for (const v of values) v.button.setAttribute("aria-pressed", shown.has(v.value) ? "true" : "false");
  });
  return el;
}

function renderTool(node, ctx) {
  ensureLookups(ctx);
  const type = node.tagName.toLowerCase();
  const button = h("button", { type: "button", class: "ed-tool", "aria-pressed": "false" }, node.tagName);
  const el = h("div", { class: "ed-tools" }, button);
  const control = addControl(ctx, node, type, el, { isTool: true, on: false });
  control.addRegion = (geometry, objectName, extra = {}) => {
    const id = newId();
    ctx.store.change((items) => items.push({ id, from_name: control.name, to_name: objectName, type, origin: "manual", ...extra, value: { ...geometry } }));
    return id;
  };
  button.addEventListener("click", () => {
    control.on = !control.on;
    for (const other of ctx.controls.values()) if (other !== control && other.isTool) other.on = false;
    ctx.store.emit();
  });
  ctx.onUpdate(() => button.setAttribute("aria-pressed", control.on ? "true" : "false"));
  return el;
}

register({ names: ["Labels", "RectangleLabels", "PolygonLabels", "KeyPointLabels", "ParagraphLabels", "HyperTextLabels"], render: renderLabels });
register({ names: ["Rectangle", "Polygon", "KeyPoint"], render: renderTool });
