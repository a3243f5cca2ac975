"""The export dialog: every format the server offers, downloaded for the whole project or the selected tasks."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.sdk.conftest import LiveServer

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
