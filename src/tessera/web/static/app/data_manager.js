// The data manager: a project's tasks as a table, 100 a page, sorted, filtered and searched on the server (Label
// Studio's data-manager query), with a column chooser, row selection and the import and export dialogs.

import { get, post } from "./api.js";
import { $, $$, clear, confirmDelete, debounce, h, showError, slashToSearch, toast } from "./dom.js";
import { openExport } from "./export_dialog.js";
import { openImport } from "./import_dialog.js";
import { buildColumns, cell, dataColumns } from "./dm_columns.js";
import { drawFilters as drawFilterRows } from "./dm_filters.js";

const PAGE_SIZE = 100;
const root = $("#dm");
const projectId = Number(root.dataset.project);
const state = {
  project: null,
  columns: [],
  hidden: new Set(JSON.parse(localStorage.getItem(`tessera.hidden.${projectId}`) || "[]")),
  ordering: null, // e.g. "tasks:id" or "-tasks:data.text"
  filters: [], // {key, operator, value}
  page: 1,
  // Keyset paging: the cursor that gave this page (null for the first page or a page asked by number), the
  // cursors of the pages before it (for "previous"), and the server's cursor for the page after it.
  cursor: null,
  back: [],
  nextCursor: null,
  total: null, // null until counted: the rows of a new filter come first, its count after
  totalOf: null, // the filters the total was counted for

  tasks: [],
  selected: new Set(),
  allMatching: false,
  members: new Map(),
};

const visibleColumns = () => state.columns.filter((c) => !state.hidden.has(c.id));
const dataKeys = () => state.columns.filter((c) => c.data).map((c) => c.data);

// ---- the query ----

function query() {
  const items = state.filters
    .filter((f) => f.operator === "empty" || f.value !== "")
    .map((f) => {
      const column = state.columns.find((c) => c.key === f.key);
      const numeric = column && column.kind === "Number";
      let value = f.operator === "empty" ? true : f.value;
      if (numeric && f.operator !== "empty" && !f.operator.includes("contains")) value = Number(value) / (column.scale || 1);
      return { filter: `filter:tasks:${f.key}`, operator: f.operator, type: numeric ? "Number" : "String", value };
    });
  const status = $("#status-filter").value;
  if (status === "labeled" || status === "unlabeled")
    items.push({ filter: "filter:tasks:is_labeled", operator: "equal", type: "Boolean", value: status === "labeled" });
  if (status === "unlabeled") // not skipped either: the tasks nobody has touched
    items.push({ filter: "filter:tasks:cancelled_annotations", operator: "equal", type: "Number", value: 0 });
  if (status === "skipped")
    items.push({ filter: "filter:tasks:cancelled_annotations", operator: "greater", type: "Number", value: 0 });
  // Review: tasks with an annotation awaiting review, or with one a review accepted or rejected.
  const review = $("#review-filter").value;
  if (review) items.push({ filter: `filter:tasks:reviews_${review}`, operator: "greater", type: "Number", value: 0 });
  const annotator = $("#annotator-filter").value;
  if (annotator)
    items.push({ filter: "filter:tasks:annotators", operator: "contains", type: "List", value: [Number(annotator)] });
  let conjunction = "and";
  const term = $("#task-search").value.trim();
  const keys = dataKeys();
  if (term && keys.length) {
    // One level of filters: the search spans every data field when it stands alone; beside other filters it
    // looks in the first data field, so that the other filters still all apply.
    const search = (key) => ({ filter: `filter:tasks:data.${key}`, operator: "contains", type: "String", value: term });
    if (items.length) items.push(search(keys[0]));
    else {
      items.push(...keys.map(search));
      conjunction = "or";
    }
  }
  const out = { filters: { conjunction, items } };
  if (state.ordering) out.ordering = [state.ordering];
  return out;
}

// ---- drawing ----

