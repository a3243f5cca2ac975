// Small SVG charts built with DOM calls (no library, no markup parsed): a line/area chart over days and a bar
// chart (also used as a histogram). Each chart is a <figure> with a title, axis labels, an SVG that carries an
// aria-label summary, and the numbers as a <table> for screen readers, tests and anyone who wants them exact.

import { h } from "./dom.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const WIDTH = 640;
const HEIGHT = 260;
const PAD = { left: 56, right: 16, top: 14, bottom: 58 };
const PLOT_W = WIDTH - PAD.left - PAD.right;
const PLOT_H = HEIGHT - PAD.top - PAD.bottom;

/** @param {string} tag @param {Record<string, string|number>} attrs @param {...Node} children */
function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  el.append(...children);
  return el;
}

const text = (attrs, value) => svg("text", attrs, document.createTextNode(String(value)));

/** A round upper bound for the y axis and its ticks: 1, 2 or 5 times a power of ten per step (whole steps
 * for counts). */
export function niceTicks(max, count = 4, integer = false) {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(integer ? 1 : 0, [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw));
  const ticks = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1] < max) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
  return ticks;
}

/** @param {number} value @param {number} top */
const yOf = (value, top) => PAD.top + PLOT_H - (value / top) * PLOT_H;

function frame({ xLabel, yLabel, ticks, format }) {
  const top = ticks[ticks.length - 1] || 1;
  const group = svg("g", { class: "axes" });
  for (const tick of ticks) {
    const y = yOf(tick, top);
    group.append(svg("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y, y2: y, class: "grid" }));
    group.append(text({ x: PAD.left - 6, y: y + 4, class: "tick", "text-anchor": "end" }, format(tick)));
  }
  const bottom = PAD.top + PLOT_H;
  group.append(svg("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: bottom, y2: bottom, class: "axis" }));
  group.append(text({ x: PAD.left + PLOT_W / 2, y: HEIGHT - 6, class: "axis-label", "text-anchor": "middle" }, xLabel));
  const yMid = PAD.top + PLOT_H / 2;
  group.append(text({ x: 14, y: yMid, class: "axis-label", "text-anchor": "middle", transform: `rotate(-90 14 ${yMid})` }, yLabel));
  return { group, top };
}

/** Every label when they fit, else every k-th so that about `room` are shown. */
function xTicks(labels, room = 8) {
  const every = Math.max(1, Math.ceil(labels.length / room));
  return labels.map((label, i) => (i % every === 0 || i === labels.length - 1 ? label : null));
}

function xTickText(x, label) {
  const y = PAD.top + PLOT_H + 16;
  const short = label.length > 14 ? `${label.slice(0, 13)}…` : label;
  return text({ x, y, class: "tick", "text-anchor": "middle" }, short);
}

function table(caption, head, rows) {
  return h("table", { class: "plain chart-data" },
    h("caption", { text: caption }),
    h("thead", {}, h("tr", {}, head.map((cell) => h("th", { scope: "col", text: cell })))),
    h("tbody", {}, rows.map((row) => h("tr", {}, row.map((cell, i) => h(i ? "td" : "th", i ? { text: cell } : { scope: "row", text: cell }))))));
}

function figure(id, title, chart, summary, data) {
  chart.setAttribute("role", "img");
  chart.setAttribute("aria-label", `${title}. ${summary}`);
  const details = h("details", { class: "chart-numbers" }, h("summary", { text: "Numbers" }), data);
  return h("figure", { class: "chart", id }, h("figcaption", { text: title }), chart, details);
}

const plain = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

/**
 * Lines (and areas) over a shared x axis of labels, e.g. days.
 * @param {{id: string, title: string, xLabel: string, yLabel: string, labels: string[],
 *          series: {name: string, values: number[], area?: boolean}[], format?: (v: number) => string}} spec
 */
export function lineChart({ id, title, xLabel, yLabel, labels, series, format = plain }) {
  const values = series.flatMap((s) => s.values);
  const { group, top } = frame({ xLabel, yLabel, ticks: niceTicks(Math.max(0, ...values), 4, values.every(Number.isInteger)), format });
  const chart = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "chart-svg" }, group);
  const step = labels.length > 1 ? PLOT_W / (labels.length - 1) : 0;
  const xOf = (i) => PAD.left + (labels.length > 1 ? i * step : PLOT_W / 2);
  xTicks(labels).forEach((label, i) => label !== null && chart.append(xTickText(xOf(i), label)));
  series.forEach((s, n) => {
    const points = s.values.map((v, i) => `${xOf(i).toFixed(1)},${yOf(v, top).toFixed(1)}`);
    if (s.area && points.length) {
      const base = yOf(0, top).toFixed(1);
      const outline = `${xOf(0).toFixed(1)},${base} ${points.join(" ")} ${xOf(points.length - 1).toFixed(1)},${base}`;
      chart.append(svg("polygon", { points: outline, class: `area series-${n}` }));
    }
    chart.append(svg("polyline", { points: points.join(" "), class: `line series-${n}` }));
    if (points.length === 1) chart.append(svg("circle", { cx: xOf(0), cy: yOf(s.values[0], top), r: 3, class: `dot series-${n}` }));
  });
  const legend = h("p", { class: "legend" }, series.map((s, n) => h("span", { class: `key series-${n}`, text: s.name })));
  const summary = series.map((s) => `${s.name}: ${s.values.length ? `${format(s.values[s.values.length - 1])} on ${labels[labels.length - 1]}` : "none"}`).join("; ");
  const data = table(title, [xLabel, ...series.map((s) => s.name)], labels.map((label, i) => [label, ...series.map((s) => format(s.values[i]))]));
  const fig = figure(id, title, chart, summary, data);
  fig.insertBefore(legend, fig.querySelector("details"));
  return fig;
}

/**
 * Vertical bars, one per label; `gapless` draws them touching, as a histogram.
 * @param {{id: string, title: string, xLabel: string, yLabel: string, bars: {label: string, value: number}[],
 *          format?: (v: number) => string, gapless?: boolean, max?: number}} spec
 */
export function barChart({ id, title, xLabel, yLabel, bars, format = plain, gapless = false, max = undefined }) {
  const highest = max ?? Math.max(0, ...bars.map((b) => b.value));
  const whole = max === undefined && bars.every((b) => Number.isInteger(b.value));
  const { group, top } = frame({ xLabel, yLabel, ticks: niceTicks(highest, 4, whole), format });
  const chart = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: `chart-svg${gapless ? " histogram" : ""}` }, group);
  const slot = bars.length ? PLOT_W / bars.length : PLOT_W;
  const width = gapless ? slot - 1 : Math.min(slot * 0.7, 60);
  const labels = xTicks(bars.map((b) => b.label), 12);
  bars.forEach((bar, i) => {
    const x = PAD.left + i * slot + (slot - width) / 2;
    const y = yOf(bar.value, top);
    const rect = svg("rect", { x: x.toFixed(1), y: y.toFixed(1), width: width.toFixed(1), height: Math.max(0, yOf(0, top) - y).toFixed(1), class: "bar" });
    rect.append(svg("title", {}, document.createTextNode(`${bar.label}: ${format(bar.value)}`)));
    chart.append(rect);
    if (labels[i] !== null) chart.append(xTickText(PAD.left + i * slot + slot / 2, labels[i]));
  });
  const summary = bars.length ? bars.map((b) => `${b.label}: ${format(b.value)}`).join("; ") : "no data";
  const data = table(title, [xLabel, yLabel], bars.map((b) => [b.label, format(b.value)]));
  return figure(id, title, chart, summary, data);
}
