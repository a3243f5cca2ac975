// The import dialog: files by drag and drop or chooser, or a URL (or tasks pasted as JSON), sent with
// XMLHttpRequest for its upload progress, and a report of what was imported or what the server refused and why.
// An import that the server runs as a job (a big upload; a URL, always sent with ?async=true) answers with its
// id: the dialog then polls GET /api/projects/{id}/imports/{import_id} and shows the job's progress.

import { ApiError, csrfToken, get } from "./api.js";
import { $, clear, h, showError, wireDialog } from "./dom.js";

const dialog = wireDialog($("#import-dialog"));
const input = $("#import-files");
const zone = $("#drop-zone");
const progress = $("#import-progress");
let files = [];
let projectId = null;
let onImported = () => {};

function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function drawFiles() {
  const list = $("#import-file-list");
  clear(list);
  files.forEach((file, i) =>
    list.append(
      h(
        "li",
        {},
        h("span", { text: `${file.name} (${size(file.size)})` }),
        h("button", {
          type: "button",
          class: "link",
          "aria-label": `Remove ${file.name}`,
          text: "remove",
          onclick: () => {
            files.splice(i, 1);
            drawFiles();
          },
        }),
      ),
    ),
  );
}

function addFiles(list) {
  files.push(...Array.from(list));
  drawFiles();
}

input.addEventListener("change", () => {
  addFiles(input.files);
  input.value = "";
});
for (const kind of ["dragenter", "dragover"])
  zone.addEventListener(kind, (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
zone.addEventListener("dragleave", () => zone.classList.remove("over"));
zone.addEventListener("drop", (event) => {
  event.preventDefault();
  zone.classList.remove("over");
  addFiles(event.dataTransfer.files);
});

const POLL_MS = 400;
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function send(body, query) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/projects/${projectId}/import?return_task_ids=false${query}`);
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) progress.value = (100 * event.loaded) / event.total;
    });
    xhr.addEventListener("load", () => {
      let data = null;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        data = { detail: xhr.responseText };
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new ApiError(xhr.status, data));
    });
    xhr.addEventListener("error", () => reject(new Error("the upload failed: network error")));
    xhr.send(body);
  });
}

function showJob(state) {
  const seen = state.progress || {};
  const downloading = seen.phase === "downloading";
  const read = seen.bytes_read || 0;
  if (seen.bytes_total) progress.value = (100 * Math.min(read, seen.bytes_total)) / seen.bytes_total;
  else progress.removeAttribute("value"); // indeterminate until a size is known
  let text = state.status === "created" ? "Waiting for the import to start…" : "Importing…";
  if (downloading) text = `Downloading… ${size(read)}${seen.bytes_total ? ` of ${size(seen.bytes_total)}` : ""}`;
  else if (seen.rows) text = `Importing… ${seen.rows.toLocaleString()} rows read`;
  const box = $("#import-report");
  clear(box);
  box.append(h("p", { class: "muted", text }));
}

// Polls an import job until it ends: its record when completed; the job's error (with its bad rows) if failed.
async function follow(importId) {
  for (;;) {
    const state = await get(`/api/projects/${projectId}/imports/${importId}`);
    if (state.status === "completed") return state;
    if (state.status === "failed") {
      const rows = (state.errors || []).filter((line) => line !== state.error);
      throw new ApiError(400, { detail: state.error, validation_errors: rows.length ? { tasks: rows } : {} });
    }
    showJob(state);
    await pause(POLL_MS);
  }
}

function report(result) {
  const box = $("#import-report");
  clear(box);
  const parts = [`Imported ${result.task_count} task${result.task_count === 1 ? "" : "s"}`];
  if (result.annotation_count) parts.push(`${result.annotation_count} annotations`);
  if (result.prediction_count) parts.push(`${result.prediction_count} predictions`);
  box.append(h("p", { class: "ok", text: parts.join(", ") + "." }));
  if (result.data_columns && result.data_columns.length)
    box.append(h("p", { class: "muted", text: `Data fields: ${result.data_columns.join(", ")}` }));
}

$("#import-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const url = $("#import-url").value.trim();
  if (!files.length && !url) {
    showError($("#import-error"), "Choose a file or paste a URL first.");
    return;
  }
  const body = new FormData();
  if (files.length) for (const file of files) body.append("file", file, file.name);
  else body.append("url", url);
  const button = $("#import-submit");
  button.disabled = true;
  $("#import-error").hidden = true;
  clear($("#import-report"));
  progress.value = 0;
  progress.hidden = false;
  try {
    let result = await send(body, files.length ? "" : "&async=true");
    if (result && result.import) result = await follow(result.import);
    progress.value = 100;
    report(result);
    files = [];
    drawFiles();
    $("#import-url").value = "";
    onImported(result);
  } catch (error) {
    progress.hidden = true;
    clear($("#import-report"));
    showError($("#import-error"), error);
    const error_el = $("#import-error");
    error_el.prepend(h("p", { text: "Nothing was imported: the server refused the import." }));
  } finally {
    button.disabled = false;
  }
});

export function openImport(project, done) {
  projectId = project;
  onImported = done;
  files = [];
  drawFiles();
  clear($("#import-report"));
  $("#import-error").hidden = true;
  progress.hidden = true;
  dialog.showModal();
}
