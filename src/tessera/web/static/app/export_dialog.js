// The export dialog: every format the server offers for the project, and which annotations go out (tasks with
// annotations only, ground truth only, accepted by a review only), downloaded by the browser itself (a GET link
// carries the session cookie; the server streams the file with its name).

import { get } from "./api.js";
import { $, h, showError, wireDialog } from "./dom.js";

const dialog = wireDialog($("#export-dialog"));
let projectId = null;
let taskIds = null;
let formats = null;

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

$("#export-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const chosen = dialog.querySelector('input[name="format"]:checked');
  if (!chosen) return;
  const params = new URLSearchParams({ exportType: chosen.value });
  if (taskIds) params.set("ids", taskIds.join(","));
  if (!$("#export-labeled-only").checked) params.set("download_all_tasks", "true");
  if ($("#export-ground-truth").checked) params.set("ground_truth", "true");
  if ($("#export-accepted").checked) params.set("reviewed", "only");
  const link = h("a", { href: `/api/projects/${projectId}/export?${params}`, download: "" });
  document.body.append(link);
  link.click();
  link.remove();
});

// `ids` null exports every task of the project; a list exports those tasks.
export async function openExport(project, ids = null) {
  projectId = project;
  taskIds = ids;
  $("#export-error").hidden = true;
  $("#export-scope").textContent = ids ? `${ids.length} selected task${ids.length === 1 ? "" : "s"}` : "All tasks";
  dialog.showModal();
  try {
    await drawFormats();
  } catch (error) {
    showError($("#export-error"), error);
  }
}
