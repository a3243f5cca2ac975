"""The training exports through the official `label-studio-sdk`: a pairwise project made, imported and
annotated with the SDK, exported as DPO_JSONL by `download_sync` and by a snapshot, with options passed
as the SDK passes any extra parameter (`request_options`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.preference_projects import PAIRWISE, pairwise_tasks, pick, real_pairs
from tests.sdk.support import val


@pytest.fixture(scope="module")
def pairwise(ls: Any) -> Iterator[dict[str, Any]]:
    project = ls.projects.create(title="preferences", label_config=PAIRWISE)
    rows = real_pairs(6)
    ids = ls.projects.import_tasks(id=project.id, request=pairwise_tasks(rows), return_task_ids=True).task_ids
    for i, task_id in enumerate(ids):
        ls.annotations.create(id=task_id, result=pick("left" if i % 2 == 0 else "right"))
    yield {"pid": project.id, "rows": rows, "ids": ids}
    ls.projects.delete(project.id)


def _lines(chunks: Iterator[bytes]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in b"".join(chunks).decode().splitlines()]


def test_listed_and_downloaded(ls: Any, pairwise: dict[str, Any]) -> None:
    formats = {val(f, "name"): val(f, "disabled") for f in ls.projects.exports.list_formats(pairwise["pid"])}
    assert formats["DPO_JSONL"] is False and formats["SFT_JSONL"] is False and formats["COCO"] is True
    rows = _lines(ls.projects.exports.download_sync(pairwise["pid"], export_type="DPO_JSONL"))
    assert len(rows) == 6
    for row, source in zip(rows, pairwise["rows"], strict=True):
        assert row["prompt"] == source["conversation"]
        assert row["chosen"] == [{"role": "assistant", "content": source["chosen"]}]
        assert row["rejected"] == [{"role": "assistant", "content": source["rejected"]}]


def test_options_pass_through_the_sdk(ls: Any, pairwise: dict[str, Any]) -> None:
    standard = {"additional_query_parameters": {"dpo_format": "standard"}}
    rows = _lines(ls.projects.exports.download_sync(pairwise["pid"], export_type="DPO_JSONL", request_options=standard))
    assert rows[0]["chosen"] == pairwise["rows"][0]["chosen"] and isinstance(rows[0]["prompt"], str)
    body = {"additional_body_parameters": {"export_options": {"dpo_format": "standard"}}}
    created = ls.projects.exports.create(pairwise["pid"], title="dpo", request_options=body)
    snap = _lines(ls.projects.exports.download(pairwise["pid"], created.id, export_type="DPO_JSONL"))
    assert [r["chosen"] for r in snap] == [r["chosen"] for r in rows]
