// <Chat>: the task's conversation ([{role, content}]) as message bubbles, content shown as Markdown built into DOM
// nodes (app/markdown.js: markup in a message stays text). Annotators add messages below it (chatcomposer.js);
// each added message is a result item of type "chatmessage" with from_name == to_name == the Chat's name and
// value {chatmessage: {role, content, createdAt[, meta]}}, as Label Studio stores them.
//
// Every message is a region: a click (or Enter) selects it, Escape deselects, and perRegion controls with
// toName the Chat write items with the message's id and value.messageIndex, its place in the whole
// conversation (task messages first, then the added ones in result order). A task message's id is
// "<chat name>-<index>"; an added message's id is its chatmessage item's id. `whenRole` on a View compares
// with the selected message's role. minMessages / maxMessages (a number or "$field") count all messages.

import { attr, h, newId } from "../dom.js";
import { register } from "../registry.js";
import { renderMarkdown } from "../../app/markdown.js";
import { renderComposer } from "../chatcomposer.js";

function count(ctx, value) {
  const n = parseInt(String(ctx.resolve(value ?? "") ?? ""), 10);
  return Number.isFinite(n) && n > 0 ? n : null;
}

function taskMessages(ctx, node, name) {
  const raw = ctx.resolve(node.getAttribute("value") || "");
  return (Array.isArray(raw) ? raw : [])
    .filter((m) => m && typeof m === "object" && !Array.isArray(m)) // as the server counts them
    .map((m, i) => ({
      id: `${name}-${i}`,
      role: String(m.role ?? ""),
      content: typeof m.content === "string" ? m.content : JSON.stringify(m.content ?? ""),
      fromTask: true,
    }));
}

function editableRoles(node) {
  const value = (attr(node, "editable") || "").trim();
  if (!value || value === "false") return () => false;
  if (value === "true") return () => true;
  const roles = value.split(/[,|]/).map((s) => s.trim());
  return (role) => roles.includes(role);
}

