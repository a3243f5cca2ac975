// What the labeling page shows an annotator of reviews: above the editor, the verdict on their rejected
// annotation (the reviewer's comment, "Rejected — fix and resubmit"); in the side bar, the list of their
// rejected annotations in the project, each opening its task.

import { get } from "./api.js";
import { h } from "./dom.js";

let shown = 0; // the annotation whose verdict is being fetched, so that a late answer for another is dropped

export async function showVerdict(box, annotation) {
  shown = annotation ? annotation.id : 0;
  box.replaceChildren();
  box.hidden = true;
  if (!annotation) return;
  const verdicts = await get(`/api/annotations/${annotation.id}/reviews`).catch(() => []);
  if (shown !== annotation.id) return;
  const last = [...verdicts].reverse().find((v) => !v.accepted);
  box.append(h("strong", { text: "Rejected — fix and resubmit" }));
  if (last && last.comment) box.append(h("p", { class: "lab-review-comment", text: last.comment }));
  box.hidden = false;
}

// `open(taskId)` opens a task; the buttons are drawn disabled until `ready()` (the page enables them then).
export async function drawRejections(section, projectId, open, ready = () => true) {
  const rows = await get(`/api/projects/${projectId}/my-rejections`);
  section.querySelector("h2").textContent = `Rejected (${rows.length})`;
  section.querySelector("ol").replaceChildren(
    ...rows.map((row) =>
      h(
        "li",
        {},
        h("button", {
          type: "button",
          title: row.review ? row.review.comment : "",
          text: `Task #${row.task}`,
          disabled: !ready(),
          onclick: () => open(row.task),
        }),
      ),
    ),
  );
  section.hidden = rows.length === 0;
}
