// The data manager's filter rows: a column, an operator that applies to the column's kind, and a value; each
// change asks `reload` again (debounced), which reads `state.filters`.

import { clear, debounce, h } from "./dom.js";
import { OPERATORS, OPERATORS_OF } from "./dm_columns.js";

export function drawFilters(box, state, reload) {
  clear(box);
  const filterable = state.columns.filter((c) => c.key && c.filterable !== false);
  state.filters.forEach((filter, i) => {
    const apply = debounce(reload, 250);
    const kind = (state.columns.find((c) => c.key === filter.key) || {}).kind || "String";
    const allowed = OPERATORS_OF[kind] || OPERATORS_OF.String;
    if (!allowed.includes(filter.operator)) filter.operator = allowed[0];
    box.append(
      h(
        "div",
        { class: "filter-row" },
        h(
          "select",
          {
            "aria-label": "Filter column",
            onchange: (e) => {
              filter.key = e.target.value;
              drawFilters(box, state, reload); // the operators depend on the column's kind
              apply();
            },
          },
          filterable.map((c) => h("option", { value: c.key, selected: c.key === filter.key, text: c.title })),
        ),
        h(
          "select",
          { "aria-label": "Filter operator", onchange: (e) => ((filter.operator = e.target.value), apply()) },
          OPERATORS.filter(([op]) => allowed.includes(op)).map(([op, title]) =>
            h("option", { value: op, selected: op === filter.operator, text: title }),
          ),
        ),
        h("input", {
          type: "text",
          value: filter.value,
          "aria-label": "Filter value",
          oninput: (e) => ((filter.value = e.target.value), apply()),
        }),
        h("button", {
          type: "button",
          class: "link",
          text: "remove",
          "aria-label": "Remove filter",
          onclick: () => {
            state.filters.splice(i, 1);
            drawFilters(box, state, reload);
            apply();
          },
        }),
      ),
    );
  });
}
