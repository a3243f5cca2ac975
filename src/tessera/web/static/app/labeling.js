// The labeling page: the next task from the project's queue in the editor, submit / update / skip / back,
// drafts saved every few seconds (and kept in localStorage at once, so nothing typed is lost when the
// connection is), "submit on choice" for one-key classification, and the hotkey overlay (?). A task whose
// annotation a reviewer rejected shows the verdict's comment above the editor; the list of one's rejected
// annotations is in the side bar (see review_notes.js). Opened with ?query= ("Label these" in the data manager),
// it works through that selection instead of the queue (see label_selection.js).

import { ApiError, del, get, patch, post } from "tessera/api.js";
import { createEditor } from "editor/editor.js";
import { sanitizedFragment } from "editor/html.js";
import { selectionOf } from "tessera/label_selection.js";
import { drawRejections, showVerdict } from "tessera/review_notes.js";

const SAVE_EVERY_MS = 3000;
const root = document.getElementById("labeling");
const projectId = Number(root.dataset.project);
const $ = (id) => document.getElementById(id);
const els = {
  title: $("lab-title"),
  task: $("lab-task"),
  save: $("lab-save"),
  messages: $("lab-messages"),
  editor: $("lab-editor"),
  history: $("lab-history"),
  instructions: $("lab-instructions"),
  instructionsBody: $("lab-instructions-body"),
  auto: $("lab-auto"),
};
const selection = selectionOf(new URL(location.href), projectId, $("lab-selection"));

const state = {
  project: null,
  me: null,
  editor: null,
  task: null,
  annotation: null, // my annotation of the current task, when there is one
  draft: null, // my server draft of the current task
  history: [], // [{id, status}] in the order seen this session
  startedAt: 0,
  dirty: false,
  saving: null,
  failed: false,
  busy: false,
  hasModel: false, // the project has a model connector for <Chat llm=...> to call
};

const autoKey = `tessera:auto-submit:${projectId}`;
const localKey = (taskId) => `tessera:draft:${projectId}:${taskId}`;

function say(message, kind = "error") {
  els.messages.replaceChildren();
  if (!message) return;
  const lines = Array.isArray(message) ? message : [message];
  const box = document.createElement("div");
  box.className = `lab-message lab-${kind}`;
  for (const line of lines) {
    const p = document.createElement("p");
    p.textContent = line;
    box.append(p);
  }
  els.messages.append(box);
}

function showSave(text, kind = "") {
  els.save.textContent = text;
  els.save.dataset.state = kind;
}

function authorId(annotation) {
  const by = annotation.completed_by;
  return by && typeof by === "object" ? by.id : by;
}

// The side bar's task buttons (the tasks seen this session, one's rejected annotations) open a task as the
// actions do: disabled until the page has started, then one action at a time (`run`).
let started = false;
const openFromSideBar = (id) => run(() => openTask(id));

function renderHistory() {
  els.history.replaceChildren(
    ...state.history.map((entry) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = `#${entry.id} ${entry.status}`;
      button.disabled = !started;
      if (state.task && entry.id === state.task.id) li.className = "lab-current";
      button.addEventListener("click", () => openFromSideBar(entry.id));
      li.append(button);
      return li;
    }),
  );
}

function remember(id, status) {
  const found = state.history.find((e) => e.id === id);
  if (found) found.status = status;
  else state.history.push({ id, status });
  renderHistory();
}

function readLocal(taskId) {
  try {
    const saved = JSON.parse(localStorage.getItem(localKey(taskId)) || "null");
    return saved && Array.isArray(saved.result) ? saved : null;
  } catch {
    return null;
  }
}

// What the editor starts from: the freshest of my local copy, my server draft and my annotation.
function startingResult(task, annotation, draft) {
  const candidates = [];
  const local = readLocal(task.id);
  if (local) candidates.push({ at: local.at, result: local.result, from: "local" });
  if (draft) candidates.push({ at: Date.parse(draft.updated_at) || 0, result: draft.result, from: "draft" });
  if (annotation) candidates.push({ at: Date.parse(annotation.updated_at) || 0, result: annotation.result, from: "annotation" });
  candidates.sort((a, b) => b.at - a.at);
  return candidates[0] || null;
}

