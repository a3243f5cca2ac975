// Project settings: title, description, Markdown instructions with a sanitized preview, the labeling config with
// validation as you type and a live preview, annotation options, members and roles, and deleting the project.

import { ApiError, del, get, patch, post } from "./api.js";
import { $, clear, debounce, h, showError, toast, wireDialog } from "./dom.js";
import { renderMarkdown } from "./markdown.js";
import { Preview } from "./preview.js";
import { setUpConnectors } from "./connectors_panel.js";

const root = $("#settings-root");
const projectId = Number(root.dataset.project);
const preview = new Preview($("#config-preview"));
const BOOLEANS = ["show_instruction", "show_skip_button", "enable_empty_annotation", "show_collab_predictions", "annotators_see_others", "shuffle_comparisons"];
const CHOICES = ["sampling", "skip_queue"];
let project = null;


function sampleTask(fields) {
  // A task to preview a config on: every data field filled with something of a plausible shape.
  const data = {};
  for (const field of fields) {
    const name = field.toLowerCase();
    if (/image|img|photo|picture/.test(name)) data[field] = "/static/app/samples/street.svg";
    else if (/audio|sound|speech/.test(name)) data[field] = "/static/app/samples/tone.wav";
    else if (/dialog|chat|conversation|messages/.test(name)) data[field] = [{ author: "user", text: "Hello" }, { author: "assistant", text: "Hi! How can I help?" }];
    else if (/items|replies|list/.test(name)) data[field] = [{ id: "a", title: "First", body: "One" }, { id: "b", title: "Second", body: "Two" }];
    else data[field] = `Sample ${field}`;
  }
  return { id: 0, data };
}

const showInstructions = () => clear($("#instructions-preview")).append(renderMarkdown($("#instructions").value));

async function validateConfig() {
  const status = $("#config-status");
  const config = $("#label-config").value;
  try {
    const result = await post(`/api/projects/${projectId}/validate`, { label_config: config });
    if (config !== $("#label-config").value) return; // typed on meanwhile

    status.className = "validation valid";
    status.textContent = result.data_fields.length ? `Valid; data fields: ${result.data_fields.join(", ")}` : "Valid";
    preview.show(config, sampleTask(result.data_fields));
  } catch (error) {
    if (config !== $("#label-config").value) return;
    if (!(error instanceof ApiError) || error.status !== 400) throw error;

    status.className = "validation error";
    const fields = Object.values((error.body && error.body.validation_errors) || {}).flat();
    status.textContent = [error.message, ...fields.filter((m) => m !== error.message)].join(" — ");
  }
}

function fill() {
  $("#project-name").textContent = `${project.title} · settings`;
  document.title = `${project.title} · Settings · Tessera`;
  $("#title").value = project.title;
  $("#description").value = project.description || "";
  $("#instructions").value = project.expert_instruction || "";
  $("#label-config").value = project.label_config || "";
  $("#maximum_annotations").value = project.maximum_annotations ?? 1;
  $("#overlap_cohort_percentage").value = project.overlap_cohort_percentage ?? 100;
  $("#annotation_limit_count").value = project.annotation_limit_count ?? "";
  $("#ground_truth_rate").value = project.ground_truth_rate ?? 0;
  $("#priority_field").value = project.priority_field ?? "";
  $("#agreement_threshold").value = project.agreement_threshold ?? "";
  $("#max_additional_annotators_assignable").value = project.max_additional_annotators_assignable ?? 1;
  $("#sampling_seed").value = project.sampling_seed ?? "";
  for (const name of BOOLEANS) $(`#${name}`).checked = Boolean(project[name]);
  for (const name of CHOICES) if (project[name]) $(`#${name}`).value = project[name];
  showInstructions();
  validateConfig();
}

