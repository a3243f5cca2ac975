// A live preview of a labeling config on a sample task, drawn by the labeling editor when it is there
// (static/editor/editor.js); without it, or when it fails, the config XML is shown instead.

import { clear, h } from "./dom.js";

let editorModule;
const editorThere = () => Boolean(document.querySelector("main[data-editor=\"1\"]"));

async function loadEditor() {
  if (editorModule === undefined && !editorThere()) editorModule = null;
  if (editorModule === undefined) {
    if (!document.querySelector('link[href="/static/editor/editor.css"]'))
      document.head.append(Object.assign(document.createElement("link"), { rel: "stylesheet", href: "/static/editor/editor.css" }));
    try {
      editorModule = await import("/static/editor/editor.js");
    } catch {
      editorModule = null;
    }
  }
  return editorModule && typeof editorModule.createEditor === "function" ? editorModule : null;
}

export class Preview {
  constructor(element) {
    this.element = element;
    this.editor = null;
    this.serial = 0;
  }

  async show(config, task) {
    const serial = ++this.serial;
    const module = await loadEditor();
    if (serial !== this.serial) return; // a newer preview was asked for meanwhile
    this.destroy();
    clear(this.element);
    if (module) {
      const host = h("div", { class: "preview-editor" });
      this.element.append(host);
      try {
        this.editor = module.createEditor(host, { config, task, result: [], predictions: [], readOnly: false });
        return;
      } catch (error) {
        clear(this.element);
        this.element.append(h("p", { class: "error", text: `The preview failed: ${error.message}` }));
      }
    } else {
      this.element.append(h("p", { class: "muted", text: "The labeling editor is not available; the config:" }));
    }
    this.element.append(h("pre", { class: "code", text: config }));
  }

  destroy() {
    if (this.editor && typeof this.editor.destroy === "function") {
      try {
        this.editor.destroy();
      } catch {
        // a broken preview must not break the page around it
      }
    }
    this.editor = null;
  }
}
