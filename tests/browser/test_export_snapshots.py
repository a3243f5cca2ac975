"""The export dialog's snapshot panel: the project's snapshots newest first with their formats, filters, status,
size and md5; a snapshot downloaded from it, one deleted after a confirmation; Delete only for the roles the API
lets delete (a reviewer their own snapshots only), and no exports at all for an annotator."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path

from playwright.sync_api import Locator, Page, Route, expect

from tests.browser.conftest import sign_in
from tests.sdk.conftest import LiveServer

CONFIG = '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="A"/></Choices></View>'
RESULT = [{"from_name": "c", "to_name": "text", "type": "choices", "value": {"choices": ["A"]}}]


def _project(live_server: LiveServer, title: str) -> int:
    with live_server.http() as http:
        pid = http.post("/api/projects", json={"title": title, "label_config": CONFIG}).json()["id"]
        r = http.post(f"/api/projects/{pid}/import?return_task_ids=true", json=[{"text": f"s{i}"} for i in range(3)])
        first = r.json()["task_ids"][0]
        r = http.post(f"/api/tasks/{first}/annotations", json={"result": RESULT, "ground_truth": True})
        assert r.status_code == 201, r.text
        return pid


def _snapshot(live_server: LiveServer, pid: int, body: dict, token: str | None = None) -> dict:
    with live_server.http(token) as http:
        r = http.post(f"/api/projects/{pid}/exports", json=body)
        assert r.status_code == 201, r.text
        return r.json()


def _open_panel(page: Page, pid: int) -> Locator:
    page.goto(f"/projects/{pid}")
    page.get_by_role("button", name="Export", exact=True).click()
    dialog = page.get_by_role("dialog", name="Export")
    dialog.get_by_text("Snapshots on the server").click()
    return dialog


def test_snapshots_are_listed_downloaded_and_deleted(page: Page, live_server: LiveServer) -> None:
    pid = _project(live_server, "Snapshot list")
    older = _snapshot(live_server, pid, {"title": "everything"})
    newer = _snapshot(
        live_server,
        pid,
        {
            "title": "gold <b>only</b>",
            "export_type": "CSV",
            "task_filter_options": {"only_with_annotations": True},
            "annotation_filter_options": {"ground_truth": True},
        },
    )
    sign_in(page)
    dialog = _open_panel(page, pid)
    items = dialog.locator("#snapshot-list > li")
    expect(items).to_have_count(2)
    assert [items.nth(i).get_attribute("data-id") for i in range(2)] == [str(newer["id"]), str(older["id"])]
    first, second = items.nth(0), items.nth(1)
    expect(first.locator(".snapshot-formats")).to_have_text("JSON, CSV")
    expect(second.locator(".snapshot-formats")).to_have_text("JSON")
    for item in (first, second):
        expect(item.locator(".badge")).to_have_text("Completed")
        expect(item).to_contain_text("by admin@example.com")
    expect(first.locator(".snapshot-title")).to_have_text("gold <b>only</b>")  # text, never markup
    expect(first.locator(".snapshot-filters")).to_have_text("Tasks with annotations · ground truth only")
    expect(second.locator(".snapshot-filters")).to_have_text("All tasks")
    expect(first.locator("[data-format=JSON] code")).to_have_text(newer["md5"])
    expect(first.locator("[data-format=CSV]")).to_contain_text(newer["converted_formats"][0]["md5"])

    with page.expect_download() as info:
        first.get_by_role("link", name="Download CSV").click()
    raw = Path(info.value.path()).read_bytes()
    assert hashlib.md5(raw).hexdigest() == newer["converted_formats"][0]["md5"]  # noqa: S324
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert [(r["text"], r["c"]) for r in rows] == [("s0", "A")]
    expect(first.locator("[data-format=CSV]")).to_contain_text(f"{len(raw)} bytes")
    with page.expect_download() as info:
        second.get_by_role("link", name="Download JSON").click()
    assert sorted(t["data"]["text"] for t in json.loads(Path(info.value.path()).read_bytes())) == ["s0", "s1", "s2"]

    confirm = page.locator("#confirm-dialog")
    second.get_by_role("button", name="Delete").click()
    expect(confirm).to_contain_text(f"Delete snapshot #{older['id']} (JSON)")
    confirm.get_by_role("button", name="Cancel").click()  # thought better of it: nothing goes
    expect(dialog).to_be_visible()
    expect(items).to_have_count(2)
    second.get_by_role("button", name="Delete").click()
    confirm.get_by_role("button", name="Delete").click()
    expect(items).to_have_count(1)
    expect(items.first).to_have_attribute("data-id", str(newer["id"]))
    expect(dialog).to_be_visible()
    with live_server.http() as http:
        assert [e["id"] for e in http.get(f"/api/projects/{pid}/exports").json()] == [newer["id"]]
        assert http.get(f"/api/projects/{pid}/exports/{older['id']}").status_code == 404


def test_running_and_failed_snapshots_show_their_progress_and_error(page: Page, live_server: LiveServer) -> None:
    """A job too quick to catch is shown running (the list's real answer, its newest snapshot made to say
    `in_progress` at 1,000 of 3,000 tasks) and its neighbour failed; the panel polls until the job is done."""
    pid = _project(live_server, "Snapshot states")
    failed = _snapshot(live_server, pid, {})
    running = _snapshot(live_server, pid, {"export_type": "CSV"})
    state = {"done": False}

    def on_list(route: Route) -> None:
        records = route.fetch().json()
        for record in records:
            if record["id"] == failed["id"]:
                record.update(status="failed", error="the disk is full <script>")
            elif record["id"] == running["id"] and not state["done"]:
                record.update(
                    status="in_progress",
                    converted_formats=[{"export_type": "CSV", "status": "in_progress", "md5": None, "size": None}],
                    progress={"tasks": 1000, "task_total": 3000, "format": "JSON"},
                )
        route.fulfill(json=records)

    page.route(re.compile(r".*/api/projects/\d+/exports\?limit=\d+$"), on_list)
    sign_in(page)
    dialog = _open_panel(page, pid)
    items = dialog.locator("#snapshot-list > li")
    expect(items).to_have_count(2)
    busy, broken = items.nth(0), items.nth(1)
    expect(busy.locator(".badge")).to_have_text("In progress")
    expect(busy.locator(".snapshot-formats")).to_have_text("JSON, CSV")
    bar = busy.get_by_role("progressbar", name="Writing JSON: 1,000 of 3,000 tasks (step 1 of 2)")
    expect(bar).to_have_js_property("value", 1000)
    expect(bar).to_have_js_property("max", 6000)  # one bar for the job: JSON, then CSV
    expect(busy.get_by_role("link")).to_have_count(0)  # nothing to download yet
    expect(broken.locator(".badge")).to_have_text("Failed")
    expect(broken.locator(".snapshot-error")).to_have_text("Failed: the disk is full <script>")
    expect(broken.get_by_role("link")).to_have_count(0)
    state["done"] = True  # the next poll finds it written
    expect(busy.locator(".badge")).to_have_text("Completed")
    expect(busy.get_by_role("link", name="Download CSV")).to_be_visible()
    expect(busy.get_by_role("progressbar")).to_have_count(0)


def test_show_more_pages_through_many_snapshots(page: Page, live_server: LiveServer) -> None:
    pid = _project(live_server, "Many snapshots")
    made = [_snapshot(live_server, pid, {})["id"] for _ in range(12)]
    sign_in(page)
    dialog = _open_panel(page, pid)
    items = dialog.locator("#snapshot-list > li")
    expect(items).to_have_count(10)
    dialog.get_by_role("button", name="Show more").click()
    expect(items).to_have_count(12)
    assert [int(items.nth(i).get_attribute("data-id") or 0) for i in range(12)] == made[::-1]
    expect(dialog.get_by_role("button", name="Show more")).to_be_hidden()


def test_delete_is_offered_as_the_api_allows_it(page: Page, live_server: LiveServer) -> None:
    pid = _project(live_server, "Snapshot roles")
    people = {}
    for role in ("reviewer", "annotator"):
        email = f"snapshots-{role}@example.com"
        people[role] = live_server.create_user_with_token(email, password=f"{role}-password-1")
        with live_server.http() as http:
            r = http.post(f"/api/projects/{pid}/members", json={"user": email, "role": role})
            assert r.status_code in (200, 201), r.text
    admins = _snapshot(live_server, pid, {})
    reviewers = _snapshot(live_server, pid, {}, people["reviewer"])

    sign_in(page, "snapshots-reviewer@example.com", "reviewer-password-1")
    dialog = _open_panel(page, pid)
    items = dialog.locator("#snapshot-list > li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("by snapshots-reviewer@example.com")
    expect(items.nth(0).get_by_role("button", name="Delete")).to_be_visible()  # their own
    expect(items.nth(1).get_by_role("button", name="Delete")).to_have_count(0)  # the admin's
    with live_server.http(people["reviewer"]) as http:  # as the API has it
        assert http.delete(f"/api/projects/{pid}/exports/{admins['id']}").status_code == 403

    page.context.clear_cookies()
    sign_in(page, "snapshots-annotator@example.com", "annotator-password-1")
    page.goto(f"/projects/{pid}")
    expect(page.locator("#task-rows tr[data-id]")).to_have_count(3)
    expect(page.get_by_role("button", name="Export", exact=True)).to_be_hidden()
    assert page.locator("#export-snapshots").count() == 0
    assert page.get_by_role("button", name="Delete").count() == 0
    with live_server.http(people["annotator"]) as http:
        assert http.get(f"/api/projects/{pid}/exports").status_code == 403
        assert http.delete(f"/api/projects/{pid}/exports/{reviewers['id']}").status_code == 403