register({
  names: ["Chat"],
  render(node, ctx) {
    const name = node.getAttribute("name") || "chat";
    const { store } = ctx;
    const fromTask = taskMessages(ctx, node, name);
    const min = count(ctx, attr(node, "minMessages"));
    const max = count(ctx, attr(node, "maxMessages"));
    const canEdit = editableRoles(node);
    const log = h("div", { class: "ed-chat-log", role: "list", "aria-label": `${name} conversation` });
    const el = h("div", { class: "ed-chat", "data-object": name }, log);
    const bubbles = new Map(); // message id -> {el, content}

    const isMine = (i) => i.type === "chatmessage" && i.from_name === name && i.value && i.value.chatmessage;
    const chat = {
      name,
      max,
      pending: false,
      conversation() {
        const added = store.items.filter(isMine).map((i) => ({ id: i.id, ...i.value.chatmessage, fromTask: false }));
        return [...fromTask, ...added];
      },
      full: () => !!max && chat.conversation().length >= max,
      add(message) {
        const id = newId();
        store.change((items) => items.push({ id, from_name: name, to_name: name, type: "chatmessage", origin: "manual", value: { chatmessage: message } }));
        log.scrollTop = log.scrollHeight;
        return id;
      },
      edit(id, content) {
        store.change((items) => {
          const item = items.find((i) => i.id === id && isMine(i));
          if (item) item.value = { chatmessage: { ...item.value.chatmessage, content } };
        }, [id]);
      },
      // the message and every per-message answer about it
      remove(id) {
        store.change((items) => {
          for (let i = items.length - 1; i >= 0; i--) if (items[i].id === id) items.splice(i, 1);
        });
      },
    };
    ctx.objects.set(name, { name, type: "chat", el, chat });

    // Anchors (regions before any answer exists) for every message, and per-message items kept at their
    // message's place when an earlier added message is deleted.
    store.fixups.push((items) => {
      for (const [id, anchor] of store.anchors) if (anchor.to_name === name) store.anchors.delete(id);
      const place = new Map(fromTask.map((m, i) => [m.id, { index: i, role: m.role }]));
      for (const item of items) if (isMine(item)) place.set(item.id, { index: place.size, role: item.value.chatmessage.role });
      for (const [id, { index, role }] of place) store.anchors.set(id, { id, to_name: name, type: "chatmessage", value: { messageIndex: index }, role });
      for (const item of items) {
        const at = item.to_name === name && item.value && typeof item.value.messageIndex === "number" ? place.get(item.id) : null;
        if (at && at.index !== item.value.messageIndex) item.value = { ...item.value, messageIndex: at.index };
      }
    });
    store.settle();

    function startEdit(message, body) {
      const field = h("textarea", { rows: 3, "aria-label": `Edit ${message.role} message` });
      field.value = message.content;
      const save = () => field.value.trim() && chat.edit(message.id, field.value.trim());
      const cancel = () => body.replaceChildren(renderMarkdown(message.content));
      field.addEventListener("keydown", (e) => {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
          e.stopPropagation(); // not the labeling page's ctrl+Enter (submit)
          save();
        }
        if (e.key === "Escape") cancel();
      });
      body.replaceChildren(field, h("button", { type: "button", onclick: save }, "Save"), h("button", { type: "button", onclick: cancel }, "Cancel"));
      field.focus();
    }

    function bubble(message) {
      const body = h("div", { class: "ed-msg-body" }, renderMarkdown(message.content));
      const head = h("div", { class: "ed-msg-head" }, h("span", { class: "ed-msg-role", text: message.role }));
      if (message.meta && typeof message.meta.model === "string") head.append(h("span", { class: "ed-msg-model", text: message.meta.model }));
      if (!message.fromTask && !ctx.readOnly) {
        if (canEdit(message.role)) head.append(h("button", { type: "button", class: "ed-msg-edit", onclick: () => startEdit(message, body) }, "Edit"));
        head.append(h("button", { type: "button", class: "ed-msg-delete", "aria-label": "Delete message", onclick: () => chat.remove(message.id) }, "✕"));
      }
      return h("div", { class: "ed-msg", role: "listitem", tabindex: "0", "data-role": message.role, "data-msg": message.id }, head, body);
    }

    function pick(target) {
      const msg = target.closest(".ed-msg");
      if (msg && ctx.selectRegion) ctx.selectRegion(msg.dataset.msg);
    }
    log.addEventListener("click", (e) => {
      if (e.target.closest("a, button, textarea") || !window.getSelection().isCollapsed) return;
      pick(e.target);
    });
    log.addEventListener("keydown", (e) => {
      if ((e.key === "Enter" || e.key === " ") && e.target.classList.contains("ed-msg")) {
        e.preventDefault();
        pick(e.target);
      }
    });

    // Only what changed is drawn again: new, edited and deleted messages; the rest keep their DOM.
    function draw() {
      const list = chat.conversation();
      const ids = new Set(list.map((m) => m.id));
      for (const [id, b] of bubbles) {
        if (!ids.has(id)) {
          b.el.remove();
          bubbles.delete(id);
        }
      }
      let previous = null;
      for (const message of list) {
        let b = bubbles.get(message.id);
        if (!b || b.content !== message.content) {
          const fresh = bubble(message);
          if (b) b.el.replaceWith(fresh);
          b = { el: fresh, content: message.content };
          bubbles.set(message.id, b);
        }
        const expected = previous ? previous.nextSibling : log.firstChild;
        if (expected !== b.el) log.insertBefore(b.el, expected);
        previous = b.el;
      }
      const answered = new Set();
      for (const item of store.items) if (item.to_name === name && item.value && typeof item.value.messageIndex === "number") answered.add(item.id);
      for (const [id, b] of bubbles) {
        b.el.classList.toggle("ed-selected", store.selected === id);
        b.el.classList.toggle("ed-answered", answered.has(id));
      }
    }
    ctx.onUpdate(draw);

    // validate(): the Chat takes part like a control, required when it has limits
    const total = () => chat.conversation().length;
    ctx.controls.set(name, {
      name, node, type: "chat", el, toNames: [], toName: name, perRegion: false, hidden: false,
      required: !!(min || max || node.getAttribute("llm")),
      missing() {
        if (chat.pending) return `"${name}": wait for the model's reply`;
        if (min && total() < min) return `"${name}" needs at least ${min} messages (it has ${total()})`;
        if (max && total() > max) return `"${name}" allows at most ${max} messages (it has ${total()})`;
        return null;
      },
    });
    if (!ctx.readOnly) el.append(renderComposer(ctx, node, chat));
    return el;
  },
});