function drawHead() {
  const head = $("#task-head");
  clear(head);
  const all = h("input", {
    type: "checkbox",
    id: "select-page",
    "aria-label": "Select the tasks on this page",
    onchange: (event) => {
      state.allMatching = false;
      for (const task of state.tasks) event.target.checked ? state.selected.add(task.id) : state.selected.delete(task.id);
      drawRows();
    },
  });
  head.append(h("th", { class: "check" }, all));
  for (const column of visibleColumns()) {
    const sortable = Boolean(column.key) && column.sortable !== false;
    const dir = state.ordering === `tasks:${column.key}` ? "ascending" : state.ordering === `-tasks:${column.key}` ? "descending" : null;
    const th = h("th", { scope: "col", "aria-sort": dir || (sortable ? "none" : null), dataset: { column: column.id } });
    if (sortable) {
      th.append(
        h("button", {
          type: "button",
          class: "sort",
          text: column.title + (dir === "ascending" ? " ▲" : dir === "descending" ? " ▼" : ""),
          title: `Sort by ${column.title}`,
          onclick: () => {
            state.ordering = dir === "ascending" ? `-tasks:${column.key}` : dir === "descending" ? null : `tasks:${column.key}`;
            firstPage();
            load();
          },
        }),
      );
    } else th.textContent = column.title;
    head.append(th);
  }
}

function drawRows() {
  const body = $("#task-rows");
  clear(body);
  const columns = visibleColumns();
  for (const task of state.tasks) {
    const checked = state.allMatching || state.selected.has(task.id);
    body.append(
      h(
        "tr",
        { dataset: { id: task.id }, class: checked ? "selected" : null },
        h(
          "td",
          { class: "check" },
          h("input", {
            type: "checkbox",
            checked,
            "aria-label": `Select task ${task.id}`,
            onchange: (event) => {
              if (state.allMatching) {
                state.allMatching = false;
                for (const t of state.tasks) state.selected.add(t.id);
              }
              event.target.checked ? state.selected.add(task.id) : state.selected.delete(task.id);
              drawRows();
            },
          }),
        ),
        columns.map((column) => cell(task, column, { projectId, members: state.members })),
      ),
    );
  }
  const rowsNow = body.querySelectorAll("tr[data-id]");
  if (cursor >= rowsNow.length) cursor = rowsNow.length - 1;
  if (cursor >= 0) rowsNow[cursor].classList.add("cursor");
  if (!state.tasks.length)
    body.append(h("tr", {}, h("td", { colspan: columns.length + 1, class: "muted empty", text: "No tasks match." })));
  const pageAll = state.tasks.length > 0 && state.tasks.every((t) => state.allMatching || state.selected.has(t.id));
  const pageBox = $("#select-page");
  if (pageBox) pageBox.checked = pageAll;
  drawSelection(pageAll);
}

function drawSelection(pageAll) {
  const count = state.allMatching ? state.total : state.selected.size;
  $("#selection-bar").hidden = count === 0;
  $("#selection-count").textContent = `${count} task${count === 1 ? "" : "s"} selected`;
  const button = $("#select-all-matching");
  button.hidden = state.allMatching || !pageAll || state.total === null || state.total <= state.tasks.length;
  button.textContent = `Select all ${state.total} matching`;
}

function drawPager(ms) {
  const from = state.tasks.length ? (state.page - 1) * PAGE_SIZE + 1 : 0;
  const to = from ? from + state.tasks.length - 1 : 0;
  $("#page-info").textContent = `${from}–${to} of ${state.total === null ? "…" : state.total}`;
  $("#prev-page").disabled = state.page <= 1;
  $("#next-page").disabled = !state.nextCursor;
  if (ms === undefined) return;
  $("#load-time").textContent = `${Math.round(ms)} ms`;
  root.dataset.loadMs = String(Math.round(ms));
}

function drawColumnChooser() {
  const menu = $("#column-chooser");
  clear(menu);
  for (const column of state.columns)
    menu.append(
      h(
        "label",
        { class: "inline" },
        h("input", {
          type: "checkbox",
          checked: !state.hidden.has(column.id),
          onchange: (event) => {
            event.target.checked ? state.hidden.delete(column.id) : state.hidden.add(column.id);
            localStorage.setItem(`tessera.hidden.${projectId}`, JSON.stringify([...state.hidden]));
            drawHead();
            drawRows();
          },
        }),
        column.title,
      ),
    );
}


const drawFilters = () =>
  drawFilterRows($("#filter-rows"), state, () => {
    firstPage();
    load();
  });

// ---- loading ----

