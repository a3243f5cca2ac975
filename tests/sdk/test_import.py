"""Importing tasks: a JSON list through the new client, JSON/JSONL/CSV/TSV/TXT files as multipart uploads.

`projects.import_tasks` of the new client (2.1.2) only sends a JSON body; files go through the legacy client,
whose `Project.import_tasks(path)` posts them as multipart `file` with `return_task_ids=1`. The format tests
send exactly that request through the legacy client's own session (`_upload`), and
`test_legacy_import_tasks_from_a_file` runs `Project.import_tasks(path)` itself.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from label_studio_sdk.core.api_error import ApiError

from tests.sdk.support import NER_CONFIG, SPAM_CONFIG, fixture_json, spam_rows, strip_item, val


def _all_tasks(ls: Any, project_id: int) -> list[Any]:
    return list(ls.tasks.list(project=project_id, page_size=100))


def test_import_json_list_of_flat_and_full_items(ls: Any, make_project: Any) -> None:
    project = make_project(NER_CONFIG)
    tasks = fixture_json("import_tasks.json")  # recorded from Label Studio: flat, full, data-only

    r = ls.projects.import_tasks(id=project.id, request=tasks, return_task_ids=True)
    assert (r.task_count, r.annotation_count, r.prediction_count) == (3, 1, 1)
    assert len(r.task_ids) == 3 and len(set(r.task_ids)) == 3

    flat, full, bare = (ls.tasks.get(i) for i in r.task_ids)
    assert flat.data == {"text": "flat task (data only)"}
    assert bare.data == {"text": "third"}
    assert full.data == {"text": "Alice works at Acme."}
    assert full.meta == {"src": "x"}
    assert (flat.total_annotations, full.total_annotations, bare.total_annotations) == (0, 1, 0)
    assert (flat.is_labeled, full.is_labeled, bare.is_labeled) == (False, True, False)
    assert full.total_predictions == 1

    [annotation] = full.annotations
    want = tasks[1]["annotations"][0]["result"]
    assert [strip_item(i) for i in val(annotation, "result")] == want
    [prediction] = full.predictions
    assert [strip_item(i) for i in val(prediction, "result")] == tasks[1]["predictions"][0]["result"]
    assert val(prediction, "score") == pytest.approx(0.7)
    assert val(prediction, "model_version") == "v0"

    assert ls.projects.get(project.id).task_number == 3


def test_import_200_real_emails_as_json_list(ls: Any, make_project: Any) -> None:
    project = make_project(SPAM_CONFIG)
    rows = spam_rows()
    r = ls.projects.import_tasks(id=project.id, request=rows, return_task_ids=True)
    assert r.task_count == 200
    assert len(r.task_ids) == 200
    got = {t.id: t.data for t in _all_tasks(ls, project.id)}
    assert sorted(got) == sorted(r.task_ids)
    # Flat items: the whole object, its `id` key included, becomes the task data, in order
    assert [got[i] for i in r.task_ids] == rows


def test_import_without_return_task_ids(ls: Any, make_project: Any) -> None:
    project = make_project(SPAM_CONFIG)
    r = ls.projects.import_tasks(id=project.id, request=[{"text": "one"}, {"data": {"text": "two"}}])
    assert r.task_count == 2
    assert sorted(t.data["text"] for t in _all_tasks(ls, project.id)) == ["one", "two"]


def test_import_missing_data_field_is_refused(ls: Any, make_project: Any) -> None:
    project = make_project(SPAM_CONFIG)
    with pytest.raises(ApiError) as excinfo:
        ls.projects.import_tasks(id=project.id, request=[{"text": "fine"}, {"subject": "no text here"}])
    assert excinfo.value.status_code == 400
    assert "text" in json.dumps(excinfo.value.body)
    assert ls.projects.get(project.id).task_number == 0  # all or nothing


def _emails(include_empty: bool = True) -> list[dict[str, Any]]:
    rows = spam_rows()
    return rows if include_empty else [r for r in rows if r["text"]]


def _upload(project: Any, path: Path) -> list[int]:
    """The multipart request `Project.import_tasks(path)` sends, through the legacy client's session; returns
    the new task ids after checking the summary."""
    with open(path, "rb") as f:
        r = project.make_request(
            "POST", f"/api/projects/{project.id}/import", files={"file": f}, params={"return_task_ids": "1"}
        )
    assert r.status_code == 201
    body = r.json()
    assert body["task_count"] == len(body["task_ids"])
    assert len(body["file_upload_ids"]) == 1
    return body["task_ids"]


def _write_json(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _write_table(path: Path, rows: list[dict[str, Any]], columns: list[str], delimiter: str) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, delimiter=delimiter, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_import_json_file(legacy: Any, ls: Any, make_project: Any, tmp_path: Path) -> None:
    project = legacy.get_project(make_project(SPAM_CONFIG).id)
    rows = _emails()
    wrapped = [{"data": r} for r in rows[:100]] + rows[100:]  # both item forms in one file
    ids = _upload(project, _write_json(tmp_path / "emails.json", wrapped))
    assert len(ids) == 200
    got = {t.id: t.data for t in _all_tasks(ls, project.id)}
    assert [got[i] for i in ids] == rows


def test_import_jsonl_file(legacy: Any, ls: Any, make_project: Any, tmp_path: Path) -> None:
    project = legacy.get_project(make_project(SPAM_CONFIG).id)
    rows = _emails()
    ids = _upload(project, _write_jsonl(tmp_path / "emails.jsonl", rows))
    assert len(ids) == 200
    got = {t.id: t.data for t in _all_tasks(ls, project.id)}
    assert [got[i] for i in ids] == rows


def test_import_csv_file(legacy: Any, ls: Any, make_project: Any, tmp_path: Path) -> None:
    """Real e-mail bodies: quotes, commas and line breaks inside quoted CSV fields."""
    project = legacy.get_project(make_project(SPAM_CONFIG).id)
    rows = _emails(include_empty=False)  # an empty CSV cell is ambiguous (missing or ""): leave it out
    columns = ["group", "subject", "text", "label"]
    assert any("\n" in r["text"] and '"' in r["text"] and "," in r["text"] for r in rows)
    ids = _upload(project, _write_table(tmp_path / "emails.csv", rows, columns, ","))
    assert len(ids) == len(rows)
    got = {t.id: t.data for t in _all_tasks(ls, project.id)}
    assert [got[i] for i in ids] == [{c: r[c] for c in columns} for r in rows]


def test_import_tsv_file(legacy: Any, ls: Any, make_project: Any, tmp_path: Path) -> None:
    project = legacy.get_project(make_project(SPAM_CONFIG).id)
    rows = [{"text": r["subject"], "label": r["label"]} for r in _emails() if r["subject"].strip()]
    ids = _upload(project, _write_table(tmp_path / "subjects.tsv", rows, ["text", "label"], "\t"))
    assert len(ids) == len(rows)
    got = {t.id: t.data for t in _all_tasks(ls, project.id)}
    assert [got[i] for i in ids] == rows


def test_import_txt_file(legacy: Any, ls: Any, make_project: Any, tmp_path: Path) -> None:
    """One task per line, bound to the config's single data field (`$text`)."""
    project = legacy.get_project(make_project(SPAM_CONFIG).id)
    lines = [r["subject"].strip() for r in _emails() if r["subject"].strip()]
    path = tmp_path / "subjects.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ids = _upload(project, path)
    assert len(ids) == len(lines)
    got = {t.id: t.data for t in _all_tasks(ls, project.id)}
    assert [got[i] for i in ids] == [{"text": line} for line in lines]


