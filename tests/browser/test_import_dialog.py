"""The import dialog: files chosen or dropped, tasks pasted, a progress bar, and the server's refusal shown with
the file, line and field it names; offered only to those who may import."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.api.local_http import Reply, local_server
from tests.browser.conftest import Console, sign_in
from tests.sdk.conftest import LiveServer

CONFIG = '<View><Text name="text" value="$text"/><TextArea name="note" toName="text"/></View>'


@pytest.fixture
def project(live_server: LiveServer) -> int:
    with live_server.http() as http:
        return http.post("/api/projects", json={"title": "Imports", "label_config": CONFIG}).json()["id"]


def open_dialog(page: Page, project: int) -> None:
    sign_in(page)
    page.goto(f"/projects/{project}")
    expect(page.get_by_text("No tasks match.")).to_be_visible()
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("dialog", name="Import tasks")).to_be_visible()


def test_import_a_csv_file_through_the_dialog(page: Page, project: int, tmp_path: Path) -> None:
    csv = tmp_path / "tasks.csv"
    csv.write_text("text,source\nfirst row,web\nsecond row,mail\nthird row,web\n")
    open_dialog(page, project)
    page.locator("#import-files").set_input_files(str(csv))
    expect(page.locator("#import-file-list")).to_contain_text("tasks.csv")
    page.get_by_role("button", name="Import", exact=True).last.click()
    expect(page.locator("#import-report")).to_contain_text("Imported 3 tasks")
    expect(page.locator("#import-progress")).to_have_attribute("value", "100")
    page.get_by_role("dialog", name="Import tasks").get_by_role("button", name="Close").first.click()
    expect(page.locator("#task-rows tr[data-id]")).to_have_count(3)
    expect(page.locator("#task-head").get_by_text("source", exact=True)).to_be_visible()


def test_drop_files_and_paste_tasks(page: Page, project: int, live_server: LiveServer) -> None:
    open_dialog(page, project)
    transfer = page.evaluate_handle(
        """() => {
            const t = new DataTransfer();
            t.items.add(new File(['{"text": "dropped one"}\\n{"text": "dropped two"}\\n'], "drop.jsonl"));
            return t;
        }"""
    )
    page.locator("#drop-zone").dispatch_event("drop", {"dataTransfer": transfer})
    expect(page.locator("#import-file-list")).to_contain_text("drop.jsonl")
    page.locator("#import-submit").click()
    expect(page.locator("#import-report")).to_contain_text("Imported 2 tasks")
    page.get_by_label("Or paste a URL").fill('[{"text": "pasted"}]')
    page.locator("#import-submit").click()
    expect(page.locator("#import-report")).to_contain_text("Imported 1 task.")
    with live_server.http() as http:
        tasks = http.get("/api/tasks", params={"project": project}).json()["tasks"]
    assert sorted(t["data"]["text"] for t in tasks) == ["dropped one", "dropped two", "pasted"]


def test_a_refused_file_is_reported_and_nothing_is_imported(
    page: Page, project: int, live_server: LiveServer, tmp_path: Path, console: Console
) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text('[{"text": "fine"},\n {"text": "cut off"\n')
    open_dialog(page, project)
    page.locator("#import-files").set_input_files(str(bad))
    page.locator("#import-submit").click()
    error = page.locator("#import-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Nothing was imported")
    expect(error).to_contain_text("broken.json")
    expect(page.locator("#import-report")).to_be_empty()
    with live_server.http() as http:
        assert http.get("/api/tasks", params={"project": project}).json()["total"] == 0
    assert all("400" in e for e in console.expect_errors())  # the browser logs the refused upload


def test_images_uploaded_through_the_dialog_are_labeled_in_the_page(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    config = (
        '<View><Image name="image" value="$image"/>'
        '<Choices name="kind" toName="image"><Choice value="red"/></Choices></View>'
    )
    with live_server.http() as http:
        pid = http.post("/api/projects", json={"title": "Pictures", "label_config": config}).json()["id"]
    for name, colour in (("red.png", (255, 0, 0)), ("blue.jpg", (0, 0, 255))):
        Image.new("RGB", (40, 30), colour).save(tmp_path / name)
    open_dialog(page, pid)
    page.locator("#import-files").set_input_files([str(tmp_path / "red.png"), str(tmp_path / "blue.jpg")])
    page.get_by_role("button", name="Import", exact=True).last.click()
    expect(page.locator("#import-report")).to_contain_text("Imported 2 tasks")

    page.goto(f"/projects/{pid}/label")
    page.wait_for_selector("#labeling[data-ready='1']")
    image = page.locator("img").first
    expect(image).to_be_visible()
    page.wait_for_function("() => [...document.images].some((i) => i.complete && i.naturalWidth === 40)")


def test_import_is_offered_only_to_those_who_may_import(page: Page, project: int, live_server: LiveServer) -> None:
    """Annotators and reviewers may not import (the server refuses them): no Import button, and its hotkey
    does nothing; a manager has both."""
    tokens = {}
    for role in ("annotator", "reviewer", "manager"):
        email = f"import-{role}@example.com"
        tokens[role] = live_server.create_user_with_token(email, password=f"{role}-password-1")
        with live_server.http() as http:
            r = http.post(f"/api/projects/{project}/members", json={"user": email, "role": role})
            assert r.status_code in (200, 201), r.text
    for role in ("annotator", "reviewer"):
        with live_server.http(tokens[role]) as http:  # as the API has it
            assert http.post(f"/api/projects/{project}/import", json=[{"text": "x"}]).status_code == 403
        page.context.clear_cookies()
        sign_in(page, f"import-{role}@example.com", f"{role}-password-1")
        page.goto(f"/projects/{project}")
        expect(page.get_by_text("No tasks match.")).to_be_visible()
        expect(page.locator("#import-button")).to_be_hidden()
        page.keyboard.press("i")
        expect(page.get_by_role("dialog", name="Import tasks")).to_be_hidden()

    page.context.clear_cookies()
    sign_in(page, "import-manager@example.com", "manager-password-1")
    page.goto(f"/projects/{project}")
    expect(page.get_by_text("No tasks match.")).to_be_visible()
    expect(page.locator("#import-button")).to_be_visible()
    page.keyboard.press("i")
    expect(page.get_by_role("dialog", name="Import tasks")).to_be_visible()


@pytest.fixture(scope="module")
def live_server_env() -> dict[str, str]:
    # The URL imports fetch from a server of the test; uploads over 100 kB run as jobs.
    return {"TESSERA_OUTBOUND_ALLOWLIST": "127.0.0.1", "TESSERA_IMPORT_JOB_BYTES": "100000"}


def test_a_big_upload_is_followed_until_its_job_ends(page: Page, project: int, tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text("".join(json.dumps({"text": f"uploaded row {i}"}) + "\n" for i in range(8000)))
    assert big.stat().st_size > 100_000
    open_dialog(page, project)
    page.locator("#import-files").set_input_files(str(big))
    page.locator("#import-submit").click()
    expect(page.locator("#import-report")).to_contain_text("Imported 8000 tasks")
    expect(page.locator("#import-progress")).to_have_attribute("value", "100")


def test_a_url_import_shows_the_job_s_progress_then_what_it_imported(page: Page, project: int) -> None:
    release = threading.Event()
    body = "".join(json.dumps({"text": f"row {i}"}) + "\n" for i in range(500)).encode()
    routes = {"/held/tasks.jsonl": Reply(200, body, between=lambda: release.wait(30))}
    with local_server(routes) as files:
        open_dialog(page, project)
        page.get_by_label("Or paste a URL").fill(files.url("/held/tasks.jsonl"))
        page.locator("#import-submit").click()
        expect(page.locator("#import-report")).to_contain_text(f"Downloading… 0 B of {len(body) / 1024:.1f} KB")
        release.set()
        expect(page.locator("#import-report")).to_contain_text("Imported 500 tasks")
    expect(page.locator("#import-progress")).to_have_attribute("value", "100")
    page.get_by_role("dialog", name="Import tasks").get_by_role("button", name="Close").first.click()
    expect(page.locator("#task-rows tr[data-id]")).to_have_count(100)  # the first page


def test_a_url_import_that_fails_shows_the_job_s_error(page: Page, project: int, console: Console) -> None:
    routes = {"/bad.csv": Reply(200, b"title\nno text column\n", {"Content-Type": "text/csv"})}
    with local_server(routes) as files:
        open_dialog(page, project)
        page.get_by_label("Or paste a URL").fill(files.url("/bad.csv"))
        page.locator("#import-submit").click()
        error = page.locator("#import-error")
        expect(error).to_contain_text("Nothing was imported")
        expect(error).to_contain_text("bad.csv, line 2: data has no field 'text'")
    expect(page.locator("#import-report")).to_be_empty()