function firstPage() {
  state.page = 1;
  state.cursor = null;
  state.back = [];
}

let serial = 0;
let projectReady = Promise.resolve(null);
// The total of matching tasks, asked apart from the rows (and only when the filters change): counting a new
// filter over a million tasks takes seconds, its first rows do not. The server keeps it until the tasks change.
async function countTotal(filters) {
  state.totalOf = filters;
  state.total = null;
  const params = new URLSearchParams({ project: String(projectId), page_size: "1", query: filters });
  try {
    const data = await get(`/api/tasks?${params}`);
    if (state.totalOf !== filters) return;
    state.total = data.total;
  } catch (error) {
    if (state.totalOf === filters) showError($("#dm-error"), error);
    return;
  }
  drawPager();
  drawSelection(state.tasks.length > 0 && state.tasks.every((t) => state.allMatching || state.selected.has(t.id)));
}

async function load() {
  const mine = ++serial;
  const started = performance.now();
  // A page reached by "next" continues from the page before it (a cursor: as fast deep in a million tasks as
  // at the top); any other page is asked by its number.
  const filters = JSON.stringify({ filters: query().filters });
  const params = new URLSearchParams({ project: String(projectId), page_size: String(PAGE_SIZE), query: JSON.stringify(query()), count: "false" });
  if (state.cursor) params.set("cursor", state.cursor);
  else params.set("page", String(state.page));
  if (state.totalOf !== filters) countTotal(filters);
  try {
    const data = await get(`/api/tasks?${params}`);
    if (mine !== serial) return;
    state.tasks = data.tasks;
    state.nextCursor = data.next_cursor || null;
    $("#dm-error").hidden = true;
  } catch (error) {
    if (mine !== serial) return;
    showError($("#dm-error"), error);
    return;
  }
  state.project = state.project || (await projectReady);
  if (!state.project || mine !== serial) return;
  if (!state.columns.length || state.columns.every((c) => !c.data)) {
    const had = state.columns.length;
    state.columns = buildColumns(dataColumns(state.project, state.tasks));
    if (had !== state.columns.length) drawColumnChooser();
  }
  drawHead();
  drawRows();
  requestAnimationFrame(() => drawPager(performance.now() - started));
}

async function selectedIds() {
  if (!state.allMatching) return [...state.selected];
  const ids = [];
  const params = new URLSearchParams({ project: String(projectId), page_size: "5000", query: JSON.stringify(query()) });
  for (;;) {
    const data = await get(`/api/tasks?${params}`);
    ids.push(...data.tasks.map((t) => t.id));
    if (!data.next_cursor || !data.tasks.length) return ids;
    params.set("cursor", data.next_cursor);
  }
}

function noFilters() {
  return !query().filters.items.length;
}

function clearSelection() {
  state.selected.clear();
  state.allMatching = false;
}

async function deleteSelected() {
  const count = state.allMatching ? state.total : state.selected.size;
  if (!(await confirmDelete(`Delete ${count} task${count === 1 ? "" : "s"} with their annotations? This cannot be undone.`))) return;
  try {
    // One request whatever the selection: Label Studio's data-manager action, with the filters when "all
    // matching" is chosen, so that the server selects the same tasks the table shows.
    const selectedItems = state.allMatching ? { all: true, excluded: [] } : { all: false, included: [...state.selected] };
    const body = state.allMatching ? { ...query(), selectedItems } : { selectedItems };
    await post(`/api/dm/actions?id=delete_tasks&project=${projectId}`, body);
    toast(`Deleted ${count} task${count === 1 ? "" : "s"}.`);
  } catch (error) {
    showError($("#dm-error"), error);
  }
  clearSelection();
  firstPage();
  state.totalOf = null;
  load();
}

// ---- keyboard: j/k (or arrows) move a row cursor, x selects the row, Enter opens it for labeling ----

let cursor = -1;
const cursorRow = () => (cursor >= 0 ? $$("#task-rows tr[data-id]")[cursor] || null : null);

function moveCursor(step) {
  const all = $$("#task-rows tr[data-id]");
  cursor = Math.max(0, Math.min(all.length - 1, cursor + step));
  all.forEach((row, i) => row.classList.toggle("cursor", i === cursor));
  all[cursor].scrollIntoView({ block: "nearest" });
}

