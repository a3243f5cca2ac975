// The export dialog's snapshot panel: the project's snapshots kept on the server (big exports from the dialog,
// and any made through the API), newest first, PAGE at a time with "Show more". Each shows when and by whom it
// was made, its formats and filters, its status (the job's progress while it is written, the error once it
// failed), and each written file's size and md5 with a Download link; Delete, after a confirmation, for the
// roles the API lets delete any snapshot (data-delete-any) and for whoever made it. The panel is drawn only for
// roles that may see exports; everything from the server goes in as text.

import { del, get } from "./api.js";
import { $, clear, confirmDelete, h, showError, toast } from "./dom.js";

const PAGE = 10;
const POLL_MS = 1000;
const panel = $("#export-snapshots");
let projectId = null;
let shown = PAGE;
let timer = null;
let drawn = 0; // the latest load's number: an older answer arriving late is dropped

const count = (n) => Number(n).toLocaleString("en-US");
const RUNNING = new Set(["created", "in_progress"]);
const STATUS = { created: "Waiting for a worker", in_progress: "In progress", completed: "Completed", failed: "Failed" };

export function size(bytes) {
  if (bytes === null || bytes === undefined) return "size unknown";
  const units = ["bytes", "KB", "MB", "GB", "TB"];
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${count(value)} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

// A snapshot job writes the JSON file, then each other format asked for (`formats`), each in a pass over the
// tasks, and reports {tasks, task_total, format} of the pass under way. One bar for the whole job, filled once
// from 0 to 100 %, each pass its share; the text names the pass.
export function jobProgress(progress, formats) {
  const passes = ["JSON", ...formats.map((f) => String(f).toUpperCase()).filter((f) => f !== "JSON")];
  const pass = Math.max(0, passes.indexOf(String(progress.format || "JSON").toUpperCase()));
  const total = progress.task_total;
  const step = passes.length > 1 ? ` (step ${pass + 1} of ${passes.length})` : "";
  return {
    max: total * passes.length,
    value: pass * total + Math.min(progress.tasks, total),
    text: `Writing ${progress.format || "JSON"}: ${count(progress.tasks)} of ${count(total)} tasks${step}`,
  };
}

function who(user) {
  if (!user) return "an unknown user";
  const name = [user.first_name, user.last_name].filter(Boolean).join(" ");
  return name && user.email ? `${name} (${user.email})` : name || user.email || `user ${user.id}`;
}

// Label Studio's filter options in words (the same keys the dialog and the API's snapshots take).
export function filters(record) {
  const tasks = record.task_filter_options || {};
  const annotations = record.annotation_filter_options || {};
  const ids = Array.isArray(tasks.view_ids) ? tasks.view_ids : null;
  const parts = [];
  if (ids) parts.push(`${count(ids.length)} selected task${ids.length === 1 ? "" : "s"}`);
  else parts.push(tasks.only_with_annotations ? "Tasks with annotations" : "All tasks");
  if (annotations.ground_truth === true) parts.push("ground truth only");
  if (annotations.reviewed === "only") parts.push("accepted by a review only");
  if (annotations.reviewed === "exclude") parts.push("not accepted by a review");
  if (Array.isArray(annotations.annotators)) parts.push(`annotators ${annotations.annotators.join(", ")}`);
  return parts.join(" · ");
}

// The written files: the JSON one (its md5 and size at the top of the record) and each converted format.
function files(record) {
  if (record.status !== "completed") return [];
  const converted = (record.converted_formats || []).filter((f) => f.status === "completed");
  return [{ export_type: "JSON", md5: record.md5, size: record.size }, ...converted];
}

function mayDelete(record) {
  if (panel.dataset.deleteAny === "true") return true;
  return Boolean(record.created_by) && String(record.created_by.id) === panel.dataset.user;
}

function statusLine(record) {
  if (record.status === "failed") {
    return h("p", { class: "error snapshot-error", text: `Failed: ${record.error || "no reason was given"}` });
  }
  if (!RUNNING.has(record.status)) return null;
  const progress = record.progress;
  if (!progress || !progress.task_total) return h("p", { class: "muted", text: `${STATUS[record.status]}…` });
  const shown = jobProgress(progress, (record.converted_formats || []).map((f) => f.export_type));
  return h(
    "p",
    { class: "snapshot-progress" },
    h("progress", { max: shown.max, value: shown.value, "aria-label": shown.text }),
    h("span", { text: shown.text }),
  );
}

function row(record) {
  const formats = ["JSON", ...(record.converted_formats || []).map((f) => f.export_type)];
  const base = `/api/projects/${projectId}/exports/${record.id}`;
  const written = record.counters && record.counters.task_number;
  return h(
    "li",
    { class: "snapshot", dataset: { id: record.id, status: record.status } },
    h(
      "div",
      { class: "snapshot-head" },
      h("strong", { text: `#${record.id}` }),
      h("span", { class: "snapshot-formats", text: formats.join(", ") }),
      h("span", { class: `badge status-${record.status}`, text: STATUS[record.status] || record.status }),
      record.status === "completed" && written !== undefined
        ? h("span", { class: "muted", text: `${count(written)} task${written === 1 ? "" : "s"}` })
        : null,
      mayDelete(record)
        ? h("button", {
            type: "button",
            class: "snapshot-delete",
            text: "Delete",
            "aria-label": `Delete snapshot #${record.id}`,
            onclick: () => remove(record, formats),
          })
        : null,
    ),
    record.title ? h("div", { class: "snapshot-title", text: record.title }) : null,
    h(
      "div",
      { class: "muted" },
      "Made ",
      h("time", { datetime: record.created_at, text: new Date(record.created_at).toLocaleString() }),
      ` by ${who(record.created_by)}`,
    ),
    h("div", { class: "muted snapshot-filters", text: filters(record) }),
    statusLine(record),
    h(
      "ul",
      { class: "snapshot-files" },
      files(record).map((file) =>
        h(
          "li",
          { dataset: { format: file.export_type } },
          h("a", {
            href: `${base}/download?${new URLSearchParams({ exportType: file.export_type })}`,
            download: "",
            text: `Download ${file.export_type}`,
          }),
          ` ${size(file.size)} · md5 `,
          h("code", { text: file.md5 || "—" }),
        ),
      ),
    ),
  );
}

async function remove(record, formats) {
  const running = RUNNING.has(record.status) ? " Its export stops." : "";
  const text = `Delete snapshot #${record.id} (${formats.join(", ")}) and its files from the server?${running}`;
  if (!(await confirmDelete(text))) return;
  try {
    await del(`/api/projects/${projectId}/exports/${record.id}`);
    toast(`Snapshot #${record.id} deleted.`);
  } catch (error) {
    showError($("#snapshots-error"), error);
  }
  load();
}

function stop() {
  clearTimeout(timer);
  timer = null;
}

async function load() {
  if (!panel || !panel.open || projectId === null) return;
  stop();
  const mine = ++drawn;
  const project = projectId;
  let records;
  try {
    records = await get(`/api/projects/${project}/exports?${new URLSearchParams({ limit: shown + 1 })}`);
  } catch (error) {
    if (mine === drawn) showError($("#snapshots-error"), error);
    return;
  }
  if (mine !== drawn || project !== projectId) return;
  $("#snapshots-error").hidden = true;
  const list = records.slice(0, shown);
  clear($("#snapshot-list")).append(...list.map(row));
  $("#snapshots-empty").hidden = list.length > 0;
  $("#snapshots-more").hidden = records.length <= shown;
  const dialog = panel.closest("dialog");
  if (list.some((r) => RUNNING.has(r.status)) && dialog && dialog.open) timer = setTimeout(load, POLL_MS);
}

// The dialog opened on a project: a new project starts at the first page; an open panel loads at once.
export function openSnapshots(project) {
  if (!panel) return;
  if (project !== projectId) {
    projectId = project;
    shown = PAGE;
    clear($("#snapshot-list"));
  }
  load();
}

// Something changed the project's snapshots (the dialog made, finished or cancelled one).
export function refreshSnapshots() {
  if (panel) load();
}

if (panel) {
  panel.addEventListener("toggle", () => (panel.open ? load() : stop()));
  panel.closest("dialog").addEventListener("close", stop);
  $("#snapshots-more").addEventListener("click", () => {
    shown += PAGE;
    load();
  });
}
