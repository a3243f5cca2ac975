"""Real preference pairs judged in the browser: the replies come in a shuffled order, the annotator picks the
dataset's chosen reply wherever it is drawn (with the button or the arrow key), and the DPO export holds each
pair the right way round."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

from tests.api.test_preferences_end_to_end import CONFIG, as_tasks, load_pairs
from tests.browser.labeling_support import make_project, open_task
from tests.sdk.conftest import LiveServer


def screen_order(page: Page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll("[data-object='reply_a'], [data-object='reply_b']")]
                 .sort((x, y) => x.getBoundingClientRect().left - y.getBoundingClientRect().left
                                 || x.getBoundingClientRect().top - y.getBoundingClientRect().top)
                 .map((el) => el.dataset.object)"""
    )


def test_pairs_judged_in_the_browser_export_the_right_way_round(page: Page, live_server: LiveServer) -> None:
    pairs = load_pairs()[:8]
    tasks = as_tasks(pairs)
    pid, ids = make_project(live_server, CONFIG, tasks)
    chosen_of = {task_id: pair["chosen"] for task_id, pair in zip(ids, pairs, strict=True)}
    open_task(page, pid)
    first_shown = []
    for n in range(len(ids)):
        task_id = int(page.locator("#labeling").get_attribute("data-task-id"))
        task = tasks[ids.index(task_id)]
        shown = screen_order(page)
        first_shown.append(shown[0])
        index = [task[name] for name in shown].index(chosen_of[task_id])
        if n % 2:
            page.get_by_role("button", name="Left is better" if index == 0 else "Right is better").click()
        else:
            page.locator("#labeling").press("ArrowLeft" if index == 0 else "ArrowRight")
        page.locator("#lab-submit").click()
        expect(page.locator("#labeling")).not_to_have_attribute("data-task-id", str(task_id))
    with live_server.http() as http:
        r = http.get(f"/api/projects/{pid}/export?exportType=DPO_JSONL")
        assert r.status_code == 200, r.text
        rows = [json.loads(line) for line in r.text.splitlines()]
        presentations = [
            a["presentation"]
            for t in http.get(f"/api/projects/{pid}/export?exportType=JSON").json()
            for a in t["annotations"]
        ]
    assert len(rows) == len(ids)
    for row in rows:
        pair = pairs[ids.index(row["task_id"])]
        assert row["prompt"] == pair["conversation"]
        assert row["chosen"] == [{"role": "assistant", "content": pair["chosen"]}]
        assert row["rejected"] == [{"role": "assistant", "content": pair["rejected"]}]
    assert sorted(p["preference"][0] for p in presentations) == sorted(first_shown)
