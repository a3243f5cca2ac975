"""Exports: the synchronous `/export` (new client `download_sync`, `as_json`; legacy `export_tasks`) in JSON,
JSON_MIN, CSV and TSV, and export snapshots (new client `exports.create/get/list/convert/download/delete`,
legacy `export_snapshot_*`).

JSON_MIN, CSV and TSV are checked against the SDK's own `Converter` run over the server's JSON export, the way
Label Studio makes them.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from label_studio_sdk.converter import Converter
from label_studio_sdk.core.api_error import ApiError

from tests.sdk.support import NER_CONFIG, fixture_json, strip_item, val

SNAPSHOT_WAIT_S = 10  # Tessera makes snapshots synchronously; a Label Studio server takes well under this here


@dataclass
class Exported:
    project_id: int
    flat: int  # one annotation (made through the API)
    full: int  # one imported annotation and one imported prediction
    skipped: int  # one cancelled annotation and one prediction
    untouched: int  # nothing
    admin_id: int
    annotation_id: int

    @property
    def task_ids(self) -> list[int]:
        return [self.flat, self.full, self.skipped, self.untouched]


def _sentiment(choice: str) -> dict[str, Any]:
    return {"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": [choice]}}


FLAT_RESULT = [
    {
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": 0, "end": 4, "text": "flat", "labels": ["ORG"]},
    },
    _sentiment("Negative"),
]


@pytest.fixture(scope="module")
def exported(ls: Any) -> Iterator[Exported]:
    project = ls.projects.create(title="exports", label_config=NER_CONFIG)
    tasks = fixture_json("import_tasks.json") + [{"text": "untouched"}]
    flat, full, skipped, untouched = ls.projects.import_tasks(
        id=project.id, request=tasks, return_task_ids=True
    ).task_ids
    a = ls.annotations.create(id=flat, result=FLAT_RESULT, lead_time=2.5)
    ls.annotations.create(id=skipped, result=[], was_cancelled=True)
    ls.predictions.create(task=skipped, result=[_sentiment("Positive")], score=0.3, model_version="m1")
    yield Exported(project.id, flat, full, skipped, untouched, ls.users.whoami().id, a.id)
    ls.projects.delete(project.id)


def _sync(ls: Any, project_id: int, export_type: str, **kwargs: Any) -> bytes:
    kwargs.setdefault("download_all_tasks", True)
    return b"".join(ls.projects.exports.download_sync(project_id, export_type=export_type, **kwargs))


def _converted(tmp_path: Path, json_export: bytes, export_type: str) -> str:
    """What the SDK's converter makes of this JSON export (Label Studio's own JSON_MIN/CSV/TSV)."""
    source = tmp_path / f"source-{export_type}.json"
    source.write_bytes(json_export)
    out = tmp_path / f"converted-{export_type}"
    Converter(config=NER_CONFIG, project_dir=None, download_resources=False).convert(
        str(source), str(out), export_type, is_dir=False
    )
    [produced] = [p for p in out.iterdir() if p.is_file()]
    return produced.read_text(encoding="utf-8")


def _row_key(row: dict[str, Any]) -> tuple[int, int]:
    annotation = row.get("annotation_id")
    return int(row["id"]), int(annotation) if annotation not in (None, "") else -1


def _table(text: str, delimiter: str) -> tuple[list[str], list[dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    rows = []
    for row in reader:
        parsed = {}
        for k, v in row.items():
            try:
                parsed[k] = json.loads(v) if v[:1] in "[{" else v
            except ValueError:
                parsed[k] = v
        rows.append(parsed)
    return list(reader.fieldnames or []), sorted(rows, key=_row_key)


def test_formats_are_listed(ls: Any, exported: Exported) -> None:
    formats = ls.projects.exports.list_formats(exported.project_id)
    names = {f if isinstance(f, str) else val(f, "name") for f in formats}
    assert {"JSON", "JSON_MIN", "CSV", "TSV"} <= names


def test_sync_json_export(ls: Any, exported: Exported) -> None:
    tasks = json.loads(_sync(ls, exported.project_id, "JSON"))
    by_id = {t["id"]: t for t in tasks}
    assert sorted(by_id) == sorted(exported.task_ids)
    for t in tasks:
        assert {"id", "data", "annotations", "predictions"} <= set(t)
    assert by_id[exported.untouched]["data"] == {"text": "untouched"}
    assert by_id[exported.untouched]["annotations"] == []

    [a] = by_id[exported.flat]["annotations"]
    assert a["id"] == exported.annotation_id
    assert a["completed_by"] == exported.admin_id  # an int, not a user object
    assert [strip_item(i) for i in a["result"]] == FLAT_RESULT
    assert a["lead_time"] == pytest.approx(2.5)
    assert a["was_cancelled"] is False

    [imported] = by_id[exported.full]["annotations"]
    want = fixture_json("import_tasks.json")[1]["annotations"][0]["result"]
    assert [strip_item(i) for i in imported["result"]] == want
    assert by_id[exported.full]["meta"] == {"src": "x"}
    [prediction] = by_id[exported.full]["predictions"]
    # Label Studio's sync export lists prediction ids; a full prediction object is fine too
    if isinstance(prediction, dict):
        assert prediction["model_version"] == "v0"
    else:
        assert prediction == ls.predictions.list(task=exported.full)[0].id

    [cancelled] = by_id[exported.skipped]["annotations"]
    assert cancelled["was_cancelled"] is True


def test_sync_json_export_only_annotated_and_by_ids(ls: Any, live_server: Any, exported: Exported) -> None:
    labeled = {t["id"] for t in json.loads(_sync(ls, exported.project_id, "JSON", download_all_tasks=False))}
    assert {exported.flat, exported.full} <= labeled
    assert exported.untouched not in labeled

    chosen = [exported.full, exported.untouched]
    picked = json.loads(_sync(ls, exported.project_id, "JSON", ids=[str(i) for i in chosen]))
    assert sorted(t["id"] for t in picked) == sorted(chosen)

    with live_server.http() as http:  # `ids[]=` and `exportType=`, as other clients send them
        r = http.get(
            f"/api/projects/{exported.project_id}/export",
            params=[
                ("exportType", "JSON"),
                ("download_all_tasks", "true"),
                ("ids[]", str(exported.flat)),
                ("ids[]", str(exported.skipped)),
            ],
        )
        assert r.status_code == 200
        assert sorted(t["id"] for t in r.json()) == sorted([exported.flat, exported.skipped])
        assert "attachment" in r.headers.get("content-disposition", "")


def test_sync_json_min_export_matches_the_converter(ls: Any, exported: Exported, tmp_path: Path) -> None:
    rows = json.loads(_sync(ls, exported.project_id, "JSON_MIN"))
    expected = json.loads(_converted(tmp_path, _sync(ls, exported.project_id, "JSON"), "JSON_MIN"))
    assert sorted(rows, key=_row_key) == sorted(expected, key=_row_key)

    [flat] = [r for r in rows if r["id"] == exported.flat]
    assert flat["text"] == "flat task (data only)"
    assert flat["sentiment"] == "Negative"  # a single Choices answer collapses to a string
    assert flat["label"] == [{"start": 0, "end": 4, "text": "flat", "labels": ["ORG"]}]
    assert (flat["annotator"], flat["annotation_id"]) == (exported.admin_id, exported.annotation_id)
    assert flat["lead_time"] == pytest.approx(2.5)
    assert not [r for r in rows if r["id"] == exported.skipped]  # cancelled annotations are dropped


@pytest.mark.parametrize(("export_type", "delimiter"), [("CSV", ","), ("TSV", "\t")])
def test_sync_table_exports_match_the_converter(
    ls: Any, exported: Exported, tmp_path: Path, export_type: str, delimiter: str
) -> None:
    got = _sync(ls, exported.project_id, export_type).decode("utf-8")
    want = _converted(tmp_path, _sync(ls, exported.project_id, "JSON"), export_type)
    got_columns, got_rows = _table(got, delimiter)
    want_columns, want_rows = _table(want, delimiter)
    assert got_columns == sorted(got_columns)
    assert got_columns == want_columns
    assert got_rows == want_rows
    [flat] = [r for r in got_rows if int(r["id"]) == exported.flat]
    assert flat["sentiment"] == "Negative"
    assert flat["label"] == [{"start": 0, "end": 4, "text": "flat", "labels": ["ORG"]}]


def test_as_json_helper(ls: Any, exported: Exported) -> None:
    """`exports.as_json` reads `/api/version`: a Community edition makes it use the sync export."""
    tasks = ls.projects.exports.as_json(exported.project_id)
    assert sorted(t["id"] for t in tasks) == sorted(exported.task_ids)


def test_legacy_export_tasks(legacy: Any, ls: Any, exported: Exported, tmp_path: Path) -> None:
    project = legacy.get_project(exported.project_id)
    everything = project.export_tasks(export_type="JSON", download_all_tasks=True)  # sends `True`
    assert sorted(t["id"] for t in everything) == sorted(exported.task_ids)
    labeled = project.export_tasks()  # JSON, download_all_tasks=False
    assert {exported.flat, exported.full} <= {t["id"] for t in labeled}
    assert exported.untouched not in {t["id"] for t in labeled}

    json_min = project.export_tasks(export_type="JSON_MIN", download_all_tasks=True)
    assert sorted(json_min, key=_row_key) == sorted(
        json.loads(_sync(ls, exported.project_id, "JSON_MIN")), key=_row_key
    )

    path = project.export_tasks(export_type="CSV", download_all_tasks=True, export_location=str(tmp_path / "x.csv"))
    assert _table(Path(path).read_text(encoding="utf-8"), ",") == _table(
        _sync(ls, exported.project_id, "CSV").decode("utf-8"), ","
    )


def _wait_completed(ls: Any, project_id: int, export_id: int) -> Any:
    deadline = time.monotonic() + SNAPSHOT_WAIT_S
    while True:
        snapshot = ls.projects.exports.get(project_id, export_id)
        if snapshot.status in ("completed", "failed") or time.monotonic() > deadline:
            return snapshot
        time.sleep(0.2)


def test_snapshot_lifecycle(ls: Any, exported: Exported) -> None:
    pid = exported.project_id
    created = ls.projects.exports.create(pid, title="snap")
    assert isinstance(created.id, int)
    assert created.title == "snap"
    # Made synchronously, as the SDK does not wait for anything but `status`
    assert created.status == "completed"
    assert created.md5
    assert created.counters["task_number"] == 4
    assert created.finished_at is not None
    assert val(created.created_by, "id") == exported.admin_id

    got = _wait_completed(ls, pid, created.id)
    assert (got.id, got.title, got.status) == (created.id, "snap", "completed")
    assert got.md5 == created.md5
    assert got.counters["task_number"] == 4
    assert got.finished_at is not None
    listed = {e.id: e for e in ls.projects.exports.list(pid)}
    assert listed[created.id].status == "completed"

    as_json = json.loads(b"".join(ls.projects.exports.download(pid, created.id, export_type="JSON")))
    sync_json = json.loads(_sync(ls, pid, "JSON"))
    assert sorted(t["id"] for t in as_json) == sorted(t["id"] for t in sync_json)
    assert {t["id"]: t["annotations"] for t in as_json} == {t["id"]: t["annotations"] for t in sync_json}

    converted = ls.projects.exports.convert(pid, created.id, export_type="JSON_MIN")
    assert converted.export_type == "JSON_MIN"
    assert isinstance(converted.converted_format, int)
    after = ls.projects.exports.get(pid, created.id)
    assert "JSON_MIN" in {c.export_type for c in after.converted_formats or []}
    json_min = json.loads(b"".join(ls.projects.exports.download(pid, created.id, export_type="JSON_MIN")))
    assert sorted(json_min, key=_row_key) == sorted(json.loads(_sync(ls, pid, "JSON_MIN")), key=_row_key)

    ls.projects.exports.delete(pid, created.id)
    assert created.id not in [e.id for e in ls.projects.exports.list(pid)]
    with pytest.raises(ApiError) as excinfo:
        ls.projects.exports.get(pid, created.id)
    assert excinfo.value.status_code == 404


def test_snapshot_is_a_snapshot(ls: Any, make_project: Any) -> None:
    """A snapshot keeps the tasks as they were: tasks added later are not in it."""
    project = make_project(NER_CONFIG)
    ls.projects.import_tasks(id=project.id, request=[{"text": "one"}])
    snap = _wait_completed(ls, project.id, ls.projects.exports.create(project.id, title="before").id)
    ls.projects.import_tasks(id=project.id, request=[{"text": "two"}])
    tasks = json.loads(b"".join(ls.projects.exports.download(project.id, snap.id, export_type="JSON")))
    assert [t["data"]["text"] for t in tasks] == ["one"]


def test_legacy_snapshots(legacy: Any, ls: Any, exported: Exported, tmp_path: Path) -> None:
    project = legacy.get_project(exported.project_id)
    created = project.export_snapshot_create(title="legacy snap")
    export_id = created["id"]
    assert created["status"] == "completed"
    deadline = time.monotonic() + SNAPSHOT_WAIT_S
    while project.export_snapshot_status(export_id).is_in_progress() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert project.export_snapshot_status(export_id).is_completed()
    assert export_id in [e["id"] for e in project.export_snapshot_list()]

    status, filename = project.export_snapshot_download(export_id, export_type="JSON", path=str(tmp_path))
    assert status == 200
    tasks = json.loads((tmp_path / filename).read_text(encoding="utf-8"))
    assert sorted(t["id"] for t in tasks) == sorted(exported.task_ids)

    assert project.export_snapshot_delete(export_id) == 204
    assert export_id not in [e["id"] for e in project.export_snapshot_list()]


@pytest.mark.timeout(SNAPSHOT_WAIT_S * 2)
def test_legacy_export_helper(legacy: Any, exported: Exported, tmp_path: Path) -> None:
    """`Project.export()`: snapshot, wait, download, in one call (no filters, so no Data Manager view)."""
    result = legacy.get_project(exported.project_id).export(
        title="one call", export_type="JSON", output_dir=str(tmp_path)
    )
    assert result["status"] == 200
    tasks = json.loads((tmp_path / result["filename"]).read_text(encoding="utf-8"))
    assert sorted(t["id"] for t in tasks) == sorted(exported.task_ids)
