// The "Model connectors" section of the project settings: list, add and remove a project's OpenAI-compatible
// endpoints (the key is write-only: the server answers `has_key`, never the key), and run a generation or judge
// job over the tasks with its progress polled until it ends. See docs/connectors.md for the API.

import { del, get, post } from "./api.js";
import { $, $$, clear, h, showError, toast } from "./dom.js";

const POLL_MS = 1000;
const COUNTS = ["tasks", "written", "skipped", "predicted", "unparseable", "failed"]; // of a finished job's result
let projectId = null;
let project = null;

function fail(error) {
  showError($("#connector-error"), error);
}

function keyText(connector) {
  if (connector.api_key_env) return `env ${connector.api_key_env}`;
  return connector.has_key ? "stored" : "none";
}

async function draw() {
  const connectors = await get(`/api/projects/${projectId}/connectors`);
  clear($("#connectors")).append(
    ...connectors.map((c) =>
      h(
        "tr",
        { dataset: { connector: String(c.id) } },
        h("td", { text: c.name }),
        h("td", { text: c.model }),
        h("td", { text: c.base_url || "" }),
        h("td", { text: keyText(c) }),
        h("td", { text: c.is_default ? "yes" : "" }),
        h(
          "td",
          {},
          h("button", {
            type: "button",
            class: "link",
            text: "remove",
            "aria-label": `Remove connector ${c.name}`,
            onclick: () => remove(c),
          }),
        ),
      ),
    ),
  );
  clear($("#run-connector")).append(...connectors.map((c) => h("option", { value: String(c.id), text: `${c.name} (${c.model})` })));
  $("#run-start").disabled = !connectors.length;
}

async function remove(connector) {
  try {
    await del(`/api/connectors/${connector.id}`);
    toast(`Connector ${connector.name} removed.`);
    await draw();
  } catch (error) {
    fail(error);
  }
}

async function add() {
  $("#connector-error").hidden = true;
  const body = {
    name: $("#connector-name").value.trim(),
    base_url: $("#connector-url").value.trim(),
    model: $("#connector-model").value.trim(),
    is_default: $("#connector-default").checked,
  };
  if ($("#connector-key").value) body.api_key = $("#connector-key").value;
  if ($("#connector-env").value.trim()) body.api_key_env = $("#connector-env").value.trim();
  try {
    await post(`/api/projects/${projectId}/connectors`, body);
    for (const id of ["#connector-name", "#connector-url", "#connector-model", "#connector-key", "#connector-env"]) $(id).value = "";
    $("#connector-default").checked = false;
    toast(`Connector ${body.name} added.`);
    await draw();
  } catch (error) {
    fail(error);
  }
}

function choicesControls() {
  const parsed = (project && project.parsed_label_config) || {};
  return Object.entries(parsed).filter(([, c]) => c.type === "Choices").map(([name]) => name);
}

function showKind() {
  const kind = $("#run-kind").value;
  for (const el of $$("#connector-run [data-kind]")) el.hidden = el.dataset.kind !== kind;
}

function describe(job) {
  const p = job.progress || {};
  const counts = p.total ? `${p.done || 0} of ${p.total} tasks${p.failed ? `, ${p.failed} failed` : ""}` : "";
  if (job.status === "failed") return `Failed: ${job.error || "no reason given"}`;
  if (job.status === "completed") {
    const r = job.result || {};
    const parts = COUNTS.filter((key) => typeof r[key] === "number").map((key) => `${key} ${r[key]}`);
    return `Done: ${parts.join(", ")}`;
  }
  return `${job.status === "queued" ? "Waiting to start" : "Running"}${counts ? `: ${counts}` : "…"}`;
}

async function follow(job) {
  const bar = $("#run-progress");
  bar.hidden = false;
  for (;;) {
    $("#run-status").textContent = describe(job);
    const p = job.progress || {};
    bar.max = Math.max(1, p.total || 1);
    bar.value = Math.min(bar.max, (p.done || 0) + (p.failed || 0));
    if (job.status === "completed" || job.status === "failed") break;
    await new Promise((done) => setTimeout(done, POLL_MS));
    job = await get(`/api/projects/${projectId}/generations/${job.id}`);
  }
  $("#run-start").disabled = false;
}

async function start() {
  $("#connector-error").hidden = true;
  const connector = $("#run-connector").value;
  const kind = $("#run-kind").value;
  const body =
    kind === "generate"
      ? { prompt_field: $("#run-prompt").value.trim(), output_field: $("#run-output").value.trim(), n: Number($("#run-n").value) }
      : { control: $("#run-control").value, instructions: $("#run-instructions").value || undefined };
  $("#run-start").disabled = true;
  try {
    const job = await post(`/api/projects/${projectId}/connectors/${connector}/${kind}`, body);
    await follow(job);
  } catch (error) {
    $("#run-start").disabled = false;
    fail(error);
  }
}

export async function setUpConnectors(id, projectRecord) {
  projectId = id;
  project = projectRecord;
  clear($("#run-control")).append(...choicesControls().map((name) => h("option", { value: name, text: name })));
  $("#connector-add").addEventListener("click", add);
  $("#run-kind").addEventListener("change", showKind);
  $("#run-start").addEventListener("click", start);
  showKind();
  try {
    await draw();
  } catch (error) {
    fail(error);
  }
}
