"""Labeling a classification task with one key press: the digit chooses, the task is submitted, the next
one loads; skip and back; required controls stop a submit with their message."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.labeling_support import annotations_of, make_project, open_task
from tests.sdk.conftest import LiveServer

CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text" required="true" requiredMessage="Pick a sentiment">
    <Choice value="Positive"/><Choice value="Negative"/><Choice value="Neutral"/>
  </Choices>
</View>"""


def test_one_key_press_submits_and_loads_the_next(page: Page, live_server: LiveServer) -> None:
    pid, ids = make_project(live_server, CONFIG, [{"text": "I love it"}, {"text": "I hate it"}])
    open_task(page, pid, ids[0])
    expect(page.get_by_text("I love it")).to_be_visible()
    page.locator("#lab-auto").check()
    page.keyboard.press("1")
    expect(page.get_by_text("I hate it")).to_be_visible()
    stored = annotations_of(live_server, ids[0])
    assert [a["result"][0]["value"] for a in stored] == [{"choices": ["Positive"]}]
    item = stored[0]["result"][0]
    assert (item["from_name"], item["to_name"], item["type"]) == ("sentiment", "text", "choices")


def test_required_message_then_submit_skip_and_back(page: Page, live_server: LiveServer) -> None:
    pid, ids = make_project(live_server, CONFIG, [{"text": "first"}, {"text": "second"}])
    open_task(page, pid, ids[0])
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("alert")).to_contain_text("Pick a sentiment")
    page.get_by_label("Negative").click()
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("#lab-task")).to_have_text(f"Task #{ids[1]}")
    assert annotations_of(live_server, ids[0])[0]["result"][0]["value"] == {"choices": ["Negative"]}
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_text("first")).to_be_visible()
    expect(page.get_by_role("button", name="Update")).to_be_visible()
    expect(page.get_by_label("Negative")).to_be_checked()


def test_the_end_of_the_queue_is_said_plainly(page: Page, live_server: LiveServer) -> None:
    """Labeling the last task says the queue is empty, with no failed request on the console (the page
    fixture fails the test on any console error)."""
    pid, ids = make_project(live_server, CONFIG, [{"text": "only one"}])
    open_task(page, pid, ids[0])
    page.locator("#lab-auto").check()
    page.keyboard.press("2")
    expect(page.get_by_text("No more tasks to label.")).to_be_visible()
    assert annotations_of(live_server, ids[0])[0]["result"][0]["value"] == {"choices": ["Negative"]}
