// The data manager's columns: the task fields and data keys it shows, the filter operators each kind of column
// takes, and how a task's value is drawn in a cell (status and review badges, links, shortened data).

import { h } from "./dom.js";

export const OPERATORS = [
  ["contains", "contains"],
  ["not_contains", "does not contain"],
  ["equal", "="],
  ["not_equal", "≠"],
  ["greater", ">"],
  ["less", "<"],
  ["empty", "is empty"],
];
// Text search applies to text: numbers and dates compare instead.
export const OPERATORS_OF = {
  String: OPERATORS.map(([op]) => op),
  Number: ["equal", "not_equal", "greater", "less", "empty"],
  Datetime: ["greater", "less", "empty"],
  Labels: ["contains", "not_contains"], // a label or choice value, matched whole, in any annotation
};

export function dataColumns(project, tasks) {
  const keys = [];
  const add = (key) => key && !keys.includes(key) && keys.push(key);
  for (const control of Object.values(project.parsed_label_config || {}))
    for (const input of control.inputs || []) add(input.value);
  for (const task of tasks) for (const key of Object.keys(task.data || {})) add(key);
  return keys;
}

export function buildColumns(keys) {
  const data = keys.map((key) => ({ id: `data.${key}`, title: key, key: `data.${key}`, kind: "String", data: key }));
  return [
    { id: "id", title: "ID", key: "id", kind: "Number" },
    ...data,
    { id: "status", title: "Status", key: "is_labeled", kind: "Boolean", filterable: false },
    { id: "total_annotations", title: "Annotations", key: "total_annotations", kind: "Number" },
    { id: "cancelled_annotations", title: "Skipped", key: "cancelled_annotations", kind: "Number" },
    { id: "total_predictions", title: "Predictions", key: "total_predictions", kind: "Number" },
    { id: "annotators", title: "Annotators", key: null, kind: "List", filterable: false },
    { id: "labels", title: "Labels", key: "annotations_results", kind: "Labels", sortable: false },
    // Sorted by the rejections (the tasks that need work first); filtered by the Review menu.
    { id: "review", title: "Review", key: "reviews_rejected", kind: "Number", filterable: false },
    // How much the annotators agree: shown and filtered in percent, stored 0..1 (`scale` turns one into the other).
    { id: "agreement", title: "Agreement", key: "agreement", kind: "Number", scale: 100 },
    { id: "completed_at", title: "Completed", key: "completed_at", kind: "Datetime" },
  ];
}

function cellText(value) {
  if (value === null || value === undefined) return "";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function statusOf(task) {
  if (task.is_labeled) return "labeled";
  if (task.cancelled_annotations > 0) return "skipped";
  return task.total_annotations > 0 ? "in progress" : "unlabeled";
}

// The review state of a task's annotations: how many were accepted, rejected, or wait for a reviewer.
function reviewBadges(task) {
  const parts = [
    ["accepted", task.reviews_accepted, "✓"],
    ["rejected", task.reviews_rejected, "✗"],
    ["pending", task.reviews_pending, "…"],
  ].filter(([, n]) => n > 0);
  return parts.map(([kind, n, mark]) => h("span", { class: `badge review-${kind}`, title: `${n} ${kind}`, text: `${mark} ${n}` }));
}

export function cell(task, column, { projectId, members }) {
  switch (column.id) {
    case "id":
      return h("td", { class: "num" }, h("a", { href: `/projects/${projectId}/label?task=${task.id}`, text: task.id }));
    case "status":
      return h("td", {}, h("span", { class: `badge ${statusOf(task).replace(" ", "-")}`, text: statusOf(task) }));
    case "annotators":
      return h("td", { text: (task.annotators || []).map((id) => members.get(id) || `#${id}`).join(", ") });
    case "review":
      return h("td", {}, reviewBadges(task));
    case "completed_at":
      return h("td", { text: task.completed_at ? new Date(task.completed_at).toLocaleString() : "" });
    case "labels":
      return h("td", { text: cellText(task.annotations_results) });
    case "agreement":
      return h("td", { class: "num", text: task.agreement == null ? "" : `${Math.round(task.agreement * 100)}%` });
    default:
      if (column.data) return h("td", { class: "data", text: cellText((task.data || {})[column.data]) });
      return h("td", { class: "num", text: task[column.id] ?? "" });
  }
}
