// The project dashboard: reads GET /api/projects/{id}/dashboard and draws it with charts.js, then asks the
// other staff reports (agreement, accuracy, and the preference or red-team report when `reports` says they
// apply) and adds what they answer. Every string goes into the DOM as text.

import { get } from "./api.js";
import { barChart, lineChart } from "./charts.js";
import { $, clear, h, showError } from "./dom.js";

const root = $("#dashboard");
const projectId = Number(root.dataset.project);
const base = `/api/projects/${projectId}`;

const percent = (v) => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)}%`);
const seconds = (v) => (v === null || v === undefined ? "—" : `${v.toFixed(1)} s`);
const decimal = (v) => (v === null || v === undefined ? "—" : v.toFixed(2));
const count = (v) => String(Math.round(v));

/** A bucket bound in short units: "30s", "2m", "1h"; the low end drops the unit it shares with the high. */
function span(value, high = undefined) {
  const unit = (v) => (v >= 3600 && v % 3600 === 0 ? [v / 3600, "h"] : v >= 60 && v % 60 === 0 ? [v / 60, "m"] : [v, "s"]);
  const [n, u] = unit(value);
  if (high === undefined) return `${n}${u}`;
  return value === 0 || unit(high)[1] === u ? String(n) : `${n}${u}`;
}

function who(id, people) {
  if (id === null || id === undefined) return "(deleted user)";
  return people.get(id) || `user ${id}`;
}

function totals(t) {
  const items = [
    ["Tasks", t.tasks],
    ["Labeled tasks", t.labeled_tasks],
    ["Annotations", t.annotations],
    ["Skips", t.skips],
  ];
  clear($("#totals")).append(...items.map(([label, value]) => h("div", {}, h("dt", { text: label }), h("dd", { text: value }))));
}

function progress(days) {
  const where = clear($("#progress"));
  if (!days.length) {
    where.append(h("p", { class: "note", text: "No annotations yet." }));
    return;
  }
  const labels = days.map((d) => d.day);
  where.append(
    lineChart({
      id: "chart-per-day", title: "Annotations and skips per day", xLabel: "Day (UTC)", yLabel: "Count", labels, format: count,
      series: [{ name: "Annotations", values: days.map((d) => d.annotations) }, { name: "Skips", values: days.map((d) => d.skips) }],
    }),
    lineChart({
      id: "chart-completed", title: "Tasks completed (cumulative)", xLabel: "Day (UTC)", yLabel: "Tasks", labels, format: count,
      series: [{ name: "Completed tasks", values: days.map((d) => d.completed_total), area: true }],
    }),
  );
}

function annotators(rows, leadTimes, people) {
  const body = clear($("#annotator-table tbody"));
  for (const a of rows) {
    const last = a.last_active_at ? a.last_active_at.slice(0, 16).replace("T", " ") : "—";
    body.append(h("tr", {},
      h("th", { scope: "row", text: who(a.annotator, people) }),
      h("td", { text: a.annotations }), h("td", { text: a.skips }), h("td", { text: percent(a.skip_rate) }),
      h("td", { text: seconds(a.median_lead_time) }), h("td", { text: seconds(a.mean_lead_time) }),
      h("td", { text: decimal(a.annotations_per_active_day) }), h("td", { text: last })));
  }
  const buckets = leadTimes.buckets.map((b) => ({ label: b.high === null ? `≥${span(b.low)}` : `${span(b.low, b.high)}–${span(b.high)}`, value: b.count }));
  clear($("#annotator-charts")).append(
    barChart({
      id: "chart-annotators", title: "Annotations per annotator", xLabel: "Annotator", yLabel: "Annotations", format: count,
      bars: rows.map((a) => ({ label: who(a.annotator, people), value: a.annotations })),
    }),
    barChart({ id: "chart-lead-times", title: "Lead time distribution", xLabel: "Lead time (s: seconds, m: minutes, h: hours)", yLabel: "Annotations", format: count, gapless: true, bars: buckets }),
  );
}

function labels(controls) {
  const where = clear($("#labels"));
  if (!controls.length) where.append(h("p", { class: "note", text: "The labeling config has no control with countable values." }));
  for (const c of controls) {
    where.append(barChart({
      id: `chart-labels-${c.control}`, title: `${c.control} (${c.type}): values chosen`, xLabel: "Value", yLabel: "Times chosen", format: count,
      bars: c.values.map((v) => ({ label: v.value, value: v.count })),
    }));
  }
}

function reviews(r, gold) {
  const where = clear($("#quality"));
  const bars = ["pending", "accepted", "rejected", "fixed"].map((k) => ({ label: k, value: r[k] || 0 }));
  where.append(barChart({ id: "chart-reviews", title: "Reviews", xLabel: "Latest verdict", yLabel: "Annotations", bars, format: count }));
  where.append(h("p", { class: "note", id: "review-note", text: `Reviewers' fixes: ${r.fixes}. Ground truth: ${gold.annotations} annotations on ${gold.tasks} tasks.` }));
}

