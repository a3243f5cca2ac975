// A small Markdown renderer that builds DOM nodes, never HTML: headings, paragraphs, bullet and numbered lists,
// code blocks, block quotes, **bold**, *italic*, `code` and [links](https://…). Any markup in the text stays
// text, and links keep only http(s) and mailto addresses, so instructions from a project cannot run script.

import { h } from "./dom.js";

const SAFE_URL = /^(https?:\/\/|mailto:)/i;
// Emphasis with asterisks only: underscores sit inside identifiers (snake_case, __dunder__) too often.
const INLINE = /(\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\))/;

export function inline(text) {
  const out = [];
  let rest = text;
  while (rest) {
    const match = INLINE.exec(rest);
    if (!match) {
      out.push(document.createTextNode(rest));
      break;
    }
    if (match.index) out.push(document.createTextNode(rest.slice(0, match.index)));
    const [whole, , bold, em, code, label, url] = match;
    if (bold) out.push(h("strong", {}, inline(bold)));
    else if (em) out.push(h("em", {}, inline(em)));
    else if (code) out.push(h("code", { text: code }));
    else if (SAFE_URL.test(url)) out.push(h("a", { href: url, rel: "noopener noreferrer", target: "_blank" }, inline(label)));
    else out.push(document.createTextNode(label));
    rest = rest.slice(match.index + whole.length);
  }
  return out;
}

export function renderMarkdown(source) {
  const root = document.createDocumentFragment();
  const lines = String(source || "").replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i += 1;
      continue;
    }
    if (line.startsWith("```")) {
      const code = [];
      for (i += 1; i < lines.length && !lines[i].startsWith("```"); i += 1) code.push(lines[i]);
      i += 1;
      root.append(h("pre", {}, h("code", { text: code.join("\n") })));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      root.append(h(`h${Math.min(6, heading[1].length + 2)}`, {}, inline(heading[2])));
      i += 1;
      continue;
    }
    const bullet = /^\s*[-*+]\s+/;
    const number = /^\s*\d+[.)]\s+/;
    if (bullet.test(line) || number.test(line)) {
      const pattern = bullet.test(line) ? bullet : number;
      const list = h(pattern === bullet ? "ul" : "ol");
      for (; i < lines.length && pattern.test(lines[i]); i += 1) list.append(h("li", {}, inline(lines[i].replace(pattern, ""))));
      root.append(list);
      continue;
    }
    if (line.startsWith(">")) {
      const quoted = [];
      for (; i < lines.length && lines[i].startsWith(">"); i += 1) quoted.push(lines[i].replace(/^>\s?/, ""));
      root.append(h("blockquote", {}, inline(quoted.join(" "))));
      continue;
    }
    const para = [];
    for (; i < lines.length && lines[i].trim() && !/^(#{1,6}\s|```|>|\s*[-*+]\s|\s*\d+[.)]\s)/.test(lines[i]); i += 1)
      para.push(lines[i].trim());
    root.append(h("p", {}, inline(para.join(" "))));
  }
  return root;
}
