// <Paragraphs>: a list of {author, text} (or nameKey/textKey), plain or in the dialogue layout.

import { h, colorFor } from "../dom.js";
import { register } from "../registry.js";

register({
  names: ["Paragraphs"],
  render(node, ctx) {
    const name = node.getAttribute("name");
    const nameKey = node.getAttribute("nameKey") || "author";
    const textKey = node.getAttribute("textKey") || "text";
    const dialogue = node.getAttribute("layout") === "dialogue";
    const value = ctx.resolve(node.getAttribute("value") || "");
    const list = Array.isArray(value) ? value : [];
    const el = h("div", { class: "ed-paragraphs" + (dialogue ? " ed-dialogue" : ""), "data-object": name });
    list.forEach((p, i) => {
      const author = p && typeof p === "object" ? p[nameKey] : "";
      const text = p && typeof p === "object" ? p[textKey] : p;
      const row = h("div", { class: "ed-paragraph", "data-index": i });
      if (author !== undefined && author !== "") row.append(h("span", { class: "ed-author", style: dialogue ? `--author-color:${colorFor(String(author))}` : null, text: String(author) }));
      row.append(h("span", { class: "ed-para-text", text: text === undefined || text === null ? "" : String(text) }));
      el.append(row);
    });
    ctx.objects.set(name, { name, type: "paragraphs", el });
    return el;
  },
});
