"""The export dialog: every format the server offers, downloaded for the whole project or the selected tasks;
an export over the job threshold (lowered for this module's server) goes through a snapshot job with progress."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import sign_in
from tests.sdk.conftest import LiveServer

JOB_TASKS = 1000
BIG = 3000


@pytest.fixture(scope="module")
def live_server_env() -> dict[str, str]:
    return {"TESSERA_EXPORT_JOB_TASKS": str(JOB_TASKS)}


CONFIG = '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="A"/></Choices></View>'


@pytest.fixture(scope="module")
def project(live_server: LiveServer) -> int:
    with live_server.http() as http:
        made = http.post("/api/projects", json={"title": "Exports", "label_config": CONFIG}).json()
        rows = [{"text": f"row {i}"} for i in range(5)]
        http.post(f"/api/projects/{made['id']}/import", json=rows).raise_for_status()
        return made["id"]


def _text_of(raw: bytes) -> str:
    """What a download says, whatever its container: text, a Parquet table, or a zip of either."""
    if raw[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            return "\n".join(_text_of(z.read(name)) for name in z.namelist())
    if raw[:4] == b"PAR1":
        return str(pq.read_table(io.BytesIO(raw)).to_pylist())
    return raw.decode("utf-8")


def test_every_format_is_offered_and_downloads(page: Page, project: int, live_server: LiveServer) -> None:
    with live_server.http() as http:
        formats = http.get(f"/api/projects/{project}/export/formats").json()
    sign_in(page)
    page.goto(f"/projects/{project}")
    expect(page.locator("#task-rows tr[data-id]")).to_have_count(5)
    page.get_by_role("button", name="Export").click()
    dialog = page.get_by_role("dialog", name="Export")
    expect(dialog.get_by_role("radio")).to_have_count(len(formats))
    usable = [f for f in formats if not f.get("disabled")]
    assert {"JSON", "CSV", "PARQUET"} <= {f["name"] for f in usable}
    for fmt in usable:
        dialog.locator(f"input[value='{fmt['name']}']").check()
        with page.expect_download() as info:
            dialog.get_by_role("button", name="Download").click()
        download = info.value
        assert download.failure() is None
        assert "row 4" in _text_of(Path(download.path()).read_bytes()), fmt["name"]
    dialog.locator("input[value='JSON']").check()
    with page.expect_download() as info:
        dialog.get_by_role("button", name="Download").click()
    assert len(json.loads(open(info.value.path(), encoding="utf-8").read())) == 5  # noqa: PTH123, SIM115


def test_export_the_selected_tasks(page: Page, project: int) -> None:
    sign_in(page)
    page.goto(f"/projects/{project}")
    rows = page.locator("#task-rows tr[data-id]")
    expect(rows).to_have_count(5)
    rows.nth(1).get_by_role("checkbox").check()
    rows.nth(3).get_by_role("checkbox").check()
    page.get_by_role("button", name="Export these").click()
    dialog = page.get_by_role("dialog", name="Export")
    expect(dialog).to_contain_text("2 selected tasks")
    dialog.locator("input[value='JSON']").check()
    with page.expect_download() as info:
        dialog.get_by_role("button", name="Download").click()
    exported = json.loads(open(info.value.path(), encoding="utf-8").read())  # noqa: PTH123, SIM115
    assert sorted(t["data"]["text"] for t in exported) == ["row 1", "row 3"]


def test_the_annotation_filters_reach_the_file(page: Page, live_server: LiveServer) -> None:
    with live_server.http() as http:
        pid = http.post("/api/projects", json={"title": "Filters", "label_config": CONFIG}).json()["id"]
        ids = http.post(f"/api/projects/{pid}/import?return_task_ids=true", json=[{"text": f"t{i}"} for i in range(3)])
        ids = ids.json()["task_ids"]
        result = [{"from_name": "c", "to_name": "text", "type": "choices", "value": {"choices": ["A"]}}]
        for task_id, gold in ((ids[0], True), (ids[1], False)):
            r = http.post(f"/api/tasks/{task_id}/annotations", json={"result": result, "ground_truth": gold})
            assert r.status_code == 201, r.text
    sign_in(page)
    page.goto(f"/projects/{pid}")
    page.get_by_role("button", name="Export").click()
    dialog = page.get_by_role("dialog", name="Export")

    def download() -> list[dict]:
        dialog.locator("input[value='JSON']").check()
        with page.expect_download() as info:
            dialog.get_by_role("button", name="Download").click()
        return json.loads(Path(info.value.path()).read_text(encoding="utf-8"))

    assert len(download()) == 3
    dialog.get_by_label("Only tasks with annotations").check()
    assert [t["data"]["text"] for t in download()] == ["t0", "t1"]
    dialog.get_by_label("Ground truth only").check()
    assert [t["data"]["text"] for t in download()] == ["t0"]
    dialog.get_by_label("Ground truth only").uncheck()
    dialog.get_by_label("Accepted by a review only").check()
    assert download() == []  # nothing was reviewed


# What the progress line said, in order, and the bar's maximum while it ran (the page's own record of the run).
WATCH_PROGRESS = """() => {
  window.seenProgress = [];
  const text = document.querySelector("#export-progress-text");
  const bar = document.querySelector("#export-progress");
  new MutationObserver(() => window.seenProgress.push([text.textContent, bar.max, bar.value])).observe(text, {
    childList: true, characterData: true, subtree: true,
  });
}"""


@pytest.fixture(scope="module")
def big_project(live_server: LiveServer) -> int:
    with live_server.http() as http:
        pid = http.post("/api/projects", json={"title": "Big export", "label_config": CONFIG}).json()["id"]
        r = http.post(
            f"/api/projects/{pid}/import?return_task_ids=true", json=[{"text": f"big {i}"} for i in range(BIG)]
        )
        ids = r.json()["task_ids"]
        result = [{"from_name": "c", "to_name": "text", "type": "choices", "value": {"choices": ["A"]}}]
        for task_id in ids[:3]:
            r = http.post(
                f"/api/tasks/{task_id}/annotations", json={"result": result, "ground_truth": task_id == ids[0]}
            )
            assert r.status_code == 201, r.text
        return pid


def test_a_big_export_runs_as_a_job_with_progress(page: Page, big_project: int, live_server: LiveServer) -> None:
    sign_in(page)
    page.goto(f"/projects/{big_project}")
    page.get_by_role("button", name="Export").click()
    dialog = page.get_by_role("dialog", name="Export")
    dialog.locator("input[value='CSV']").check()
    page.evaluate(WATCH_PROGRESS)
    with page.expect_download() as info:
        dialog.get_by_role("button", name="Download").click()
    download = info.value
    assert download.failure() is None
    assert "/exports/" in download.url and download.url.endswith("exportType=CSV")
    csv_text = Path(download.path()).read_text(encoding="utf-8")
    assert "big 2999" in csv_text and "big 0" in csv_text
    assert len(csv_text.strip().splitlines()) == 1 + BIG  # a header and a row per task (none has two annotations)
    bar = dialog.get_by_role("progressbar", name=f"Done: {BIG:,} tasks exported")
    expect(bar).to_be_visible()
    seen = page.evaluate("window.seenProgress")
    # the job answers at once: caught running, writing JSON then CSV, on one bar for both
    running = [(text, value) for text, top, value in seen if top == 2 * BIG]
    assert running, seen
    for text, value in running:
        step = re.fullmatch(rf"Writing (JSON|CSV): ([\d,]+) of {BIG:,} tasks \(step ([12]) of 2\)", text)
        assert step and value == (int(step[3]) - 1) * BIG + int(step[2].replace(",", "")), seen
    assert [value for _text, value in running] == sorted(value for _text, value in running), seen

    # the filters reach the job: labeled tasks only, ground truth only, as JSON
    dialog.get_by_label("Only tasks with annotations").check()
    dialog.get_by_label("Ground truth only").check()
    dialog.locator("input[value='JSON']").check()
    with page.expect_download() as info:
        dialog.get_by_role("button", name="Download").click()
    exported = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert [t["data"]["text"] for t in exported] == ["big 0"]
    assert [a["ground_truth"] for a in exported[0]["annotations"]] == [True]
    expect(dialog.get_by_role("progressbar", name="Done: 1 task exported")).to_be_visible()
    with live_server.http() as http:  # both snapshots kept, as Label Studio keeps them
        assert [e["status"] for e in http.get(f"/api/projects/{big_project}/exports").json()] == ["completed"] * 2


def test_the_bar_fills_once_for_a_job_in_two_formats(page: Page, big_project: int) -> None:
    """A CSV export through a job writes the tasks twice, as JSON then as CSV, and the job reports each pass from
    0 (its reports are played here one a poll, the job being too quick to catch): the bar fills once, from 0 to
    100 %, half for each pass."""
    played = iter([("JSON", 0), ("JSON", 1000), ("JSON", BIG), ("CSV", 0), ("CSV", 1500), ("CSV", BIG)])
    last: list = []

    def running(record: dict) -> dict:
        fmt, tasks = last[-1]
        return {**record, "status": "in_progress", "progress": {"tasks": tasks, "task_total": BIG, "format": fmt}}

    def on_create(route: Route) -> None:
        if route.request.method != "POST":
            return route.fallback()
        last.append(next(played))
        route.fulfill(status=201, json=running(route.fetch().json()))

    def on_poll(route: Route) -> None:
        if route.request.method != "GET":
            return route.fallback()
        record = route.fetch().json()
        step = next(played, None)
        if step is not None:
            last.append(step)
        if step is not None or record["status"] != "completed":
            return route.fulfill(json=running(record))
        route.fulfill(json=record)  # every report played and the job done: its real answer

    page.route(re.compile(r".*/api/projects/\d+/exports$"), on_create)
    page.route(re.compile(r".*/api/projects/\d+/exports/\d+$"), on_poll)
    sign_in(page)
    page.goto(f"/projects/{big_project}")
    page.get_by_role("button", name="Export").click()
    dialog = page.get_by_role("dialog", name="Export")
    dialog.locator("input[value='CSV']").check()
    page.evaluate(WATCH_PROGRESS)
    with page.expect_download() as info:
        dialog.get_by_role("button", name="Download").click()
    assert info.value.failure() is None
    expect(dialog.get_by_role("progressbar", name=f"Done: {BIG:,} tasks exported")).to_have_js_property("value", 1)
    seen = [(text, value / top) for text, top, value in page.evaluate("window.seenProgress") if text.startswith("W")]
    assert [share for _text, share in seen] == [0, pytest.approx(1 / 6), 0.5, 0.5, 0.75, 1], seen
    assert [text for text, _share in seen] == [
        f"Writing JSON: 0 of {BIG:,} tasks (step 1 of 2)",
        f"Writing JSON: 1,000 of {BIG:,} tasks (step 1 of 2)",
        f"Writing JSON: {BIG:,} of {BIG:,} tasks (step 1 of 2)",
        f"Writing CSV: 0 of {BIG:,} tasks (step 2 of 2)",
        f"Writing CSV: 1,500 of {BIG:,} tasks (step 2 of 2)",
        f"Writing CSV: {BIG:,} of {BIG:,} tasks (step 2 of 2)",
    ]


def _hold_running(page: Page, polled: dict) -> None:
    """The job made too quick to catch is shown running (the POST's real answer, and every poll, say
    `in_progress` at 1,000 of 3,000 tasks) or, once `polled["fail"]` is set, failed: the server's side of both
    is tested in tests/api/test_export_jobs.py."""

    def on_create(route: Route) -> None:
        if route.request.method != "POST":
            return route.fallback()
        made = route.fetch().json()
        polled["id"] = made["id"]
        route.fulfill(status=201, json={**made, "status": "in_progress", "progress": running})

    def on_poll(route: Route) -> None:
        if route.request.method != "GET":
            return route.fallback()
        record = route.fetch().json()
        if polled.get("fail"):
            return route.fulfill(json={**record, "status": "failed", "error": "the disk is full"})
        route.fulfill(json={**record, "status": "in_progress", "progress": running})

    running = {"tasks": 1000, "task_total": BIG, "format": "JSON"}
    page.route(re.compile(r".*/api/projects/\d+/exports$"), on_create)
    page.route(re.compile(r".*/api/projects/\d+/exports/\d+$"), on_poll)


def _gone(page: Page, live_server: LiveServer, project: int, export_id: int) -> None:
    """The snapshot is deleted (the page's DELETE is on its way when the dialog has already moved on)."""
    with live_server.http() as http:
        for _ in range(50):
            if http.get(f"/api/projects/{project}/exports/{export_id}").status_code == 404:
                return
            page.wait_for_timeout(100)
    raise AssertionError(f"export {export_id} was not deleted")


def test_cancelling_a_running_export_deletes_it(page: Page, big_project: int, live_server: LiveServer) -> None:
    with live_server.http() as http:
        before = len(http.get(f"/api/projects/{big_project}/exports").json())
    polled: dict = {}
    _hold_running(page, polled)
    sign_in(page)
    page.goto(f"/projects/{big_project}")
    page.get_by_role("button", name="Export").click()
    dialog = page.get_by_role("dialog", name="Export")
    dialog.locator("input[value='JSON']").check()
    dialog.get_by_role("button", name="Download").click()
    bar = dialog.get_by_role("progressbar", name=f"Writing JSON: 1,000 of {BIG:,} tasks")
    expect(bar).to_be_visible()
    expect(bar).to_have_js_property("value", 1000)
    expect(dialog.get_by_role("button", name="Download")).to_be_disabled()
    dialog.get_by_role("button", name="Cancel export").click()
    expect(bar).to_be_hidden()
    expect(dialog.get_by_role("button", name="Download")).to_be_enabled()
    _gone(page, live_server, big_project, polled["id"])
    with live_server.http() as http:
        assert len(http.get(f"/api/projects/{big_project}/exports").json()) == before

    # closing the dialog while it runs (here with Escape) cancels too
    dialog.get_by_role("button", name="Download").click()
    expect(bar).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    _gone(page, live_server, big_project, polled["id"])


def test_a_failed_export_shows_its_error(page: Page, big_project: int) -> None:
    polled: dict = {"fail": True}
    _hold_running(page, polled)
    sign_in(page)
    page.goto(f"/projects/{big_project}")
    page.get_by_role("button", name="Export").click()
    dialog = page.get_by_role("dialog", name="Export")
    dialog.locator("input[value='JSON']").check()
    dialog.get_by_role("button", name="Download").click()
    expect(dialog.get_by_role("alert")).to_have_text("The export failed: the disk is full")
    expect(dialog.get_by_role("progressbar")).to_be_hidden()
    expect(dialog.get_by_role("button", name="Download")).to_be_enabled()