function showTask(task) {
  const t0 = performance.now();
  if (state.editor) state.editor.destroy();
  state.task = task;
  state.annotation = (task.annotations || []).find((a) => authorId(a) === state.me.id && !a.was_cancelled) || null;
  const drafts = (task.drafts || []).filter((d) => d.user === state.me.id);
  state.draft = drafts.length ? drafts[drafts.length - 1] : null;
  const start = startingResult(task, state.annotation, state.draft);
  state.dirty = !!start && start.from === "local" && (!state.draft || JSON.stringify(state.draft.result) !== JSON.stringify(start.result));
  state.failed = false;
  say(null);
  try {
    state.editor = createEditor(els.editor, {
      config: state.project.label_config,
      task,
      result: start ? start.result : null,
      predictions: start ? [] : task.predictions || [],
      onChange: changed,
      onChoice: choiceMade,
      presentation: state.annotation ? state.annotation.presentation : null,
      chatComplete: state.hasModel ? ({ llm, messages }) => askModel(task, llm, messages) : null,
      shuffleSeed: state.project.shuffle_comparisons === false ? null : `${task.id}:${state.me.id}`,
      hotkeyHelp: [
        ["ctrl+enter", "Submit or update"],
        ["ctrl+space", "Skip"],
        ["ctrl+←", "Previous task"],
      ],
    });
  } catch (error) {
    say(error.message);
    return;
  }
  state.startedAt = performance.now();
  els.task.textContent = `Task #${task.id}`;
  const rejected = !!state.annotation && state.annotation.review_status === "rejected";
  $("lab-submit").textContent = rejected ? "Resubmit" : state.annotation ? "Update" : "Submit";
  showVerdict($("lab-review"), rejected ? state.annotation : null);
  showSave(start && start.from !== "annotation" ? "Draft restored" : "", start && start.from !== "annotation" ? "restored" : "");
  remember(task.id, state.annotation ? "submitted" : state.history.find((e) => e.id === task.id)?.status || "open");
  const url = new URL(location.href);
  url.searchParams.set("task", task.id);
  history.replaceState(null, "", url);
  root.dataset.taskId = String(task.id);
  performance.measure("tessera:show-task", { start: t0, end: performance.now() });
}

// A <Chat llm="..."> asks the project's model connector for the next reply (see docs/connectors.md).
async function askModel(task, llm, messages) {
  const answer = await post(`/api/projects/${projectId}/chat-completions`, { llm, messages, task: task.id });
  return { ...answer.message, meta: answer.meta };
}

function changed(editor) {
  if (!state.task) return;
  state.dirty = true;
  try {
    localStorage.setItem(localKey(state.task.id), JSON.stringify({ at: Date.now(), result: editor.getResult() }));
  } catch {
    // storage full or disabled: the server draft still saves
  }
  showSave(state.failed ? "Draft not saved — retrying" : "Unsaved changes", state.failed ? "failed" : "pending");
}

async function saveDraft() {
  if (!state.dirty || state.saving || !state.task || !state.editor) return;
  const task = state.task;
  const body = { result: state.editor.getResult(), lead_time: (performance.now() - state.startedAt) / 1000 };
  if (state.annotation) body.annotation = state.annotation.id;
  state.dirty = false;
  showSave("Saving…", "saving");
  state.saving = (async () => {
    try {
      if (state.draft && state.draft.task === task.id) state.draft = await patch(`/api/drafts/${state.draft.id}`, body);
      else state.draft = await post(`/api/tasks/${task.id}/drafts`, body);
      state.failed = false;
      if (state.task === task) showSave(state.dirty ? "Unsaved changes" : "Draft saved", state.dirty ? "pending" : "saved");
    } catch (error) {
      state.dirty = true;
      state.failed = true;
      if (state.task === task) showSave(`Draft not saved (${error.message}) — retrying`, "failed");
    } finally {
      state.saving = null;
    }
  })();
  await state.saving;
}

async function forgetDraft(task) {
  localStorage.removeItem(localKey(task.id));
  if (state.saving) await state.saving.catch(() => {});
  const draft = state.draft;
  state.draft = null;
  state.dirty = false;
  if (draft) await del(`/api/drafts/${draft.id}`).catch(() => {});
}

async function run(action) {
  if (state.busy) return;
  state.busy = true;
  try {
    await action();
  } catch (error) {
    say(error instanceof ApiError ? `The server refused: ${error.message}` : error.message);
  } finally {
    state.busy = false;
  }
}

function submit() {
  return run(async () => {
    if (!state.editor || !state.task) return;
    const problems = state.editor.validate();
    if (problems.length) {
      say(problems);
      return;
    }
    const task = state.task;
    const body = { result: state.editor.getResult(), lead_time: (performance.now() - state.startedAt) / 1000 };
    const presentation = state.editor.getPresentation();
    if (presentation) body.presentation = presentation;
    if (state.annotation) await patch(`/api/annotations/${state.annotation.id}`, body);
    else await post(`/api/tasks/${task.id}/annotations`, { ...body, was_cancelled: false });
    remember(task.id, "submitted");
    await forgetDraft(task);
    if (state.annotation && state.annotation.review_status === "rejected") refreshRejections();
    await nextTask();
  });
}

function skip() {
  return run(async () => {
    if (!state.task) return;
    const task = state.task;
    await post(`/api/tasks/${task.id}/annotations`, { result: [], was_cancelled: true, lead_time: (performance.now() - state.startedAt) / 1000 });
    remember(task.id, "skipped");
    await forgetDraft(task);
    await nextTask();
  });
}

async function loadTask(id) {
  const task = await get(`/api/tasks/${id}`);
  if (task.drafts === undefined) task.drafts = await get(`/api/tasks/${id}/drafts`);
  return task;
}

async function openTask(id) {
  await saveDraft();
  try {
    showTask(await loadTask(id));
  } catch (error) {
    say(error.message);
  }
}

