// Keyboard first: one keydown listener per editor. Typing in a field never triggers a hotkey. Built in:
// ctrl+z / ctrl+shift+z (or ctrl+y) undo and redo, Delete/Backspace removes the selected region, Escape
// deselects, "?" shows every hotkey.

import { h } from "./dom.js";

function typing(target) {
  if (!target || !target.closest) return false;
  const field = target.closest("input, textarea, select, [contenteditable='true']");
  // a checkbox or radio button keeps the focus after a click; digits must still reach the hotkeys
  return !!field && !(field.tagName === "INPUT" && ["checkbox", "radio", "button", "submit"].includes(field.type));
}

function keyName(event) {
  const parts = [];
  if (event.ctrlKey || event.metaKey) parts.push("ctrl");
  if (event.altKey) parts.push("alt");
  // shift is part of the name for named keys and chords ("ctrl+shift+z"), not for "?" or capitals
  if (event.shiftKey && (event.key.length > 1 || parts.length)) parts.push("shift");
  parts.push(event.key.toLowerCase());
  return parts.join("+");
}

export function installKeys(ctx, root) {
  const { store } = ctx;
  let overlay = null;

  function toggleHelp() {
    if (overlay) {
      overlay.remove();
      overlay = null;
      return;
    }
    const rows = [
      ["ctrl+z", "Undo"],
      ["ctrl+shift+z", "Redo"],
      ["Delete", "Delete the selected region"],
      ["Escape", "Deselect / cancel drawing"],
      ["?", "Show or hide this help"],
      ...ctx.hotkeys.map((k) => [k.key, k.description]),
      ...(ctx.extraHotkeys || []),
    ];
    overlay = h(
      "div",
      { class: "ed-help", role: "dialog", "aria-label": "Keyboard shortcuts" },
      h("h2", { text: "Keyboard shortcuts" }),
      h("table", {}, h("tbody", {}, rows.map(([k, d]) => h("tr", {}, h("td", {}, h("kbd", { text: k })), h("td", { text: d }))))),
      h("button", { type: "button", onclick: toggleHelp }, "Close"),
    );
    root.append(overlay);
  }
  ctx.toggleHelp = toggleHelp;

  function onKey(event) {
    if (!root.isConnected || typing(event.target)) return;
    const key = keyName(event);
    if (key === "?" || key === "shift+?") {
      event.preventDefault();
      toggleHelp();
      return;
    }
    if (key === "escape") {
      if (overlay) toggleHelp();
      else if (ctx.cancelDrawing && ctx.cancelDrawing()) return;
      else if (store.selected) store.select(null);
      return;
    }
    if (ctx.readOnly) return;
    if (key === "ctrl+z") {
      event.preventDefault();
      store.undo();
      return;
    }
    if (key === "ctrl+shift+z" || key === "ctrl+y") {
      event.preventDefault();
      store.redo();
      return;
    }
    if ((key === "delete" || key === "backspace") && store.selected) {
      event.preventDefault();
      store.removeRegion(store.selected);
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const hit = ctx.hotkeys.find((k) => k.key === event.key.toLowerCase() && (!k.scope || !(k.scope.hidden || k.scope.el.hidden)));
    if (hit) {
      event.preventDefault();
      hit.action(event);
    }
  }
  document.addEventListener("keydown", onKey);
  return () => document.removeEventListener("keydown", onKey);
}
