// Conditional display: `visibleWhen` with `whenTagName` / `whenChoiceValue` / `whenLabelValue` / `whenRole`
// (the selected chat message's role), and
// per-region controls, which show only while a region of their object is selected. Hidden controls are not
// required.

function selectedChoices(ctx, tagName) {
  const values = [];
  for (const item of ctx.store.items) {
    if (tagName && item.from_name !== tagName) continue;
    if (item.value && Array.isArray(item.value.choices)) values.push(...item.value.choices);
    if (item.value && Array.isArray(item.value.taxonomy)) for (const path of item.value.taxonomy) values.push(...path);
  }
  return values;
}

function visible(ctx, node) {
  const when = node.getAttribute("visibleWhen");
  if (!when) return true;
  const tagName = node.getAttribute("whenTagName");
  const wanted = (node.getAttribute("whenChoiceValue") || "").split(",").map((s) => s.trim()).filter(Boolean);
  const labelsWanted = (node.getAttribute("whenLabelValue") || "").split(",").map((s) => s.trim()).filter(Boolean);
  const { store } = ctx;
  if (when === "choice-selected" || when === "choice-unselected") {
    const chosen = selectedChoices(ctx, tagName);
    const hit = wanted.length ? wanted.some((w) => chosen.includes(w)) : chosen.length > 0;
    return when === "choice-selected" ? hit : !hit;
  }
  if (when === "region-selected") {
    if (!store.selected) return false;
    const region = store.region(store.selected);
    if (!region) return false;
    const roles = (node.getAttribute("whenRole") || "").split(",").map((s) => s.trim()).filter(Boolean);
    if (roles.length && !roles.includes(region.role)) return false;
    const tagged = region.to_name === tagName || store.items.some((i) => i.id === region.id && (i.from_name === tagName || i.to_name === tagName));
    if (tagName && !tagged) return false;
    if (labelsWanted.length) return store.labelsOf(region.id).some((l) => labelsWanted.includes(l));
    return true;
  }
  if (when === "no-region-selected") return !store.selected;
  return true;
}

export function applyVisibility(ctx) {
  const hiddenEls = new Set();
  for (const { node, el } of ctx.visibleNodes) {
    const show = visible(ctx, node);
    el.hidden = !show;
    if (!show) hiddenEls.add(el);
  }
  const selected = ctx.store.region(ctx.store.selected);
  for (const control of ctx.controls.values()) {
    let hidden = false;
    if (control.perRegion) {
      const show = !!selected && control.toNames.includes(selected.to_name);
      control.el.hidden = !show; // still required: every region needs an answer, selected or not
    }
    for (const el of hiddenEls) if (el.contains(control.el)) hidden = true;
    control.hidden = hidden;
  }
}
