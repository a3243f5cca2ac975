// <Choices>: single (checkbox look, one at a time), single-radio, multiple; inline or vertical; perRegion;
// hotkeys from the config or 1–9 for the first control without its own. The stored value is the alias when
// a choice has one. `ctx.onChoice` lets the labeling page submit on a choice (one key press per task).

import { h, truthy } from "../dom.js";
import { register } from "../registry.js";
import { addControl, readValue, writeValue } from "../controls.js";
import { sanitizedFragment } from "../html.js";

register({
  names: ["Choices"],
  render(node, ctx) {
    const mode = node.getAttribute("choice") || "single";
    const multiple = mode === "multiple";
    const inline = truthy(node.getAttribute("showInline"));
    const name = node.getAttribute("name") || "choices";
    const el = h("fieldset", { class: "ed-choices" + (inline ? " ed-inline" : ""), "data-control": name });
    if (node.getAttribute("label") || node.getAttribute("title")) el.append(h("legend", { text: node.getAttribute("label") || node.getAttribute("title") }));
    const control = addControl(ctx, node, "choices", el);
    let options = [...node.children].filter((c) => c.tagName === "Choice").map((c) => ({
      value: c.getAttribute("alias") || c.getAttribute("value") || "",
      label: c.getAttribute("value") || "",
      hotkey: c.getAttribute("hotkey"),
      hint: c.getAttribute("hint"),
      html: c.getAttribute("html"),
      node: c,
    }));
    // value="$options": the choices come from the task
    const dynamic = node.getAttribute("value");
    if (dynamic && dynamic.startsWith("$")) {
      const listed = ctx.resolve(dynamic);
      if (Array.isArray(listed)) options = options.concat(listed.map((o) => (typeof o === "string" ? { value: o, label: o } : { value: String(o.value ?? ""), label: String(o.value ?? ""), html: o.html })));
    }
    control.options = options;

    function toggle(value) {
      if (ctx.readOnly) return;
      const current = readValue(ctx, control, "choices") || [];
      let next;
      if (multiple) next = current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
      else next = current.includes(value) && current.length === 1 ? [] : [value];
      writeValue(ctx, control, "choices", next.length ? next : null);
      if (!multiple && next.length && ctx.onChoice) ctx.onChoice(control, value);
    }
    control.press = toggle;

    const inputType = multiple ? "checkbox" : mode === "single-radio" ? "radio" : "checkbox";
    for (const option of options) {
      const input = h("input", { type: inputType, name: `${name}-${inputType}`, value: option.value });
      // "change", not a prevented "click": the browser restores a prevented click's checked state after the
      // handler, undoing the redraw
      input.addEventListener("change", () => toggle(option.value));
      option.input = input;
      option.keyEl = h("kbd", {});
      // a choice's `html` (config or task) is shown sanitized in place of its value
      const shown = option.html ? h("span", { class: "ed-choice-html" }, sanitizedFragment(option.html)) : option.label;
      const label = h("label", { class: "ed-choice", title: option.hint || null }, input, " ", shown, " ", option.keyEl);
      if (option.node && option.node.getAttribute("style")) label.setAttribute("style", option.node.getAttribute("style"));
      el.append(label);
    }
    if (options.some((o) => o.hotkey)) {
      for (const o of options) if (o.hotkey) ctx.addHotkey(o.hotkey, `${name}: ${o.label}`, () => toggle(o.value), control);
    } else if (!ctx.digitsTaken && options.length && options.length <= 9) {
      ctx.digitsTaken = true;
      options.forEach((o, i) => {
        o.hotkey = String(i + 1);
        ctx.addHotkey(o.hotkey, `${name}: ${o.label}`, () => toggle(o.value), control);
      });
    }
    for (const o of options) if (o.hotkey) o.keyEl.textContent = o.hotkey;

    ctx.onUpdate(() => {
      const current = readValue(ctx, control, "choices") || [];
      for (const o of options) {
        o.input.checked = current.includes(o.value);
        o.input.disabled = ctx.readOnly;
      }
    });
    return el;
  },
});
