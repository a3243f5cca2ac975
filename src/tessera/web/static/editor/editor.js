// The labeling editor: parses a Label Studio labeling config, renders one view per tag (modules under tags/),
// and keeps the annotation as a list of Label Studio result items in a Store with undo/redo.
//
//   const editor = createEditor(element, {config, task, result, predictions, readOnly, onChange});
//   editor.getResult(); editor.validate(); editor.destroy();
// Also: setResult(items), undo(), redo(), toggleHelp(); options onChoice(control, value) (a single choice was
// made: the page may submit), hotkeyHelp ([[key, description]] the page adds to the overlay) and
// chatComplete({llm, messages, chatName}) -> Promise<{role, content, meta}> (a <Chat llm="..."> asks it for replies).
// For comparisons, options shuffleSeed (shuffle Pairwise sides and Ranker items, stable per seed) and presentation
// (an order recorded before, shown again); getPresentation() gives the order shown, to store with the annotation.

import { h } from "./dom.js";
import { lookup } from "./registry.js";
import { Store } from "./store.js";
import { installKeys } from "./keys.js";
import { applyVisibility } from "./visibility.js";
import { renderRegionList } from "./regionlist.js";
import { installArrows } from "./arrows.js";
import { Presentation } from "./order.js";
import "./tags/index.js";

function parseConfig(xml) {
  const doc = new DOMParser().parseFromString(String(xml || ""), "application/xml");
  const error = doc.querySelector("parsererror");
  if (error) throw new Error(`The labeling config is not valid XML: ${error.textContent.split("\n")[0]}`);
  return doc.documentElement;
}

function lookupPath(data, path) {
  let value = data;
  for (const part of path.split(".")) {
    if (value === null || value === undefined) return undefined;
    value = value[part];
  }
  return value;
}

// Predictions become the starting annotation when there is none: the first prediction's items, marked as
// coming from the model so that an edit turns them into "prediction-changed".
function startingItems(result, predictions) {
  if (Array.isArray(result) && result.length) {
    return structuredClone(result).map((item) => (item.type === "relation" || item.origin ? item : { ...item, origin: "manual" }));
  }
  const prediction = (predictions || []).find((p) => Array.isArray(p.result) && p.result.length);
  if (!prediction) return [];
  return structuredClone(prediction.result).map((item) => (item.type === "relation" ? item : { ...item, origin: "prediction" }));
}

export function createEditor(element, options = {}) {
  const { config, task, result = null, predictions = [], readOnly = false, onChange = null } = options;
  const data = (task && task.data) || {};
  const store = new Store(startingItems(result, predictions));
  const root = h("div", { class: "ed-root" + (readOnly ? " ed-readonly" : "") });
  const body = h("div", { class: "ed-body" });
  const side = h("aside", { class: "ed-side", "aria-label": "Regions" });
  root.append(body, side);
  const updaters = [];
  const cleanups = [];

  const ctx = {
    data,
    task,
    store,
    readOnly,
    objects: new Map(),
    controls: new Map(),
    visibleNodes: [],
    hotkeys: [],
    digitsTaken: false,
    onChoice: options.onChoice || null,
    presentation: new Presentation({ given: options.presentation, seed: options.shuffleSeed }),
    chatComplete: options.chatComplete || null,
    extraHotkeys: options.hotkeyHelp || [],
    // "$field" (or "$a.b") is the task's field; other strings get their "$field"s filled in.
    resolve(value) {
      if (typeof value !== "string") return value;
      const whole = /^\$([\w.-]+)$/.exec(value.trim());
      if (whole) return lookupPath(data, whole[1]);
      return value.replace(/\$([\w]+)/g, (m, name) => (name in data ? String(data[name]) : m));
    },
    onUpdate(fn) {
      updaters.push(fn);
    },
    onDestroy(fn) {
      cleanups.push(fn);
    },
    addHotkey(key, description, action, scope = null) {
      ctx.hotkeys.push({ key: key.toLowerCase(), description, action, scope });
    },
    controlsFor(objectName, kinds = null) {
      return [...ctx.controls.values()].filter(
        (c) => c.toNames.includes(objectName) && (!kinds || kinds.includes(c.type)),
      );
    },
    renderChildren(node, into) {
      for (const child of node.children) {
        const el = renderNode(child);
        if (el) into.append(el);
      }
    },
  };

  function renderNode(node) {
    const module = lookup(node.tagName);
    let el;
    if (!module) {
      el = h("div", { class: "ed-unsupported", role: "note" }, `<${node.tagName}> is not supported by this editor yet`);
    } else {
      el = module.render(node, ctx);
    }
    if (el && node.getAttribute("visibleWhen")) ctx.visibleNodes.push({ node, el });
    return el;
  }

  ctx.renderChildren({ children: [parseConfig(config)] }, body);
  const regionList = renderRegionList(ctx);
  side.append(regionList);
  ctx.redrawArrows = installArrows(ctx, body); // after the objects' updaters, so it measures what they drew
  element.replaceChildren(root);

  let notify = true;
  const unsubscribe = store.subscribe(() => {
    for (const fn of updaters) fn();
    applyVisibility(ctx);
    if (notify && onChange) onChange(api);
  });
  for (const fn of updaters) fn();
  applyVisibility(ctx);
  const removeKeys = installKeys(ctx, root);

  const api = {
    store,
    hotkeys: ctx.hotkeys,
    getResult() {
      return JSON.parse(JSON.stringify(store.items));
    },
    setResult(items) {
      notify = false;
      store.reset(structuredClone(items || []));
      notify = true;
    },
    getPresentation: () => ctx.presentation.recorded(),
    validate() {
      const messages = [];
      for (const control of ctx.controls.values()) {
        if (control.hidden || !control.required) continue;
        const message = control.missing ? control.missing() : null;
        if (message) messages.push(message);
      }
      return messages;
    },
    toggleHelp: () => ctx.toggleHelp(),
    undo: () => store.undo(),
    redo: () => store.redo(),
    destroy() {
      unsubscribe();
      removeKeys();
      for (const fn of cleanups) fn();
      element.replaceChildren();
    },
  };
  return api;
}
