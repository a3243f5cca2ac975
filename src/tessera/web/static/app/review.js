// The review page: the queue of submitted annotations (filtered by status, annotator and label) beside the
// selected one shown read-only in the editor, with its verdicts. Accept (a), reject with a comment (r) or fix
// (f: the editor becomes editable; "Save fix", ctrl+enter, posts the reviewer's version); j/k move in the
// queue, across its pages of PAGE_SIZE. After a verdict the next item opens. A stale version is the server's 409: its message shows and the
// item is read again.

import { ApiError, get, post } from "./api.js";
import { $, h, wireDialog } from "./dom.js";
import { createEditor } from "editor/editor.js";

const root = $("#review");
const projectId = Number(root.dataset.project);
const STATUSES = [["", "awaiting"], ["accepted", "accepted"], ["rejected", "rejected"], ["fixed", "fixed"]];
const PAGE_SIZE = 100;
const state = { project: null, items: [], page: 1, count: 0, current: null, editor: null, fixing: false, busy: false, members: new Map() };

function say(message, kind = "error") {
  const box = $("#rev-messages");
  box.replaceChildren();
  if (message) box.append(h("div", { class: `lab-message lab-${kind}` }, h("p", { text: message })));
}

const who = (id) => (id === null || id === undefined ? "someone" : state.members.get(id) || `user #${id}`);
const agreed = (a) => (a.task_agreement == null ? "" : ` · ${Math.round(a.task_agreement * 100)}% agree`);
const authorOf = (a) => (a.completed_by && typeof a.completed_by === "object" ? a.completed_by.id : a.completed_by);

function queueUrl(extra = {}) {
  const params = new URLSearchParams();
  const filters = {
    status: $("#rev-status").value,
    annotator: $("#rev-annotator").value,
    label: $("#rev-label").value,
    max_agreement: $("#rev-agreement").value,
    ...extra,
  };
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  return `/api/projects/${projectId}/reviews/queue?${params}`;
}

// How many annotations wait for review and how many have each verdict, under the annotator and label filters.
async function drawCounts() {
  const counts = await Promise.all(STATUSES.map(([status]) => get(queueUrl({ status, page_size: "1" })).then((r) => r.count)));
  $("#rev-counts").textContent = STATUSES.map(([, name], i) => `${name} ${counts[i]}`).join(" · ");
}

function drawList() {
  $("#rev-list").replaceChildren(
    ...state.items.map((a) =>
      h(
        "li",
        { class: state.current && a.id === state.current.id ? "lab-current" : null, dataset: { id: a.id } },
        h("button", { type: "button", text: `#${a.id} task ${a.task} · ${who(authorOf(a))}${agreed(a)}`, onclick: () => select(a.id) }),
      ),
    ),
  );
  if (!state.items.length) $("#rev-list").append(h("li", { class: "muted", text: "Nothing here." }));
}

const lastPage = () => Math.max(1, Math.ceil(state.count / PAGE_SIZE));

function drawPager() {
  const first = (state.page - 1) * PAGE_SIZE;
  $("#rev-range").textContent = state.count ? `${first + 1}–${first + state.items.length} of ${state.count}` : "";
  $("#rev-prev").disabled = state.page <= 1;
  $("#rev-next").disabled = state.page >= lastPage();
}

// The current page of the queue; a page that verdicts emptied (the queue shrank under it) becomes the last one.
async function loadQueue() {
  const pageOf = (n) => get(queueUrl({ page: String(n), page_size: String(PAGE_SIZE) }));
  const [found] = await Promise.all([pageOf(state.page), drawCounts()]);
  let page = found;
  state.count = page.count;
  if (!page.results.length && state.page > lastPage()) {
    state.page = lastPage();
    page = await pageOf(state.page);
    state.count = page.count;
  }
  state.items = page.results;
  drawList();
  drawPager();
}

// Another page of the queue, with its first item (or its last, going back with k) open.
async function turn(step, pick = "first") {
  const target = state.page + step;
  if (target < 1 || target > lastPage()) return false;
  state.page = target;
  await loadQueue();
  const item = pick === "last" ? state.items[state.items.length - 1] : state.items[0];
  select(item ? item.id : null);
  return true;
}

function showEditor(annotation, editable) {
  if (state.editor) state.editor.destroy();
  state.editor = null;
  state.fixing = editable;
  root.classList.toggle("rev-fixing", editable);
  for (const id of ["rev-accept", "rev-reject", "rev-fix"]) $(`#${id}`).hidden = editable;
  for (const id of ["rev-save-fix", "rev-cancel-fix"]) $(`#${id}`).hidden = !editable;
  if (!annotation) return;
  try {
    state.editor = createEditor($("#rev-editor"), {
      config: state.project.label_config,
      task: { id: annotation.task, data: annotation.task_data || {} },
      result: annotation.result,
      presentation: annotation.presentation,
      readOnly: !editable,
      hotkeyHelp: editable ? [["ctrl+enter", "Save fix"]] : [["a", "Accept"], ["r", "Reject"], ["f", "Fix"], ["j / k", "Next / previous"]],
    });
  } catch (error) {
    say(error.message);
  }
}

