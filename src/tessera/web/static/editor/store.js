// The annotation being edited: a list of result items in Label Studio's own JSON, plus which region is selected.
// Every change goes through `change()`, which keeps a snapshot for undo, marks edited prediction items as
// "prediction-changed", and tells the listeners (the tag views) to redraw.

const REGION_KEYS = ["start", "end", "text", "x", "y", "width", "height", "rotation", "points", "closed",
  "startOffset", "endOffset", "globalOffsets", "paragraphlabels", "messageIndex"];

export class Store {
  constructor(items = []) {
    this.items = items;
    this.selected = null;
    this.undoStack = [];
    this.redoStack = [];
    this.listeners = new Set();
    // Regions an object shows before any item names them (a chat's messages): id -> {id, to_name, value, role}
    this.anchors = new Map();
    // Functions an object runs on the items after every change, before the views redraw (keep indexes right)
    this.fixups = [];
  }

  // After any change of the items: the objects' fixups, then drop a selection whose region is gone.
  settle() {
    for (const fn of this.fixups) fn(this.items);
    if (this.selected && !this.anchors.has(this.selected) && !this.items.some((i) => i.id === this.selected)) this.selected = null;
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
    this.settle();
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
    this.settle();
    this.emit();
  }

  undo() {
    if (!this.undoStack.length) return false;
    this.redoStack.push(JSON.stringify(this.items));
    this.items = JSON.parse(this.undoStack.pop());
    this.settle();
    this.emit();
    return true;
  }

  redo() {
    if (!this.redoStack.length) return false;
    this.undoStack.push(JSON.stringify(this.items));
    this.items = JSON.parse(this.redoStack.pop());
    this.settle();
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

  // The region with this id: an object's anchor (it knows more, e.g. a message's role) or an item region.
  region(id) {
    if (!id) return null;
    return this.anchors.get(id) || this.regions().find((r) => r.id === id) || null;
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
  return !!value && ("start" in value || "x" in value || "points" in value || "messageIndex" in value);
}

// The geometry part of a region's value, copied into the items of per-region controls.
export function regionGeometry(value) {
  const out = {};
  for (const key of REGION_KEYS) if (value && key in value) out[key] = structuredClone(value[key]);
  delete out.paragraphlabels;
  return out;
}