function agreement(report) {
  const bars = [];
  for (const [control, c] of Object.entries(report.controls || {})) {
    for (const [metric, m] of Object.entries(c.metrics || {})) {
      if (m.value !== null && m.value !== undefined) bars.push({ label: `${control} · ${metric}`, value: m.value });
    }
  }
  const title = `Inter-annotator agreement (${report.tasks} tasks compared)`;
  if (!bars.length) return h("p", { class: "note", id: "agreement-note", text: "Agreement: no task has two annotations to compare yet." });
  return barChart({ id: "chart-agreement", title, xLabel: "Control · metric", yLabel: "Agreement", bars, format: decimal, max: 1 });
}

function accuracy(report, people) {
  const scored = report.scores.filter((s) => s.accuracy !== null);
  if (!scored.length) return h("p", { class: "note", id: "accuracy-note", text: `Accuracy: ${report.ground_truth_tasks} ground-truth tasks, no answers to compare yet.` });
  return barChart({
    id: "chart-accuracy", title: `Accuracy against ground truth (${report.ground_truth_tasks} tasks)`, xLabel: "Annotator · control", yLabel: "Accuracy",
    format: percent, max: 1, bars: scored.map((s) => ({ label: `${who(s.annotator, people)} · ${s.control}`, value: s.accuracy })),
  });
}

function preferences(report) {
  const where = clear($("#preferences"));
  for (const c of report.controls) {
    // Judgements made with the display order recorded count by the position shown; without it (annotations
    // made through the API, or before shuffling), by the order of the config.
    const known = c.position_bias.shown;
    const recorded = known.decided + known.ties > 0;
    const shown = recorded ? known : c.position_bias.unknown_order;
    const order = recorded ? "position shown" : "position in the config (display order not recorded)";
    const pairs = c.agreement.percent && c.agreement.percent.value;
    where.append(barChart({
      id: `chart-position-${c.control}`, title: `${c.control}: picks by ${order}, ${c.annotations} judgements`, xLabel: "Position", yLabel: "Picks", format: count,
      bars: [{ label: "first", value: shown.first }, { label: "second", value: shown.second }, { label: "tie", value: shown.ties }],
    }));
    where.append(h("p", { class: "note", text: `${c.control}: first picked ${percent(shown.first_rate)} (p = ${decimal(shown.p_value)}); pair agreement ${percent(pairs)} over ${c.agreement.pairs} pairs.` }));
  }
  $("#preferences-section").hidden = false;
}

function redteam(report, people) {
  const where = clear($("#redteam"));
  const rate = (rows, name) => rows.map((r) => ({ label: name(r), value: r.rate ?? 0 }));
  if (report.by_category) {
    where.append(barChart({ id: "chart-redteam-category", title: "Attack success rate by category", xLabel: "Category", yLabel: "Success rate", format: percent, max: 1, bars: rate(report.by_category, (r) => r.category) }));
  }
  where.append(barChart({ id: "chart-redteam-model", title: "Attack success rate by model", xLabel: "Model", yLabel: "Success rate", format: percent, max: 1, bars: rate(report.by_model, (r) => r.model ?? "(unknown)") }));
  where.append(barChart({ id: "chart-redteam-annotator", title: "Attack success rate by annotator", xLabel: "Annotator", yLabel: "Success rate", format: percent, max: 1, bars: rate(report.by_annotator, (r) => r.email || who(r.annotator, people)) }));
  const o = report.overall;
  where.append(h("p", { class: "note", text: `Overall: ${o.successes} of ${o.attempts} attacks succeeded (${percent(o.rate)}); ${o.unjudged} not judged.` }));
  $("#redteam-section").hidden = false;
}

async function optional(load, draw, where) {
  try {
    draw(await load());
  } catch (error) {
    where.append(h("p", { class: "note", text: `Not available: ${error.message}` }));
    where.closest("section").hidden = false;
  }
}

async function main() {
  const [project, data] = await Promise.all([get(base), get(`${base}/dashboard`)]);
  $("#project-name").textContent = `${project.title} · dashboard`;
  document.title = `${project.title} · Dashboard · Tessera`;
  const people = new Map(data.annotators.map((a) => [a.annotator, a.email]));
  totals(data.totals);
  progress(data.progress);
  annotators(data.annotators, data.lead_times, people);
  labels(data.labels);
  reviews(data.reviews, data.ground_truth);
  const quality = $("#quality");
  const waits = [
    optional(() => get(`${base}/agreement`), (r) => quality.append(agreement(r)), quality),
    optional(() => get(`${base}/accuracy`), (r) => quality.append(accuracy(r, people)), quality),
  ];
  if (data.reports.preferences) waits.push(optional(() => get(`${base}/preferences/report`), preferences, $("#preferences")));
  if (data.reports.redteam) waits.push(optional(() => get(`${base}/redteam/report`), (r) => redteam(r, people), $("#redteam")));
  await Promise.all(waits);
  $("#dashboard-status").textContent = "";
  root.dataset.ready = "1";
}

main().catch((error) => {
  $("#dashboard-status").textContent = "";
  showError($("#dashboard-error"), error);
  root.dataset.ready = "1";
});
