// The projects list (search, progress) and "Create project" from the template gallery with a live preview.

import { get, post } from "./api.js";
import { $, clear, debounce, h, showError, slashToSearch, wireDialog } from "./dom.js";
import { Preview } from "./preview.js";

const PAGE_SIZE = 50;
const list = $("#project-list");
const search = $("#project-search");
const more = $("#projects-more");
let page = 1;
let serial = 0;

function percent(part, whole) {
  return whole ? Math.round((100 * part) / whole) : 0;
}

function card(project) {
  const total = project.task_number || 0;
  const done = project.finished_task_number || 0;
  const stats = [
    ["tasks", total],
    ["annotated", project.num_tasks_with_annotations || 0],
    ["skipped", project.skipped_annotations_number || 0],
    ["annotations", project.total_annotations_number || 0],
  ];
  if (project.reviewed_number !== undefined) stats.push(["reviewed", project.reviewed_number]);
  return h(
    "li",
    { class: "project-card", dataset: { id: project.id } },
    h("a", { class: "project-title", href: `/projects/${project.id}`, text: project.title || `Project ${project.id}` }),
    project.description ? h("p", { class: "project-description", text: project.description }) : null,
    h(
      "div",
      { class: "progress", title: `${done} of ${total} tasks finished` },
      h("div", { class: "progress-bar", style: `width: ${percent(done, total)}%` }),
    ),
    h(
      "dl",
      { class: "stats" },
      stats.map(([name, value]) => h("div", { dataset: { stat: name } }, h("dt", { text: name }), h("dd", { text: value }))),
    ),
    h(
      "div",
      { class: "card-links" },
      h("a", { href: `/projects/${project.id}/label`, text: "Label" }),
      h("a", { href: `/projects/${project.id}/settings`, text: "Settings" }),
    ),
  );
}

async function load(reset = true) {
  const mine = ++serial;
  if (reset) page = 1;
  const params = new URLSearchParams({ page: String(page), page_size: String(PAGE_SIZE) });
  if (search.value.trim()) params.set("title", search.value.trim());
  let data;
  try {
    data = await get(`/api/projects?${params}`);
  } catch (error) {
    if (error.status === 404 && !reset) return; // past the last page
    throw error;
  }
  if (mine !== serial) return;
  if (reset) clear(list);
  list.append(...data.results.map(card));
  $("#projects-empty").hidden = data.count > 0 || Boolean(search.value.trim());
  more.hidden = !data.next;
}

search.addEventListener("input", debounce(() => load(), 200));
more.addEventListener("click", () => {
  page += 1;
  load(false);
});
slashToSearch(search);

// ---- Create project from the gallery ----

const dialog = wireDialog($("#create-dialog"));
const preview = new Preview($("#template-preview"));
let templates = null;
let chosen = null;

function choose(template) {
  chosen = template;
  for (const el of dialog.querySelectorAll(".template")) el.setAttribute("aria-pressed", String(el.dataset.id === template.id));
  $("#template-about").textContent = template.description;
  $("#template-xml").textContent = template.config;
  const title = $("#project-title");
  if (!title.value || title.dataset.auto === "1") {
    title.value = template.title;
    title.dataset.auto = "1";
  }
  preview.show(template.config, { id: 0, ...template.task });
}

function drawGallery() {
  const groups = $("#template-groups");
  clear(groups);
  const term = $("#template-search").value.trim().toLowerCase();
  const shown = templates.filter((t) => !term || `${t.title} ${t.group} ${t.description}`.toLowerCase().includes(term));
  const names = [...new Set(shown.map((t) => t.group))];
  for (const name of names) {
    groups.append(
      h("h3", { text: name }),
      h(
        "div",
        { class: "templates", role: "group", "aria-label": name },
        shown
          .filter((t) => t.group === name)
          .map((t) =>
            h("button", {
              type: "button",
              class: "template",
              dataset: { id: t.id },
              "aria-pressed": String(chosen && chosen.id === t.id),
              title: t.description,
              text: t.title,
              onclick: () => choose(t),
            }),
          ),
      ),
    );
  }
}

$("#project-title").addEventListener("input", (e) => (e.target.dataset.auto = ""));
$("#template-search").addEventListener("input", () => templates && drawGallery());

$("#new-project").addEventListener("click", async () => {
  $("#create-error").hidden = true;
  dialog.showModal();
  if (!templates) {
    templates = await get("/app/gallery.json");
    drawGallery();
    choose(templates[0]);
  }
  $("#project-title").focus();
});

dialog.addEventListener("close", () => preview.destroy());

$("#create-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!chosen) return;
  const button = $("#create-submit");
  button.disabled = true;
  try {
    const project = await post("/api/projects", {
      title: $("#project-title").value.trim(),
      description: $("#project-description").value,
      label_config: chosen.config,
    });
    window.location.assign(`/projects/${project.id}`);
  } catch (error) {
    showError($("#create-error"), error);
  } finally {
    button.disabled = false;
  }
});

load();