def test_import_bad_file_is_refused(legacy: Any, ls: Any, make_project: Any, tmp_path: Path) -> None:
    from requests import HTTPError

    project = legacy.get_project(make_project(SPAM_CONFIG).id)
    path = tmp_path / "broken.json"
    path.write_text('[{"text": "a"}, {"text": ', encoding="utf-8")
    with pytest.raises(HTTPError) as excinfo:
        _upload(project, path)
    assert excinfo.value.response.status_code == 400
    assert ls.projects.get(project.id).task_number == 0


def test_imports_add_up(ls: Any, make_project: Any) -> None:
    project = make_project(SPAM_CONFIG)
    rows = spam_rows()
    first = ls.projects.import_tasks(id=project.id, request=rows[:50], return_task_ids=True)
    second = ls.projects.import_tasks(id=project.id, request=rows[50:120], return_task_ids=True)
    assert not set(first.task_ids) & set(second.task_ids)
    assert ls.projects.get(project.id).task_number == 120
    assert len(_all_tasks(ls, project.id)) == 120


def test_legacy_import_tasks_from_a_file(legacy: Any, ls: Any, make_project: Any, tmp_path: Path) -> None:
    project = legacy.get_project(make_project(SPAM_CONFIG).id)
    rows = _emails()[:20]
    ids = project.import_tasks(_write_jsonl(tmp_path / "emails.jsonl", rows))
    assert len(ids) == 20
    got = {t.id: t.data for t in _all_tasks(ls, project.id)}
    assert [got[i] for i in ids] == rows


def test_legacy_import_tasks_from_a_list(legacy: Any, ls: Any, make_project: Any) -> None:
    project = legacy.get_project(make_project(SPAM_CONFIG).id)
    ids = project.import_tasks([{"text": "a"}, {"data": {"text": "b"}}])
    assert [ls.tasks.get(i).data for i in ids] == [{"text": "a"}, {"text": "b"}]


def test_import_answer_has_the_community_shape(live_server: Any, make_project: Any) -> None:
    """Label Studio Community answers an import synchronously, without an `import` id to poll."""
    project = make_project(SPAM_CONFIG)
    with live_server.http() as http:
        r = http.post(f"/api/projects/{project.id}/import", params={"return_task_ids": "true"}, json=[{"text": "a"}])
    assert r.status_code == 201
    body = r.json()
    assert {
        "task_count",
        "annotation_count",
        "prediction_count",
        "duration",
        "file_upload_ids",
        "could_be_tasks_list",
        "found_formats",
        "data_columns",
        "task_ids",
    } <= set(body)
    assert body["task_count"] == 1 and len(body["task_ids"]) == 1


def test_imported_annotations_are_ground_truth_by_default(ls: Any, make_project: Any) -> None:
    project = make_project(NER_CONFIG)
    tasks = fixture_json("import_tasks.json")
    full_id = ls.projects.import_tasks(id=project.id, request=tasks, return_task_ids=True).task_ids[1]
    [annotation] = ls.tasks.get(full_id).annotations
    assert val(annotation, "ground_truth") is True


def test_imported_annotation_keeps_an_explicit_ground_truth(ls: Any, make_project: Any) -> None:
    project = make_project(NER_CONFIG)
    result = fixture_json("import_tasks.json")[1]["annotations"][0]["result"]
    [task_id] = ls.projects.import_tasks(
        id=project.id,
        request=[
            {"data": {"text": "Alice works at Acme."}, "annotations": [{"result": result, "ground_truth": False}]}
        ],
        return_task_ids=True,
    ).task_ids
    [annotation] = ls.tasks.get(task_id).annotations
    assert val(annotation, "ground_truth") is False
    assert ls.tasks.get(task_id).is_labeled is True
