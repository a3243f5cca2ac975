"""The review workflow in the browser: a reviewer accepts and rejects with the keyboard; the annotator sees the
rejection's comment, resubmits, and the annotation is back in the queue; a fix makes a linked annotation; a
stale version shows the server's 409 and the item is read again; annotators are refused the page. The data
manager's Review column and filter show the verdicts. A rejected task pressed while the labeling page starts
opens once it has."""

from __future__ import annotations

import itertools
import json
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import Console, sign_in
from tests.browser.labeling_support import annotations_of, make_project
from tests.sdk.conftest import ADMIN_PASSWORD, LiveServer
from tests.sdk.support import ADMIN_EMAIL

CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices>
</View>"""
PASSWORD = "annotator-password-1"
_serial = itertools.count(1)


def choice(value: str) -> list[dict[str, Any]]:
    return [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": [value]}}]


def annotator_in(server: LiveServer, project_id: int) -> tuple[str, str]:
    """A new annotator of the project: (e-mail, API token)."""
    email = f"annotator{next(_serial)}@example.com"
    token = server.create_user_with_token(email, password=PASSWORD)
    with server.http() as c:
        r = c.post(f"/api/projects/{project_id}/members", json={"user": email, "role": "annotator"})
        assert r.status_code == 201, r.text
    return email, token


def annotate(server: LiveServer, token: str, task_id: int, value: str) -> dict[str, Any]:
    with server.http(token) as c:
        r = c.post(f"/api/tasks/{task_id}/annotations", json={"result": choice(value)})
        assert r.status_code == 201, r.text
        return r.json()


def annotation(server: LiveServer, annotation_id: int) -> dict[str, Any]:
    with server.http() as c:
        return c.get(f"/api/annotations/{annotation_id}").json()


def open_review(page: Page, project_id: int) -> None:
    page.goto(f"/projects/{project_id}/review")
    page.wait_for_selector("#review[data-ready='1']")


def sign_in_as(page: Page, email: str, password: str = PASSWORD) -> None:
    page.context.clear_cookies()
    sign_in(page, email, password)


def test_accept_reject_and_the_annotator_resubmits(page: Page, live_server: LiveServer) -> None:
    pid, ids = make_project(live_server, CONFIG, [{"text": "good film"}, {"text": "awful film"}])
    email, token = annotator_in(live_server, pid)
    first, second = annotate(live_server, token, ids[0], "Positive"), annotate(live_server, token, ids[1], "Positive")

    sign_in(page)
    page.goto(f"/projects/{pid}")
    page.locator("#review-button").click()
    page.wait_for_selector("#review[data-ready='1']")
    expect(page.locator("#rev-counts")).to_have_text("awaiting 2 · accepted 0 · rejected 0 · fixed 0")
    expect(page.locator("#review")).to_have_attribute("data-annotation", str(first["id"]))
    expect(page.get_by_text("good film")).to_be_visible()
    page.keyboard.press("a")
    expect(page.locator("#review")).to_have_attribute("data-annotation", str(second["id"]))
    assert annotation(live_server, first["id"])["review_status"] == "accepted"

    page.keyboard.press("r")
    dialog = page.locator("#reject-dialog")
    expect(dialog).to_be_visible()
    page.get_by_role("button", name="Reject").last.click()  # an empty comment is not sent
    expect(dialog).to_be_visible()
    page.get_by_label("What should the annotator change?").fill("Awful is negative.")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text("No annotations to review here.")).to_be_visible()
    expect(page.locator("#rev-counts")).to_have_text("awaiting 0 · accepted 1 · rejected 1 · fixed 0")
    assert annotation(live_server, second["id"])["review_status"] == "rejected"

    # The rejected list shows the verdict's history with its comment.
    page.locator("#rev-status").select_option("rejected")
    expect(page.locator("#rev-history")).to_contain_text("Awful is negative.")

    # The data manager's Review column and filter.
    page.goto(f"/projects/{pid}")
    expect(page.locator(f"#task-rows tr[data-id='{ids[0]}'] .badge.review-accepted")).to_have_text("✓ 1")
    expect(page.locator(f"#task-rows tr[data-id='{ids[1]}'] .badge.review-rejected")).to_have_text("✗ 1")
    page.get_by_label("Review filter").select_option("rejected")
    expect(page.locator("#task-rows tr[data-id]")).to_have_count(1)
    expect(page.locator(f"#task-rows tr[data-id='{ids[1]}']")).to_be_visible()

    sign_in_as(page, email)
    page.goto(f"/projects/{pid}/label")
    page.wait_for_selector("#labeling[data-ready='1']")
    expect(page.locator("#lab-review-link")).to_have_count(0)
    expect(page.locator("#lab-rejected h2")).to_have_text("Rejected (1)")
    page.locator("#lab-rejected").get_by_role("button", name=f"Task #{ids[1]}").click()
    expect(page.locator("#lab-review")).to_contain_text("Rejected — fix and resubmit")
    expect(page.locator("#lab-review")).to_contain_text("Awful is negative.")
    page.get_by_label("Negative").click()
    page.get_by_role("button", name="Resubmit").click()
    expect(page.locator("#lab-rejected")).to_be_hidden()
    resubmitted = annotation(live_server, second["id"])
    assert resubmitted["review_status"] is None and resubmitted["result"][0]["value"] == {"choices": ["Negative"]}

    sign_in_as(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    open_review(page, pid)
    expect(page.locator("#review")).to_have_attribute("data-annotation", str(second["id"]))
    expect(page.locator("#rev-list li")).to_have_count(1)


def test_a_fix_is_a_new_annotation_linked_to_the_original(page: Page, live_server: LiveServer) -> None:
    pid, ids = make_project(live_server, CONFIG, [{"text": "a lovely day"}])
    _email, token = annotator_in(live_server, pid)
    original = annotate(live_server, token, ids[0], "Negative")
    sign_in(page)
    open_review(page, pid)
    page.keyboard.press("f")
    expect(page.locator("#rev-save-fix")).to_be_visible()
    page.get_by_label("Positive").click()
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text("No annotations to review here.")).to_be_visible()
    stored = {a["id"]: a for a in annotations_of(live_server, ids[0])}
    assert stored[original["id"]]["review_status"] == "fixed"
    [fixed] = [a for a in stored.values() if a["id"] != original["id"]]
    assert fixed["parent_annotation"] == original["id"] and fixed["review_status"] == "accepted"
    assert fixed["result"][0]["value"] == {"choices": ["Positive"]}
    page.locator("#rev-status").select_option("fixed")
    expect(page.locator("#rev-history")).to_contain_text(f"fixed (annotation #{fixed['id']})")


def test_a_stale_version_shows_the_conflict_and_reloads(page: Page, live_server: LiveServer, console: Console) -> None:
    pid, ids = make_project(live_server, CONFIG, [{"text": "so-so"}])
    _email, token = annotator_in(live_server, pid)
    first = annotate(live_server, token, ids[0], "Positive")
    sign_in(page)
    open_review(page, pid)
    expect(page.get_by_label("Positive")).to_be_checked()
    with live_server.http(token) as c:  # the annotator changes it while the reviewer looks
        assert c.patch(f"/api/annotations/{first['id']}", json={"result": choice("Negative")}).status_code == 200
    page.keyboard.press("a")
    expect(page.locator("#rev-messages")).to_contain_text("changed since you read it")
    expect(page.get_by_label("Negative")).to_be_checked()
    assert annotation(live_server, first["id"])["review_status"] is None
    page.keyboard.press("a")
    expect(page.get_by_text("No annotations to review here.")).to_be_visible()
    assert annotation(live_server, first["id"])["review_status"] == "accepted"
    errors = console.expect_errors()  # the browser logs the refused request, and only that
    assert len(errors) == 1 and "409" in errors[0]
    errors = console.expect_errors()  # the browser logs the refused request, and only that
    assert len(errors) == 1 and "409" in errors[0]


def test_annotators_are_refused_the_page(page: Page, live_server: LiveServer, console: Console) -> None:
    pid, _ids = make_project(live_server, CONFIG, [{"text": "x"}])
    email, _token = annotator_in(live_server, pid)
    sign_in(page, email, PASSWORD)
    page.goto(f"/projects/{pid}")
    expect(page.locator("#project-name")).not_to_have_text("Project")
    expect(page.locator("#review-button")).to_have_count(0)
    response = page.goto(f"/projects/{pid}/review")
    assert response is not None and response.status == 403
    expect(page.locator("#refusal")).to_have_text("Only reviewers and managers review.")
    expect(page.locator("#review")).to_have_count(0)
    errors = console.expect_errors()  # the browser logs the page's 403, and nothing else
    assert all("403" in e for e in errors), errors


def test_agreement_in_the_review_queue_and_the_data_manager(page: Page, live_server: LiveServer) -> None:
    pid, ids = make_project(live_server, CONFIG, [{"text": "agreed"}, {"text": "split"}])
    _first, one = annotator_in(live_server, pid)
    _second, two = annotator_in(live_server, pid)
    for token, values in ((one, ("Positive", "Positive")), (two, ("Positive", "Negative"))):
        for task_id, value in zip(ids, values, strict=True):
            annotate(live_server, token, task_id, value)

    sign_in(page)
    open_review(page, pid)
    expect(page.locator("#rev-list li")).to_have_count(4)
    page.get_by_label("Agreement").select_option("0.5")
    expect(page.locator("#rev-list li")).to_have_count(2)
    expect(page.locator("#rev-list li").first).to_contain_text(f"task {ids[1]}")
    expect(page.locator("#rev-list li").first).to_contain_text("0% agree")

    page.goto(f"/projects/{pid}")
    expect(page.locator(f"#task-rows tr[data-id='{ids[0]}'] td.num").last).to_have_text("100%")
    expect(page.locator(f"#task-rows tr[data-id='{ids[1]}'] td.num").last).to_have_text("0%")
    # Filtered in percent, as shown: below 50% is the split task alone.
    page.get_by_role("button", name="Add filter").click()
    page.get_by_label("Filter column").select_option(label="Agreement")
    page.get_by_label("Filter operator").select_option("less")
    page.get_by_label("Filter value").fill("50")
    expect(page.locator("#task-rows tr[data-id]")).to_have_count(1)
    expect(page.locator(f"#task-rows tr[data-id='{ids[1]}']")).to_be_visible()
    # And by label: the tasks where someone chose "Negative", whatever their agreement.
    page.get_by_role("button", name="Add filter").click()
    page.get_by_label("Filter column").nth(1).select_option(label="Labels")
    page.get_by_label("Filter value").nth(1).fill("Negative")
    expect(page.locator(f"#task-rows tr[data-id='{ids[1]}']")).to_contain_text("Negative, Positive")
    page.get_by_label("Filter value").first.fill("101")
    expect(page.locator("#task-rows tr[data-id]")).to_have_count(1)
    page.get_by_label("Filter value").nth(1).fill("Positive")
    expect(page.locator("#task-rows tr[data-id]")).to_have_count(2)


def test_the_queue_pages_and_j_k_cross_pages(page: Page, live_server: LiveServer) -> None:
    pid, ids = make_project(live_server, CONFIG, [{"text": f"film {i}"} for i in range(105)])
    _email, token = annotator_in(live_server, pid)
    with live_server.http(token) as c:
        for task_id in ids:
            assert c.post(f"/api/tasks/{task_id}/annotations", json={"result": choice("Positive")}).status_code == 201
    with live_server.http() as c:
        queue = f"/api/projects/{pid}/reviews/queue"
        first = [a["id"] for a in c.get(queue, params={"page": 1, "page_size": 100}).json()["results"]]
        second = [a["id"] for a in c.get(queue, params={"page": 2, "page_size": 100}).json()["results"]]
    assert len(first) == 100 and len(second) == 5

    sign_in(page)
    open_review(page, pid)
    review, pages = page.locator("#review"), page.get_by_role("navigation", name="Queue pages")
    expect(page.locator("#rev-range")).to_have_text("1–100 of 105")
    expect(page.locator("#rev-list li")).to_have_count(100)
    expect(pages.get_by_role("button", name="Previous")).to_be_disabled()
    pages.get_by_role("button", name="Next").click()
    expect(page.locator("#rev-range")).to_have_text("101–105 of 105")
    expect(review).to_have_attribute("data-annotation", str(second[0]))
    expect(pages.get_by_role("button", name="Next")).to_be_disabled()

    page.keyboard.press("k")  # before the page's first item: the previous page's last
    expect(page.locator("#rev-range")).to_have_text("1–100 of 105")
    expect(review).to_have_attribute("data-annotation", str(first[-1]))
    page.keyboard.press("j")
    expect(review).to_have_attribute("data-annotation", str(second[0]))

    for judged in second:  # accepting the last page empties it: the queue shows its last page left
        expect(review).to_have_attribute("data-annotation", str(judged))
        page.keyboard.press("a")
    expect(page.locator("#rev-range")).to_have_text("1–100 of 100")
    expect(page.locator("#rev-counts")).to_have_text("awaiting 100 · accepted 5 · rejected 0 · fixed 0")
    with live_server.http() as c:
        assert {annotation(live_server, a)["review_status"] for a in second} == {"accepted"}
        assert c.get(queue, params={"page": 2, "page_size": 100}).json()["results"] == []


def test_a_rejected_task_pressed_while_the_page_still_starts(page: Page, live_server: LiveServer) -> None:
    """The side bar's rejected list is drawn while the page still opens the task in its URL (late here): a press
    on it waits for the page to start, then opens that task (the URL's task no longer comes over it)."""
    pid, ids = make_project(live_server, CONFIG, [{"text": "good film"}, {"text": "awful film"}])
    email, token = annotator_in(live_server, pid)
    rejected = annotate(live_server, token, ids[0], "Positive")
    with live_server.http() as c:
        r = c.post(f"/api/annotations/{rejected['id']}/reviews", json={"accepted": False, "comment": "Not at all."})
        assert r.status_code == 201, r.text
    sign_in_as(page, email)
    late = json.dumps(f"/api/tasks/{ids[1]}")  # the task the URL names comes back 800 ms late: the page still starts
    page.add_init_script(
        """((part) => {
          const fetch = window.fetch;
          const late = () => new Promise((resolve) => setTimeout(resolve, 800));
          window.fetch = (url, options) =>
            String(url).includes(part) ? late().then(() => fetch(url, options)) : fetch(url, options);
        })("""
        + late
        + ")"
    )
    page.goto(f"/projects/{pid}/label?task={ids[1]}")
    page.locator("#lab-rejected").get_by_role("button", name=f"Task #{ids[0]}").click()
    page.wait_for_selector("#labeling[data-ready='1']")
    expect(page.locator("#lab-task")).to_have_text(f"Task #{ids[0]}")
    expect(page.locator("#lab-review")).to_contain_text("Not at all.")
    page.wait_for_timeout(300)
    expect(page.locator("#lab-task")).to_have_text(f"Task #{ids[0]}")
