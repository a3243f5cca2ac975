""" "Label these" in the data manager: the labeling page works through the rows picked, or every task matching
the search, in the table's order, leaving out what the user already answered, and says when it is done."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.browser.labeling_support import annotations_of
from tests.sdk.conftest import LiveServer

CONFIG = (
    '<View><Text name="text" value="$text"/>'
    '<Choices name="mood" toName="text"><Choice value="happy"/><Choice value="sad"/></Choices></View>'
)
HAPPY = [{"from_name": "mood", "to_name": "text", "type": "choices", "value": {"choices": ["happy"]}}]


def make(server: LiveServer, texts: list[str], title: str) -> tuple[int, list[int]]:
    with server.http() as http:
        made = http.post("/api/projects", json={"title": title, "label_config": CONFIG}).json()
        r = http.post(f"/api/projects/{made['id']}/import?return_task_ids=true", json=[{"text": t} for t in texts])
        r.raise_for_status()
        return made["id"], r.json()["task_ids"]


def annotate(server: LiveServer, task_ids: list[int]) -> None:
    with server.http() as http:
        for task_id in task_ids:
            http.post(f"/api/tasks/{task_id}/annotations", json={"result": HAPPY}).raise_for_status()


def rows(page: Page):
    return page.locator("#task-rows tr[data-id]")


def label_current(page: Page, task_id: int, mood: str) -> None:
    expect(page.locator("#lab-task")).to_have_text(f"Task #{task_id}")
    page.locator(".ed-choice", has_text=mood).locator("input").click()
    page.locator("#lab-submit").click()
    expect(page.locator("#lab-task")).not_to_have_text(f"Task #{task_id}")


def test_label_the_rows_picked_in_the_tables_order(page: Page, live_server: LiveServer) -> None:
    pid, ids = make(live_server, [f"note {i}" for i in range(10)], "Pick")
    annotate(live_server, [ids[3]])  # picked, but already answered: left out
    sign_in(page)
    page.goto(f"/projects/{pid}")
    expect(rows(page)).to_have_count(10)
    sort = page.locator("#task-head").get_by_role("button", name=re.compile("^ID"))
    sort.click()
    expect(page.locator("#task-head th[data-column='id']")).to_have_attribute("aria-sort", "ascending")
    sort.click()  # descending: 9, 8, ... 0
    expect(page.locator("#task-head th[data-column='id']")).to_have_attribute("aria-sort", "descending")
    expect(rows(page).first).to_have_attribute("data-id", str(ids[9]))
    for task_id in (ids[1], ids[3], ids[6], ids[8]):
        page.locator(f"#task-rows tr[data-id='{task_id}']").get_by_role("checkbox").check()
    expect(page.locator("#selection-count")).to_have_text("4 tasks selected")
    page.get_by_role("button", name="Label these").click()
    page.wait_for_url(re.compile(r"/label\?query="))
    expect(page.locator("#lab-selection")).to_have_text("Selection: 1 of 4 done")
    label_current(page, ids[8], "happy")
    expect(page.locator("#lab-selection")).to_have_text("Selection: 2 of 4 done")
    label_current(page, ids[6], "sad")
    label_current(page, ids[1], "happy")
    expect(page.locator("#lab-messages")).to_contain_text("Every task in this selection is done (4).")
    expect(page.locator("#lab-selection")).to_have_text("Selection: 4 of 4 done")
    page.locator("#lab-back").click()  # back still opens what was labeled
    expect(page.locator("#lab-task")).to_have_text(f"Task #{ids[1]}")
    expect(page.locator(".ed-choice", has_text="happy").locator("input")).to_be_checked()
    moods = {i: [a["result"][0]["value"]["choices"] for a in annotations_of(live_server, ids[i])] for i in range(10)}
    assert moods == {
        **{i: [] for i in range(10)},
        1: [["happy"]],
        3: [["happy"]],
        6: [["sad"]],
        8: [["happy"]],
    }
    page.goto(page.url)  # a reload goes on with the selection: nothing left
    page.locator("#lab-next").click()
    expect(page.locator("#lab-messages")).to_contain_text("Every task in this selection is done (4).")
    page.get_by_role("link", name="Back to the data manager").click()
    page.wait_for_url(re.compile(rf"/projects/{pid}$"))


def test_label_all_tasks_matching_the_search(page: Page, live_server: LiveServer) -> None:
    texts = [f"{'apple' if i % 2 == 0 else 'berry'} {i:03d}" for i in range(210)]
    pid, ids = make(live_server, texts, "All matching")
    apples = [task_id for task_id, text in zip(ids, texts, strict=True) if text.startswith("apple")]
    annotate(live_server, apples[:101])  # 105 match, 4 are left to label
    sign_in(page)
    page.goto(f"/projects/{pid}")
    expect(rows(page)).to_have_count(100)
    page.get_by_label("Search tasks").fill("apple")
    expect(page.locator("#page-info")).to_have_text("1–100 of 105")
    text_column = page.locator("#task-head th[data-column='data.text']")
    page.locator("#task-head").get_by_role("button", name="text").click()
    expect(text_column).to_have_attribute("aria-sort", "ascending")
    page.locator("#task-head").get_by_role("button", name=re.compile("^text")).click()
    expect(text_column).to_have_attribute("aria-sort", "descending")
    expect(rows(page).first).to_contain_text("apple 208")
    page.get_by_label("Select the tasks on this page").check()
    page.get_by_role("button", name="Select all 105 matching").click()
    expect(page.locator("#selection-count")).to_have_text("105 tasks selected")
    page.get_by_role("button", name="Label these").click()
    page.wait_for_url(re.compile(r"/label\?query="))
    assert len(page.url) < 1000  # the search and the order travel, not 105 ids
    expect(page.locator("#lab-selection")).to_have_text("Selection: 101 of 105 done")
    for task_id in reversed(apples[101:]):  # 208, 206, 204, 202
        label_current(page, task_id, "sad")
    expect(page.locator("#lab-messages")).to_contain_text("Every task in this selection is done (105).")
    with live_server.http() as http:
        listed = http.get("/api/tasks", params={"project": pid, "page_size": 1000}).json()["tasks"]
    labeled = sorted(t["id"] for t in listed if t["total_annotations"])
    assert labeled == sorted(apples)
    assert all(annotations_of(live_server, t)[0]["result"][0]["value"]["choices"] == ["sad"] for t in apples[101:])


def test_next_pressed_while_the_page_still_opens(page: Page, live_server: LiveServer) -> None:
    """A reload of a finished selection on a slow connection: "Next task", pressed at once, waits for the page to
    open the task in its URL and then says the selection is done (the task no longer comes back over that)."""
    pid, ids = make(live_server, ["a", "b", "c"], "Slow start")
    annotate(live_server, ids[:2])
    sign_in(page)
    page.add_init_script(  # who the user is comes back 300 ms late: the page is still starting when Next is pressed
        """(() => {
          const fetch = window.fetch;
          const late = () => new Promise((resolve) => setTimeout(resolve, 300));
          window.fetch = (url, options) =>
            String(url).includes("/whoami") ? late().then(() => fetch(url, options)) : fetch(url, options);
        })()"""
    )
    query = {"selectedItems": {"all": False, "included": ids[:2]}, "ordering": ["-tasks:id"]}
    page.goto(f"/projects/{pid}/label?{urlencode({'query': json.dumps(query), 'task': ids[0]})}")
    page.locator("#lab-next").click()
    page.wait_for_selector("#labeling[data-ready='1']")
    expect(page.locator("#lab-messages")).to_contain_text("Every task in this selection is done (2).")
    expect(page.locator("#lab-task")).to_have_text("")
    expect(page.locator("#lab-selection")).to_have_text("Selection: 2 of 2 done")
    expect(page.locator("#lab-history li")).to_have_count(1)  # the task the URL named, opened before Next
