// The composer under a <Chat>: a role (one of `messageroles`; default "user" with an `llm`, else
// "user,assistant", as in Label Studio) and a text; Ctrl+Enter or Send adds the message. With `llm="..."`, a
// user message is followed by a request for the model's reply through the editor's `chatComplete` option; the
// reply, with its `meta` (model, params, created_at), is added as another message. Without that option the
// composer says no model is connected and asks nothing. The page decides how replies are fetched, not this file.

import { attr, h } from "./dom.js";

function rolesOf(node, llm) {
  const listed = (attr(node, "messageRoles") || "").split(/[,|]/).map((s) => s.trim()).filter(Boolean);
  return listed.length ? listed : llm ? ["user"] : ["user", "assistant"];
}

function reason(error) {
  if (error && typeof error.message === "string" && error.message) return error.message;
  return String(error || "unknown error");
}

export function renderComposer(ctx, node, chat) {
  const llm = (node.getAttribute("llm") || "").trim();
  const roles = rolesOf(node, llm);
  const select = roles.length > 1 ? h("select", { "aria-label": "Role", class: "ed-chat-role" }, roles.map((r) => h("option", { value: r }, r))) : null;
  const field = h("textarea", { rows: 2, "aria-label": "New message", placeholder: "Write a message — Ctrl+Enter sends" });
  const send = h("button", { type: "button", class: "ed-chat-send" }, "Send");
  const status = h("div", { class: "ed-chat-status", role: "status" });
  const error = h("div", { class: "ed-chat-error", role: "alert", hidden: true });
  const limit = h("p", { class: "ed-chat-limit", hidden: true, text: `This conversation has reached its limit of ${chat.max} messages.` });
  const notice = llm && !ctx.chatComplete ? h("p", { class: "ed-chat-notice", text: `No model connected: ${llm} will not reply here.` }) : null;
  const row = h("div", { class: "ed-chat-input" }, select || h("span", { class: "ed-chat-role", text: roles[0] }), field, send);
  const el = h("div", { class: "ed-chat-composer" }, notice, status, error, limit, row);
  let destroyed = false;
  ctx.onDestroy(() => {
    destroyed = true;
  });

  function refresh() {
    const full = chat.full();
    limit.hidden = !full;
    field.disabled = full || chat.pending;
    send.disabled = full || chat.pending;
    if (select) select.disabled = full || chat.pending;
  }

  async function ask() {
    chat.pending = true;
    error.hidden = true;
    status.textContent = `Waiting for ${llm}…`;
    status.classList.add("ed-chat-pending");
    refresh();
    try {
      const messages = chat.conversation().map((m) => ({ role: m.role, content: m.content }));
      const reply = await ctx.chatComplete({ llm, messages, chatName: chat.name });
      if (destroyed) return;
      if (!reply || typeof reply.content !== "string") throw new Error("the reply has no text");
      const message = { role: typeof reply.role === "string" && reply.role ? reply.role : "assistant", content: reply.content, createdAt: Date.now() };
      if (reply.meta && typeof reply.meta === "object") message.meta = reply.meta;
      chat.pending = false;
      chat.add(message);
    } catch (err) {
      if (destroyed) return;
      const retry = h("button", { type: "button", class: "ed-chat-retry", onclick: () => ask() }, "Ask again");
      error.replaceChildren(`The model did not reply: ${reason(err)}. Your message is kept. `, retry);
      error.hidden = false;
    } finally {
      chat.pending = false;
      status.textContent = "";
      status.classList.remove("ed-chat-pending");
      if (!destroyed) refresh();
    }
  }

  function submit() {
    const content = field.value.trim();
    if (ctx.readOnly || chat.pending || !content || chat.full()) return;
    const role = select ? select.value : roles[0];
    chat.add({ role, content, createdAt: Date.now() });
    field.value = "";
    if (llm && role === "user" && ctx.chatComplete && !chat.full()) ask();
    else field.focus();
  }

  send.addEventListener("click", submit);
  field.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      e.stopPropagation(); // the labeling page's own ctrl+Enter submits the whole annotation
      submit();
    }
  });
  ctx.onUpdate(refresh);
  return el;
}
