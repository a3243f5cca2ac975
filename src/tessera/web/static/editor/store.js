// The annotation being edited: a list of result items in Label Studio's own JSON, plus which region is selected.
// Every change goes through `change()`, which keeps a snapshot for undo, marks edited prediction items as
// "prediction-changed", and tells the listeners (the tag views) to redraw.

const REGION_KEYS = ["start", "end", "text", "x", "y", "width", "height", "rotation", "points", "closed",
  "startOffset", "endOffset", "globalOffsets", "paragraphlabels"];

export class Store {
  constructor(items = []) {
    this.items = items;
    this.selected = null;
    this.undoStack = [];
    this.redoStack = [];
    this.listeners = new Set();
  }

  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit() {
    for (const fn of this.listeners) fn(this);
  }

  reset(items) {
    this.items = items;
    this.selected = null;
    this.undoStack = [];
    this.redoStack = [];
    this.emit();
  }

  // `mutate(items)` edits the list in place; `touched` ids turn prediction items into prediction-changed.
  change(mutate, touched = []) {
    this.undoStack.push(JSON.stringify(this.items));
    if (this.undoStack.length > 200) this.undoStack.shift();
    this.redoStack = [];
    mutate(this.items);
    for (const item of this.items) {
      if (touched.includes(item.id) && item.origin === "prediction") item.origin = "prediction-changed";
    }
    if (this.selected && !this.items.some((i) => i.id === this.selected)) this.selected = null;
    this.emit();
  }

  undo() {
    if (!this.undoStack.length) return false;
    this.redoStack.push(JSON.stringify(this.items));
    this.items = JSON.parse(this.undoStack.pop());
    if (this.selected && !this.items.some((i) => i.id === this.selected)) this.selected = null;
    this.emit();
    return true;
  }

  redo() {
    if (!this.redoStack.length) return false;
    this.undoStack.push(JSON.stringify(this.items));
    this.items = JSON.parse(this.redoStack.pop());
    this.emit();
    return true;
  }

  select(id) {
    this.selected = id;
    this.emit();
  }

  // The item a whole-task control wrote (not tied to a region).
  classification(fromName) {
    return this.items.find((i) => i.from_name === fromName && !isRegionValue(i.value));
  }

  forRegion(id, fromName) {
    return this.items.find((i) => i.id === id && i.from_name === fromName);
  }

  // Regions: the items that carry geometry or a span, one entry per region id (its first item).
  regions(toName = null) {
    const seen = new Map();
    for (const item of this.items) {
      if (item.type === "relation" || !isRegionValue(item.value)) continue;
      if (toName && item.to_name !== toName) continue;
      if (!seen.has(item.id)) seen.set(item.id, item);
    }
    return [...seen.values()];
  }

  // All labels of a region, across the items that share its id.
  labelsOf(id) {
    const out = [];
    for (const item of this.items) {
      if (item.id !== id || !item.value) continue;
      for (const [key, value] of Object.entries(item.value)) {
        if (key.endsWith("labels") && Array.isArray(value)) out.push(...value);
      }
    }
    return out;
  }

  removeRegion(id) {
    this.change((items) => {
      for (let i = items.length - 1; i >= 0; i--) {
        const it = items[i];
        if (it.id === id || (it.type === "relation" && (it.from_id === id || it.to_id === id))) items.splice(i, 1);
      }
    });
  }
}

export function isRegionValue(value) {
  return !!value && ("start" in value || "x" in value || "points" in value);
}

// The geometry part of a region's value, copied into the items of per-region controls.
export function regionGeometry(value) {
  const out = {};
  for (const key of REGION_KEYS) if (value && key in value) out[key] = structuredClone(value[key]);
  delete out.paragraphlabels;
  return out;
}