// ---- wiring ----

const reload = () => {
  firstPage();
  state.totalOf = null; // the tasks may have changed: count again
  clearSelection();
  load();
};
$("#task-search").addEventListener("input", debounce(reload, 250));
$("#status-filter").addEventListener("change", reload);
$("#annotator-filter").addEventListener("change", reload);
$("#review-filter").addEventListener("change", reload);
$("#add-filter").addEventListener("click", () => {
  const first = state.columns.find((c) => c.data) || state.columns[0];
  state.filters.push({ key: first.key, operator: "contains", value: "" });
  drawFilters();
  $("#filter-rows").lastElementChild.querySelector("input").focus();
});
$("#prev-page").addEventListener("click", () => {
  state.page -= 1;
  // The cursor of the page before, when it was reached by "next"; otherwise its number.
  state.cursor = state.back.length ? state.back.pop() : null;
  load();
});
$("#next-page").addEventListener("click", () => {
  if (!state.nextCursor) return;
  state.back.push(state.cursor);
  state.cursor = state.nextCursor;
  state.nextCursor = null; // until this page answers: a second click waits for it
  state.page += 1;
  load();
});
$("#select-all-matching").addEventListener("click", () => {
  state.allMatching = true;
  drawRows();
});
$("#delete-selected").addEventListener("click", deleteSelected);
// Label these: the labeling page works through the selection in the table's order, asking the server for
// each next task: the rows picked, or the filters and search when "all matching" is chosen (never its ids).
$("#label-selected").addEventListener("click", () => {
  const selection = state.allMatching
    ? { ...query(), selectedItems: { all: true, excluded: [] } }
    : { selectedItems: { all: false, included: [...state.selected] }, ordering: state.ordering ? [state.ordering] : [] };
  location.assign(`/projects/${projectId}/label?${new URLSearchParams({ query: JSON.stringify(selection) })}`);
});
$("#export-selected").addEventListener("click", async () => {
  try {
    openExport(projectId, state.allMatching && noFilters() ? null : await selectedIds());
  } catch (error) {
    showError($("#dm-error"), error);
  }
});
$("#export-button").addEventListener("click", () => openExport(projectId, null));
$("#import-button").addEventListener("click", () =>
  openImport(projectId, () => {
    state.columns = [];
    reload();
  }),
);
slashToSearch($("#task-search"));
document.addEventListener("keydown", (event) => {
  const tag = (document.activeElement && document.activeElement.tagName) || "";
  if (["INPUT", "TEXTAREA", "SELECT"].includes(tag) || document.querySelector("dialog[open]")) return;
  const moves = { j: 1, ArrowDown: 1, k: -1, ArrowUp: -1 };
  if (event.key in moves && state.tasks.length) {
    event.preventDefault();
    moveCursor(moves[event.key]);
  } else if (event.key === "x" && cursorRow()) cursorRow().querySelector("input[type=checkbox]").click();
  else if (event.key === "Enter" && cursorRow()) cursorRow().querySelector("td a").click();
  else if (event.key === "ArrowRight" && !$("#next-page").disabled) $("#next-page").click();
  else if (event.key === "ArrowLeft" && !$("#prev-page").disabled) $("#prev-page").click();
  else if (event.key === "i" && !$("#import-button").hidden) $("#import-button").click(); // hidden: may not import
});

async function start() {
  // The project, its members and the first page of tasks are asked for at once; the table waits for the
  // project (its config names the data fields) before drawing.
  const projectAsked = get(`/api/projects/${projectId}`);
  const membersAsked = get(`/api/projects/${projectId}/members`).catch(() => []); // annotators may not list them
  projectReady = projectAsked.catch(() => null);
  const firstPage = load();
  try {
    state.project = await projectAsked;
  } catch (error) {
    showError($("#dm-error"), error);
    return;
  }
  $("#project-name").textContent = state.project.title;
  document.title = `${state.project.title} · Tessera`;
  for (const member of await membersAsked) {
    state.members.set(member.user.id, member.user.email);
    $("#annotator-filter").append(h("option", { value: member.user.id, text: member.user.email }));
  }
  await firstPage;
  if (state.members.size) drawRows();
}

start();
