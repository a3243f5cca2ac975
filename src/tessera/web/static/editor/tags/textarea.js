// <TextArea>: free text. Enter adds the typed text (shift+Enter for a new line when rows > 1), up to
// `maxSubmissions` entries; `editable` entries can be changed in place; perRegion writes to the selected region.
// Tessera's `prefillFrom="<Pairwise name>"` ("write a better reply"): once a side is chosen, the input holds the
// chosen reply's text to edit, until the annotator types something of their own.

import { h, truthy } from "../dom.js";
import { register } from "../registry.js";
import { addControl, readValue, writeValue } from "../controls.js";

register({
  names: ["TextArea"],
  render(node, ctx) {
    const name = node.getAttribute("name") || "textarea";
    const rows = parseInt(node.getAttribute("rows") || "1", 10) || 1;
    const max = parseInt(node.getAttribute("maxSubmissions") || "0", 10) || 0;
    const editable = truthy(node.getAttribute("editable"));
    const placeholder = node.getAttribute("placeholder") || "";
    const field = rows > 1 ? h("textarea", { rows, placeholder, "aria-label": node.getAttribute("label") || name }) : h("input", { type: "text", placeholder, "aria-label": node.getAttribute("label") || name });
    const add = h("button", { type: "button", class: "ed-add" }, "Add");
    const list = h("ul", { class: "ed-texts" });
    const el = h("div", { class: "ed-textarea", "data-control": name }, list, h("div", { class: "ed-textarea-input" }, field, add));
    const control = addControl(ctx, node, "textarea", el);
    const initial = node.getAttribute("value");

    function submit() {
      const text = field.value.trim();
      if (!text || ctx.readOnly) return;
      const current = readValue(ctx, control, "text") || [];
      if (max && current.length >= max) return;
      writeValue(ctx, control, "text", [...current, text]);
      field.value = "";
    }
    add.addEventListener("click", submit);
    field.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !(rows > 1 && e.shiftKey)) {
        e.preventDefault();
        submit();
      }
    });
    if (initial && !initial.startsWith("$") && !ctx.store.classification(name) && !control.perRegion) field.value = initial;
    else if (initial && initial.startsWith("$")) field.value = String(ctx.resolve(initial) ?? "");

    const prefillFrom = node.getAttribute("prefillFrom");
    let prefilled = null; // the text last put in by prefillFrom; anything else in the field was typed
    function prefill() {
      const pairwise = prefillFrom && ctx.controls.get(prefillFrom);
      if (!pairwise || (field.value && field.value !== prefilled)) return;
      const selected = readValue(ctx, pairwise, "selected");
      const object = selected && ctx.objects.get(pairwise.toNames[selected === "left" ? 0 : 1]);
      const text = object && typeof object.text === "string" ? object.text : "";
      if (text && text !== field.value) field.value = prefilled = text;
    }

    ctx.onUpdate(() => {
      prefill();
      const current = readValue(ctx, control, "text") || [];
      list.replaceChildren(
        ...current.map((text, i) => {
          const remove = () => {
            const next = current.filter((_, j) => j !== i);
            writeValue(ctx, control, "text", next.length ? next : null);
          };
          const shown = editable && !ctx.readOnly
            ? h("input", { type: "text", value: text, "aria-label": `${name} entry ${i + 1}`, onchange: (e) => writeValue(ctx, control, "text", current.map((t, j) => (j === i ? e.target.value : t))) })
            : h("span", { text });
          return h("li", {}, shown, ctx.readOnly ? null : h("button", { type: "button", "aria-label": "Remove", onclick: remove }, "✕"));
        }),
      );
      const full = max && current.length >= max;
      field.disabled = ctx.readOnly || !!full;
      add.disabled = ctx.readOnly || !!full;
    });
    return el;
  },
});