async function drawHistory(annotation) {
  const verdicts = await get(`/api/annotations/${annotation.id}/reviews`);
  if (!state.current || state.current.id !== annotation.id) return;
  $("#rev-history").replaceChildren(
    ...verdicts.map((v) =>
      h(
        "li",
        { dataset: { accepted: String(v.accepted) } },
        `${v.fixed_annotation ? `fixed (annotation #${v.fixed_annotation})` : v.accepted ? "accepted" : "rejected"} by ${who(v.reviewer)}, ${new Date(v.created_at).toLocaleString()}`,
        v.comment ? h("p", { class: "rev-comment", text: v.comment }) : null,
      ),
    ),
  );
  if (!verdicts.length) $("#rev-history").append(h("li", { class: "muted", text: "No verdicts yet." }));
}

function select(id) {
  const annotation = state.items.find((a) => a.id === id) || null;
  state.current = annotation;
  $("#rev-history").replaceChildren();
  drawList();
  showEditor(annotation, false);
  $("#rev-item").textContent = annotation ? `Annotation #${annotation.id} of task #${annotation.task} by ${who(authorOf(annotation))}` : "";
  root.dataset.annotation = annotation ? String(annotation.id) : "";
  if (!annotation) say("No annotations to review here.", "info");
  else drawHistory(annotation).catch((error) => say(error.message));
}

// After a verdict: the queue read again, and the item after the one just judged (or in its place) opened.
async function advance(fromId, at) {
  await loadQueue();
  const stayed = state.items.findIndex((a) => a.id === fromId);
  if (stayed >= 0 && stayed === state.items.length - 1 && (await turn(1))) return; // it was this page's last
  const next = stayed >= 0 ? state.items[stayed + 1] : state.items[Math.min(at, state.items.length - 1)];
  select(next ? next.id : null);
}

async function verdict(body) {
  if (state.busy || !state.current) return;
  state.busy = true;
  const current = state.current;
  const at = state.items.indexOf(current);
  try {
    await post(`/api/annotations/${current.id}/reviews`, { ...body, version: current.version });
    say(null);
    await advance(current.id, at);
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) {
      // Someone changed it meanwhile: show why, and the annotation as it is now.
      await loadQueue().catch(() => {});
      select(state.items.some((a) => a.id === current.id) ? current.id : state.items[0]?.id ?? null);
      say(`${error.message} — reloaded; look again.`);
    } else say(error instanceof ApiError ? `The server refused: ${error.message}` : error.message);
  } finally {
    state.busy = false;
  }
}

const accept = () => verdict({ accepted: true });

function reject() {
  if (!state.current || state.fixing) return;
  const dialog = $("#reject-dialog");
  $("#reject-comment").value = "";
  dialog.showModal();
  $("#reject-comment").focus();
}

function fix() {
  if (!state.current || state.fixing) return;
  showEditor(state.current, true);
}

function saveFix() {
  if (!state.fixing || !state.editor) return;
  const problems = state.editor.validate();
  if (problems.length) {
    say(problems.join(" "));
    return;
  }
  return verdict({ accepted: true, result: state.editor.getResult() });
}

$("#reject-form").addEventListener("submit", (event) => {
  const comment = $("#reject-comment").value.trim();
  if (!comment) {
    event.preventDefault();
    $("#reject-comment").focus();
    return;
  }
  verdict({ accepted: false, comment });
});
$("#reject-comment").addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
    event.preventDefault();
    $("#reject-form").requestSubmit();
  }
});
wireDialog($("#reject-dialog"));
$("#rev-accept").addEventListener("click", accept);
$("#rev-reject").addEventListener("click", reject);
$("#rev-fix").addEventListener("click", fix);
$("#rev-save-fix").addEventListener("click", saveFix);
$("#rev-cancel-fix").addEventListener("click", () => showEditor(state.current, false));
for (const id of ["rev-status", "rev-annotator", "rev-label", "rev-agreement"])
  $(`#${id}`).addEventListener("change", () => {
    state.page = 1;
    loadQueue().then(() => select(state.items[0]?.id ?? null)).catch((e) => say(e.message));
  });
$("#rev-prev").addEventListener("click", () => turn(-1).catch((e) => say(e.message)));
$("#rev-next").addEventListener("click", () => turn(1).catch((e) => say(e.message)));

// j / k: the next or previous item, over to the neighbouring page at either end of this one.
function move(step) {
  const at = state.items.findIndex((a) => state.current && a.id === state.current.id);
  const to = at + step;
  if (to >= state.items.length || to < 0) {
    turn(step, step < 0 ? "last" : "first").catch((e) => say(e.message));
    return;
  }
  select(state.items[to].id);
}

// Typing in a field is not a hotkey; a checkbox or radio button keeps the focus after a click and is not typing.
function typing(el) {
  const field = el && el.closest ? el.closest("input, textarea, select, [contenteditable='true']") : null;
  return !!field && !(field.tagName === "INPUT" && ["checkbox", "radio", "button"].includes(field.type));
}

document.addEventListener("keydown", (event) => {
  if (typing(document.activeElement) || document.querySelector("dialog[open]")) return;
  if (state.fixing) {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      saveFix();
    }
    return; // the editor's own hotkeys are live while fixing
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const actions = { a: accept, r: reject, f: fix, j: () => move(1), k: () => move(-1) };
  if (event.key in actions) {
    event.preventDefault();
    actions[event.key]();
  }
});

function labelsOf(project) {
  const labels = new Set();
  for (const control of Object.values(project.parsed_label_config || {})) for (const label of control.labels || []) labels.add(label);
  return [...labels];
}

async function start() {
  try {
    const [project, members] = await Promise.all([get(`/api/projects/${projectId}`), get(`/api/projects/${projectId}/members`)]);
    state.project = project;
    $("#rev-title").textContent = `Review · ${project.title || `Project ${projectId}`}`;
    document.title = `${project.title} · Review · Tessera`;
    for (const m of members) {
      state.members.set(m.user.id, m.user.email);
      $("#rev-annotator").append(h("option", { value: m.user.id, text: m.user.email }));
    }
    for (const label of labelsOf(project)) $("#rev-label").append(h("option", { value: label, text: label }));
    await loadQueue();
    select(state.items[0]?.id ?? null);
  } catch (error) {
    say(error.message);
  }
  root.dataset.ready = "1";
}

start();
