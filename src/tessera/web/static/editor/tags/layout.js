// Visual tags: View (a box, with the config's class and style), Header, Style (the config's CSS), Filter and
// Collapse/Panel (shown as plain boxes).

import { h, safeStyle, truthy } from "../dom.js";
import { register } from "../registry.js";

register({
  names: ["View", "Collapse", "Panel"],
  render(node, ctx) {
    const el = h("div", { class: ["ed-view", node.getAttribute("className")].filter(Boolean).join(" "), style: safeStyle(node.getAttribute("style")) });
    if (node.tagName === "Panel" && node.getAttribute("value")) el.append(h("h4", { text: ctx.resolve(node.getAttribute("value")) }));
    ctx.renderChildren(node, el);
    return el;
  },
});

register({
  names: ["Header"],
  render(node, ctx) {
    const raw = node.getAttribute("value") ?? node.textContent;
    const size = Math.min(Math.max(parseInt(node.getAttribute("size") || "4", 10) || 4, 1), 6);
    const el = h(`h${size}`, { class: "ed-header", style: safeStyle(node.getAttribute("style")) });
    const value = ctx.resolve(raw);
    el.textContent = value === undefined || value === null ? "" : String(value);
    if (truthy(node.getAttribute("underline"))) el.style.textDecoration = "underline";
    return el;
  },
});

register({
  names: ["Style"],
  render(node) {
    const el = document.createElement("style");
    el.textContent = safeStyle(node.textContent);
    return el;
  },
});

register({
  names: ["Filter"],
  render() {
    return null;
  },
});