function queueEmpty(message) {
  if (state.editor) state.editor.destroy();
  state.editor = null;
  state.task = null;
  els.task.textContent = "";
  showVerdict($("lab-review"), null);
  showSave("");
  say(message, "info");
  root.dataset.taskId = "";
}

async function nextTask() {
  await saveDraft();
  const t0 = performance.now();
  try {
    // The POST answers 204 (no body) when nothing is left: an empty queue is not an error in the console.
    // A selection leaves out the tasks opened this session and left without an answer.
    const passed = () => state.history.filter((e) => e.status === "open").map((e) => e.id);
    const task = selection ? await selection.next(passed()) : await post(`/api/projects/${projectId}/next`);
    if (!task && selection) {
      const { lines, link } = selection.end();
      queueEmpty(lines);
      els.messages.firstChild.append(link);
      return;
    }
    if (!task) {
      queueEmpty("No more tasks to label.");
      return;
    }
    if (!task.drafts || !task.annotations) {
      const full = await loadTask(task.id);
      Object.assign(task, { drafts: full.drafts, annotations: full.annotations });
    }
    showTask(task);
    performance.measure("tessera:next-task", { start: t0, end: performance.now() });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      queueEmpty(error.message && error.message !== "HTTP 404" ? error.message : "This project is not yours to label.");
      return;
    }
    throw error;
  }
}

function back() {
  return run(async () => {
    if (!state.task) {
      const last = state.history[state.history.length - 1];
      if (last) await openTask(last.id);
      return;
    }
    const at = state.history.findIndex((e) => e.id === state.task.id);
    if (at > 0) await openTask(state.history[at - 1].id);
  });
}

// Submit on choice: one key press per classification task. Only for a config whose single answer is that
// choice, so that nothing else the annotator meant to fill in is skipped.
function choiceMade() {
  if (!els.auto.checked || !state.editor) return;
  if (state.editor.validate().length) return;
  setTimeout(submit, 0);
}

document.addEventListener("keydown", (event) => {
  const ctrl = event.ctrlKey || event.metaKey;
  if (ctrl && event.key === "Enter") {
    event.preventDefault();
    submit();
  } else if (ctrl && event.key === " ") {
    event.preventDefault();
    skip();
  } else if (ctrl && event.key === "ArrowLeft") {
    event.preventDefault();
    back();
  }
});

$("lab-submit").addEventListener("click", submit);
$("lab-skip").addEventListener("click", skip);
$("lab-back").addEventListener("click", back);
$("lab-next").addEventListener("click", () => run(nextTask));
$("lab-help").addEventListener("click", () => state.editor && state.editor.toggleHelp());
els.auto.checked = localStorage.getItem(autoKey) === "1";
els.auto.addEventListener("change", () => localStorage.setItem(autoKey, els.auto.checked ? "1" : "0"));
setInterval(saveDraft, SAVE_EVERY_MS);
window.addEventListener("online", saveDraft);
window.addEventListener("beforeunload", (event) => {
  if (state.dirty || state.saving) event.preventDefault();
});

function refreshRejections() {
  drawRejections($("lab-rejected"), projectId, openFromSideBar, () => started).catch(() => {});
}

// The actions wait for the page to start: a "Next task" pressed while the page still opens the task in its URL
// would show that task over the answer to the press (the buttons come disabled, and `busy` holds the keys off).
// So do the side bar's task buttons (a rejected task's, drawn while the page starts).
const ACTIONS = ["lab-back", "lab-skip", "lab-submit", "lab-next"];
const SIDE_BAR_TASKS = "#lab-history button, #lab-rejected-list button";

async function start() {
  state.busy = true;
  try {
    const [project, me, connectors] = await Promise.all([
      get(`/api/projects/${projectId}`),
      get("/api/current-user/whoami"),
      get(`/api/projects/${projectId}/connectors`).catch(() => []),
    ]);
    state.project = project;
    state.me = me;
    state.hasModel = connectors.length > 0;
    els.title.textContent = project.title || `Project ${projectId}`;
    document.title = `${els.title.textContent} · Labeling · Tessera`;
    if (project.expert_instruction) {
      els.instructionsBody.replaceChildren(sanitizedFragment(project.expert_instruction));
      els.instructions.hidden = false;
      els.instructions.open = !!project.show_instruction;
    }
    if (project.submit_on_choice !== undefined && localStorage.getItem(autoKey) === null) els.auto.checked = !!project.submit_on_choice;
    const wanted = Number(root.dataset.task || new URL(location.href).searchParams.get("task"));
    refreshRejections();
    if (wanted) showTask(await loadTask(wanted));
    else await nextTask();
    performance.mark("tessera:ready"); // the speed test reads it: interactive, counted from navigation start
  } catch (error) {
    say(error.message);
  } finally {
    state.busy = false;
    started = true;
    for (const id of ACTIONS) $(id).disabled = false;
    for (const button of document.querySelectorAll(SIDE_BAR_TASKS)) button.disabled = false;
    root.dataset.ready = "1";
  }
}

start();
