// "Label these": the labeling page working through a data-manager selection (?query=, Label Studio's
// data-manager query: filters, ordering, selectedItems) instead of the project's queue. Each step asks the
// server for the selection's first task, in the table's order, that the user has neither annotated nor
// skipped (GET /api/projects/{id}/selection/next), so the selection is never copied into the page, however
// many tasks "all matching" holds; the tasks the user moved on from without an answer go along as `passed`.

import { get } from "tessera/api.js";

/**
 * The selection the page was opened with, or null when it works through the project's queue.
 * @param {URL} url
 * @param {number} projectId
 * @param {HTMLElement} progress where "n of m done" is shown
 */
export function selectionOf(url, projectId, progress) {
  const query = url.searchParams.get("query");
  if (!query) return null;
  let last = { total: 0, remaining: 0 };
  return {
    /** The next task (null at the end), leaving out the ids in `passed`. */
    async next(passed) {
      const params = new URLSearchParams({ query });
      if (passed.length) params.set("passed", passed.join(","));
      last = await get(`/api/projects/${projectId}/selection/next?${params}`);
      progress.hidden = false;
      progress.textContent = `Selection: ${last.total - last.remaining} of ${last.total} done`;
      return last.task;
    },

    /** What the page says when the selection has nothing more to open: lines, and a way back. */
    end() {
      const lines = last.remaining
        ? [`You have been through this selection; ${last.remaining} of its ${last.total} tasks are still without your answer.`, "Back returns to them."]
        : [last.total ? `Every task in this selection is done (${last.total}).` : "This selection holds no tasks you can label."];
      const back = document.createElement("a");
      back.href = `/projects/${projectId}`;
      back.textContent = "Back to the data manager";
      back.id = "lab-selection-back";
      return { lines, link: back };
    },
  };
}
