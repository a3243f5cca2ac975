// What every control shares: its entry in ctx.controls (for validation, visibility and hotkeys) and the
// `required` check with the config's own message.

import { truthy } from "./dom.js";

export function addControl(ctx, node, type, el, extra = {}) {
  const name = node.getAttribute("name") || `${type}-${ctx.controls.size}`;
  const toNames = (node.getAttribute("toName") || "").split(",").map((s) => s.trim()).filter(Boolean);
  const control = {
    name,
    node,
    type,
    el,
    toNames,
    toName: toNames[0] || name,
    required: truthy(node.getAttribute("required")),
    perRegion: truthy(node.getAttribute("perRegion")),
    hidden: false,
    missing() {
      const text = node.getAttribute("requiredMessage") || `"${name}" needs an answer`;
      if (!control.perRegion) return ctx.store.items.some((i) => i.from_name === name) ? null : text;
      const regions = ctx.store.regions().filter((r) => control.toNames.includes(r.to_name));
      return regions.every((r) => ctx.store.forRegion(r.id, name)) ? null : text;
    },
    ...extra,
  };
  ctx.controls.set(name, control);
  if (control.perRegion) el.classList.add("ed-per-region");
  return control;
}

// Sets a control's value: for the whole task, or for the selected region when the control is perRegion.
// `value` null removes the control's item.
export function writeValue(ctx, control, key, value, resultType = control.type) {
  const { store } = ctx;
  if (control.perRegion) {
    const regionId = store.selected;
    const region = store.region(regionId);
    if (!region) return;
    store.change((items) => {
      const index = items.findIndex((i) => i.id === regionId && i.from_name === control.name);
      if (value === null) {
        if (index >= 0) items.splice(index, 1);
        return;
      }
      const geometry = regionGeometryOf(region);
      const item = {
        id: regionId,
        from_name: control.name,
        to_name: region.to_name,
        type: resultType,
        origin: "manual",
        value: { ...geometry, [key]: value },
      };
      if (region.original_width) {
        item.original_width = region.original_width;
        item.original_height = region.original_height;
        item.image_rotation = 0;
      }
      if (index >= 0) items[index] = { ...items[index], value: item.value };
      else items.push(item);
    }, [regionId]);
    return;
  }
  const current = store.classification(control.name);
  store.change((items) => {
    const index = current ? items.indexOf(current) : -1;
    if (value === null) {
      if (index >= 0) items.splice(index, 1);
      return;
    }
    if (index >= 0) items[index] = { ...items[index], value: { ...items[index].value, [key]: value } };
    else items.push({ id: newItemId(), from_name: control.name, to_name: control.toName, type: resultType, origin: "manual", value: { [key]: value } });
  }, current ? [current.id] : []);
}

// The value a control shows: the selected region's item for perRegion controls, else its whole-task item.
export function readValue(ctx, control, key) {
  const { store } = ctx;
  const item = control.perRegion ? (store.selected ? store.forRegion(store.selected, control.name) : null) : store.classification(control.name);
  return item && item.value ? item.value[key] : undefined;
}

function regionGeometryOf(region) {
  const out = {};
  for (const [k, v] of Object.entries(region.value)) if (!k.endsWith("labels") && k !== "choices") out[k] = structuredClone(v);
  return out;
}

function newItemId() {
  return Math.random().toString(36).slice(2, 12);
}
