// The export dialog: every format the server offers for the project, and which annotations go out (tasks with
// annotations only, ground truth only, accepted by a review only).
//
// Up to the server's job threshold (the dialog's data-job-tasks, the `export_job_tasks` setting) the browser
// downloads the file itself: a GET link carries the session cookie and the server streams the file with its
// name. A bigger export goes through a snapshot that a job writes, in the chosen format too: the dialog polls it,
// shows its progress, and downloads it once written. Closing the dialog, or "Cancel export", deletes the
// snapshot (a job still running throws away what it wrote). Below, the snapshots on the server
// (export_snapshots.js), for the roles that may see them.

import { del, get, post } from "./api.js";
import { $, h, showError, toast, wireDialog } from "./dom.js";
import { jobProgress, openSnapshots, refreshSnapshots } from "./export_snapshots.js";

const dialog = wireDialog($("#export-dialog"));
const jobTasks = Number(dialog.dataset.jobTasks) || 20000;
const POLL_MS = 500;
let projectId = null;
let taskIds = null;
let projectTasks = null; // a promise of the project's task count, asked when the dialog opens
let formats = null;
let run = null; // the snapshot being made: { projectId, exportId, format, stopped }

async function drawFormats() {
  const box = $("#export-formats");
  if (!formats) formats = await get(`/api/projects/${projectId}/export/formats`);
  for (const el of Array.from(box.children)) if (el.tagName !== "LEGEND") el.remove();
  formats.forEach((format, i) =>
    box.append(
      h(
        "label",
        { class: "format", title: format.description || "" },
        h("input", {
          type: "radio",
          name: "format",
          value: format.name,
          checked: i === 0,
          disabled: Boolean(format.disabled),
        }),
        h("strong", { text: format.title || format.name }),
        format.description ? h("span", { class: "muted", text: ` ${format.description}` }) : null,
      ),
    ),
  );
}

function download(href) {
  const link = h("a", { href, download: "" });
  document.body.append(link);
  link.click();
  link.remove();
}

const count = (n) => Number(n).toLocaleString("en-US");

function choices() {
  const chosen = dialog.querySelector('input[name="format"]:checked');
  return chosen && {
    format: chosen.value,
    labeledOnly: $("#export-labeled-only").checked,
    groundTruth: $("#export-ground-truth").checked,
    accepted: $("#export-accepted").checked,
  };
}

function syncExport(choice) {
  const params = new URLSearchParams({ exportType: choice.format });
  if (taskIds) params.set("ids", taskIds.join(","));
  if (!choice.labeledOnly) params.set("download_all_tasks", "true");
  if (choice.groundTruth) params.set("ground_truth", "true");
  if (choice.accepted) params.set("reviewed", "only");
  download(`/api/projects/${projectId}/export?${params}`);
}

// The same choices in a snapshot's body (Label Studio's filter shape): as in the sync export, a selection goes
// out whole and "only tasks with annotations" applies to the whole project.
function snapshotBody(choice) {
  const tasks = { only_with_annotations: choice.labeledOnly && !taskIds };
  if (taskIds) tasks.view_ids = taskIds;
  const annotations = {};
  if (choice.groundTruth) annotations.ground_truth = true;
  if (choice.accepted) annotations.reviewed = "only";
  return {
    title: `Export dialog, ${choice.format}`,
    export_type: choice.format,
    task_filter_options: tasks,
    annotation_filter_options: annotations,
  };
}

function setRunning(running) {
  $("#export-submit").disabled = running;
  $("#export-cancel").hidden = !running;
}

// The job writes JSON, then the chosen format when it is another: one bar for both (see jobProgress).
function showProgress(progress, status, format) {
  const bar = $("#export-progress");
  const text = $("#export-progress-text");
  $("#export-run").hidden = false;
  if (!progress || !progress.task_total) {
    bar.removeAttribute("value"); // indeterminate until the job reports
    text.textContent = status === "created" ? "Waiting for a worker…" : "Starting…";
    return;
  }
  const shown = jobProgress(progress, [format]);
  bar.max = shown.max;
  bar.value = shown.value;
  text.textContent = shown.text;
}

function finish(current, record) {
  run = null;
  setRunning(false);
  const bar = $("#export-progress");
  bar.max = 1;
  bar.value = 1;
  const written = (record.counters && record.counters.task_number) || 0;
  $("#export-progress-text").textContent = `Done: ${count(written)} task${written === 1 ? "" : "s"} exported`;
  const params = new URLSearchParams({ exportType: current.format });
  download(`/api/projects/${current.projectId}/exports/${current.exportId}/download?${params}`);
  refreshSnapshots();
}

function fail(error) {
  run = null;
  setRunning(false);
  $("#export-run").hidden = true;
  showError($("#export-error"), error);
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function watch(current, record) {
  while (!current.stopped) {
    if (record.status === "completed") return finish(current, record);
    if (record.status === "failed") {
      return fail(new Error(`The export failed: ${record.error || "no reason was given"}`));
    }
    showProgress(record.progress, record.status, current.format);
    await pause(POLL_MS);
    if (current.stopped) return;
    record = await get(`/api/projects/${current.projectId}/exports/${current.exportId}`);
  }
}

async function exportThroughJob(choice) {
  const current = { projectId, exportId: null, format: choice.format, stopped: false };
  run = current;
  setRunning(true);
  showProgress(null, "in_progress", choice.format);
  try {
    const record = await post(`/api/projects/${projectId}/exports`, snapshotBody(choice));
    current.exportId = record.id;
    if (current.stopped) return forget(current); // cancelled while the request was on its way
    refreshSnapshots();
    await watch(current, record);
  } catch (error) {
    if (!current.stopped) fail(error);
  }
}

function forget(current) {
  if (current.exportId === null) return;
  del(`/api/projects/${current.projectId}/exports/${current.exportId}`).then(refreshSnapshots, (error) =>
    toast(`The cancelled export could not be deleted: ${error.message}`, "error"),
  );
}

// Stop watching the running export and delete its snapshot (Cancel export, or the dialog closing).
function cancelRun() {
  if (!run) return;
  const current = run;
  current.stopped = true;
  run = null;
  forget(current);
  setRunning(false);
  $("#export-run").hidden = true;
}

$("#export-cancel").addEventListener("click", cancelRun);
dialog.addEventListener("close", cancelRun);

$("#export-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const choice = choices();
  if (!choice || run || $("#export-submit").disabled) return;
  $("#export-error").hidden = true;
  $("#export-run").hidden = true;
  $("#export-submit").disabled = true; // until the count is known: one export per click
  const tasks = taskIds ? taskIds.length : await projectTasks;
  $("#export-submit").disabled = false;
  if (!dialog.open) return; // closed meanwhile
  if (tasks > jobTasks) exportThroughJob(choice);
  else syncExport(choice);
});

// `ids` null exports every task of the project; a list exports those tasks.
export async function openExport(project, ids = null) {
  projectId = project;
  taskIds = ids;
  projectTasks = ids ? null : get(`/api/projects/${project}`).then((p) => p.task_number, () => null);
  $("#export-error").hidden = true;
  $("#export-run").hidden = true;
  setRunning(false);
  $("#export-scope").textContent = ids ? `${ids.length} selected task${ids.length === 1 ? "" : "s"}` : "All tasks";
  dialog.showModal();
  openSnapshots(project);
  try {
    await drawFormats();
  } catch (error) {
    showError($("#export-error"), error);
  }
}