async function drawMembers() {
  const body = $("#members");
  clear(body);
  for (const member of await get(`/api/projects/${projectId}/members`)) {
    const role = h(
      "select",
      {
        "aria-label": `Role of ${member.user.email}`,
        onchange: async (event) => {
          try {
            await post(`/api/projects/${projectId}/members`, { user: member.user.id, role: event.target.value });
            toast(`${member.user.email} is now ${event.target.value}.`);
          } catch (error) {
            showError($("#member-error"), error);
          }
        },
      },
      ["annotator", "reviewer", "manager"].map((r) => h("option", { value: r, selected: r === member.role, text: r })),
    );
    body.append(
      h(
        "tr",
        {},
        h("td", { text: member.user.email }),
        h("td", {}, role),
        h(
          "td",
          {},
          h("button", {
            type: "button",
            class: "link",
            text: "remove",
            "aria-label": `Remove ${member.user.email}`,
            onclick: async () => {
              try {
                await del(`/api/projects/${projectId}/members/${member.user.id}`);
                drawMembers();
              } catch (error) {
                showError($("#member-error"), error);
              }
            },
          }),
        ),
      ),
    );
  }
}

$("#instructions").addEventListener("input", debounce(showInstructions, 150));
$("#label-config").addEventListener("input", debounce(() => validateConfig(), 300));
$("#label-config").addEventListener("keydown", (event) => {
  // Tab indents in the config editor instead of leaving it (Escape then Tab leaves, as in code editors).
  if (event.key !== "Tab" || event.shiftKey || event.target.dataset.escaped === "1") return;
  event.preventDefault();
  event.target.setRangeText("  ", event.target.selectionStart, event.target.selectionEnd, "end");
});
$("#label-config").addEventListener("keyup", (event) => (event.target.dataset.escaped = event.key === "Escape" ? "1" : ""));

$("#add-member").addEventListener("click", async () => {
  $("#member-error").hidden = true;
  try {
    await post(`/api/projects/${projectId}/members`, { user: $("#member-email").value.trim(), role: $("#member-role").value });
    $("#member-email").value = "";
    await drawMembers();
  } catch (error) {
    showError($("#member-error"), error);
  }
});

$("#settings-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("#settings-error").hidden = true;
  const body = {
    title: $("#title").value.trim(),
    description: $("#description").value,
    expert_instruction: $("#instructions").value,
    maximum_annotations: Number($("#maximum_annotations").value),
    overlap_cohort_percentage: Number($("#overlap_cohort_percentage").value),
    annotation_limit_count: $("#annotation_limit_count").value ? Number($("#annotation_limit_count").value) : null,
    ground_truth_rate: Number($("#ground_truth_rate").value),
    priority_field: $("#priority_field").value.trim() || null,
    agreement_threshold: $("#agreement_threshold").value === "" ? null : Number($("#agreement_threshold").value),
    max_additional_annotators_assignable: Number($("#max_additional_annotators_assignable").value),
    sampling_seed: $("#sampling_seed").value === "" ? null : Number($("#sampling_seed").value),
  };
  for (const name of BOOLEANS) body[name] = $(`#${name}`).checked;
  for (const name of CHOICES) body[name] = $(`#${name}`).value;
  if ($("#label-config").value !== project.label_config) body.label_config = $("#label-config").value;
  try {
    project = await patch(`/api/projects/${projectId}`, body);
    $("#project-name").textContent = `${project.title} · settings`;
    $("#save-status").textContent = "Saved.";
    toast("Settings saved.");
  } catch (error) {
    showError($("#settings-error"), error);
    $("#save-status").textContent = "Not saved.";
    $("#settings-error").scrollIntoView({ block: "center" });
  }
});
document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "s") {
    event.preventDefault();
    $("#settings-form").requestSubmit();
  }
});

const deleteDialog = wireDialog($("#delete-dialog"));
$("#delete-project").addEventListener("click", () => {
  $("#delete-name").textContent = project.title;
  $("#delete-confirm").value = "";
  $("#delete-yes").disabled = true;
  deleteDialog.showModal();
});
$("#delete-confirm").addEventListener("input", (e) => ($("#delete-yes").disabled = e.target.value !== project.title));
$("#delete-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await del(`/api/projects/${projectId}`);
    window.location.assign("/projects");
  } catch (error) {
    deleteDialog.close();
    showError($("#settings-error"), error);
  }
});

async function start() {
  try {
    project = await get(`/api/projects/${projectId}`);
  } catch (error) {
    showError($("#settings-error"), error);
    $("#settings-form").hidden = true;
    return;
  }
  fill();
  try {
    await drawMembers();
  } catch (error) {
    showError($("#member-error"), error);
  }
  await setUpConnectors(projectId, project);
}

start();
