"""GET /api/projects/{id}/export with DPO_JSONL, REWARD_PAIRS_JSONL, KTO_JSONL, SFT_JSONL; their options in
the sync export and in snapshots; which formats a preference project lists."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import CONFIG, Person, World
from tests.api.preference_projects import (
    PAIRWISE,
    RANKER,
    annotate,
    import_tasks,
    pairwise_tasks,
    pick,
    real_pairs,
    show,
)

TRAINING = {"DPO_JSONL", "REWARD_PAIRS_JSONL", "KTO_JSONL", "SFT_JSONL"}


@pytest.fixture
def pairwise(world: World, manager: Person) -> dict[str, Any]:
    """Ten real pairs; the annotator picks the chosen reply everywhere, seeing the replies swapped on odd
    tasks; the manager agrees on the first five tasks and picks the other reply on the next two."""
    pid = world.project(manager, PAIRWISE)
    annotator = world.person("annotator@example.com")
    world.join(pid, annotator, "annotator")
    rows = real_pairs(10)
    ids = import_tasks(world, pid, manager, pairwise_tasks(rows))
    for i, task_id in enumerate(ids):
        chosen = "left" if i % 2 == 0 else "right"
        ann = annotate(world, task_id, annotator, pick(chosen))
        show(world, ann, {"pw": ["answer2", "answer1"]} if i % 2 else {"pw": ["answer1", "answer2"]})
        if i < 7:
            other = chosen if i < 5 else {"left": "right", "right": "left"}[chosen]
            annotate(world, task_id, manager, pick(other))
    return {"pid": pid, "ids": ids, "rows": rows, "manager": manager, "annotator": annotator}


def export(world: World, project: dict[str, Any], fmt: str, query: str = "") -> list[dict[str, Any]]:
    r = world.client.get(
        f"/api/projects/{project['pid']}/export?exportType={fmt}&{query}", headers=project["manager"].headers
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in r.text.splitlines()]


def test_dpo_rows_hold_the_picks_whatever_the_display_order(world: World, pairwise: dict[str, Any]) -> None:
    rows = [r for r in export(world, pairwise, "DPO_JSONL") if r["annotator"] == "annotator@example.com"]
    assert len(rows) == 10
    for row, task_id, source in zip(rows, pairwise["ids"], pairwise["rows"], strict=True):
        assert row["task_id"] == task_id
        assert row["prompt"] == source["conversation"]  # a conversation: conversational by default
        assert row["chosen"] == [{"role": "assistant", "content": source["chosen"]}]
        assert row["rejected"] == [{"role": "assistant", "content": source["rejected"]}]
        assert set(row) == {"prompt", "chosen", "rejected", "annotation_id", "task_id", "annotator", "created_at",
                            "agreement"}  # fmt: skip
        assert row["created_at"].endswith("Z")


def test_agreement_is_the_share_with_the_majority(world: World, pairwise: dict[str, Any]) -> None:
    rows = export(world, pairwise, "DPO_JSONL")
    by_task: dict[int, list[float | None]] = {}
    for row in rows:
        by_task.setdefault(row["task_id"], []).append(row["agreement"])
    ids = pairwise["ids"]
    assert all(by_task[t] == [1.0, 1.0] for t in ids[:5])
    assert all(by_task[t] == [0.5, 0.5] for t in ids[5:7])  # one each way
    assert all(by_task[t] == [None] for t in ids[7:])  # one annotator


def test_standard_format_and_prompt_field(world: World, pairwise: dict[str, Any]) -> None:
    rows = export(world, pairwise, "DPO_JSONL", "dpo_format=standard")
    source = pairwise["rows"][0]
    assert rows[0]["prompt"] == "\n\n".join(f"{m['role']}: {m['content']}" for m in source["conversation"])
    assert rows[0]["chosen"] == source["chosen"] and rows[0]["rejected"] == source["rejected"]
    rows = export(world, pairwise, "DPO_JSONL", "dpo_format=standard&prompt_field=source_id")
    assert rows[0]["prompt"] == str(source["id"])
    r = world.client.get(
        f"/api/projects/{pairwise['pid']}/export?exportType=DPO_JSONL&dpo_format=chatml",
        headers=pairwise["manager"].headers,
    )
    assert r.status_code == 400 and "dpo_format" in r.text


def test_filters_apply(world: World, pairwise: dict[str, Any]) -> None:
    annotator, ids = pairwise["annotator"], pairwise["ids"]
    rows = export(world, pairwise, "DPO_JSONL", f"annotators={annotator.id}&ids={ids[0]},{ids[1]}")
    assert [(r["task_id"], r["annotator"]) for r in rows] == [(ids[0], annotator.email), (ids[1], annotator.email)]


def test_reward_kto_and_sft_from_pairwise(world: World, pairwise: dict[str, Any]) -> None:
    reward = export(world, pairwise, "REWARD_PAIRS_JSONL", "dpo_format=standard")
    assert len(reward) == 17 and all(r["margin"] == 1 for r in reward)
    kto = export(world, pairwise, "KTO_JSONL", "dpo_format=standard")
    first = pairwise["rows"][0]
    assert len(kto) == 34 and {(r["completion"], r["label"]) for r in kto if r["task_id"] == pairwise["ids"][0]} == {
        (first["chosen"], True),
        (first["rejected"], False),
    }
    sft = export(world, pairwise, "SFT_JSONL")
    assert sft[0]["messages"] == [*first["conversation"], {"role": "assistant", "content": first["chosen"]}]
    assert sft[0]["source"] == "chosen"


def test_datasets_loads_the_dpo_file(world: World, pairwise: dict[str, Any], tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    datasets = pytest.importorskip("datasets")
    for fmt in ("conversational", "standard"):
        r = world.client.get(
            f"/api/projects/{pairwise['pid']}/export?exportType=DPO_JSONL&dpo_format={fmt}",
            headers=pairwise["manager"].headers,
        )
        path = tmp_path / f"dpo-{fmt}.jsonl"
        path.write_bytes(r.content)
        train = datasets.load_dataset("json", data_files=str(path), cache_dir=str(tmp_path / "cache"))["train"]
        assert train.num_rows == 17
        assert {"prompt", "chosen", "rejected", "annotation_id", "task_id", "annotator", "agreement"} <= set(
            train.column_names
        )
        if fmt == "conversational":
            assert train[0]["chosen"][0]["role"] == "assistant"
        else:
            assert isinstance(train[0]["prompt"], str)


def test_a_ranking_gives_every_ordered_pair(world: World, manager: Person) -> None:
    pid = world.project(manager, RANKER)
    items = [{"id": f"i{k}", "title": f"T{k}", "body": f"reply {k}"} for k in range(4)]
    [task_id] = import_tasks(world, pid, manager, [{"prompt": "Say hi", "items": items}])
    rank = {"from_name": "rank", "to_name": "answers", "type": "ranker",
            "value": {"ranker": {"rank": ["i2", "i0", "i3", "i1"]}}}  # fmt: skip
    annotate(world, task_id, manager, [rank])
    project = {"pid": pid, "manager": manager}
    rows = export(world, project, "REWARD_PAIRS_JSONL")
    assert len(rows) == 6
    assert rows[0]["prompt"] == "Say hi"  # a text prompt: the standard format by default
    got = {(r["chosen"], r["rejected"], r["margin"]) for r in rows}
    assert ("reply 2", "reply 1", 3) in got and ("reply 0", "reply 3", 1) in got
    conversational = export(world, project, "DPO_JSONL", "dpo_format=conversational")
    assert len(conversational) == 6 and conversational[0]["prompt"] == [{"role": "user", "content": "Say hi"}]
    kto = export(world, project, "KTO_JSONL", "dpo_format=standard")
    assert [(r["completion"], r["label"]) for r in kto] == [("reply 2", True), ("reply 1", False)]
    better = {"from_name": "better", "to_name": "prompt", "type": "textarea", "value": {"text": ["Hello there!"]}}
    annotate(world, task_id, manager, [rank, better])
    sft = export(world, project, "SFT_JSONL")
    assert {(r["source"], r["messages"][-1]["content"]) for r in sft} == {
        ("chosen", "reply 2"),
        ("rewrite", "Hello there!"),
    }


def test_formats_listed_for_a_preference_project(world: World, manager: Person) -> None:
    for config, expected in ((PAIRWISE, TRAINING), (RANKER, TRAINING), (CONFIG, set())):
        pid = world.project(manager, config)
        r = world.client.get(f"/api/projects/{pid}/export/formats", headers=manager.headers)
        listed = {f["name"]: f for f in r.json()}
        assert {name for name in TRAINING if not listed[name]["disabled"]} == expected
        assert {"JSON", "JSONL", "HF_DATASET"} <= {n for n, f in listed.items() if not f["disabled"]}


def test_snapshot_options(world: World, pairwise: dict[str, Any]) -> None:
    c, h, pid = world.client, pairwise["manager"].headers, pairwise["pid"]
    r = c.post(
        f"/api/projects/{pid}/exports", json={"title": "s", "export_options": {"dpo_format": "standard"}}, headers=h
    )
    assert r.status_code == 201, r.text
    r = c.get(f"/api/projects/{pid}/exports/{r.json()['id']}/download?exportType=DPO_JSONL", headers=h)
    assert r.status_code == 200, r.text
    rows = [json.loads(line) for line in r.text.splitlines()]
    assert len(rows) == 17 and isinstance(rows[0]["prompt"], str)
    bad = c.post(f"/api/projects/{pid}/exports", json={"dpo_format": "nope"}, headers=h)
    assert bad.status_code == 400


def test_hf_dataset_of_a_preference_project(
    world: World, pairwise: dict[str, Any], tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    datasets = pytest.importorskip("datasets")
    r = world.client.get(
        f"/api/projects/{pairwise['pid']}/export?exportType=HF_DATASET", headers=pairwise["manager"].headers
    )
    assert r.status_code == 200, r.text
    folder = tmp_path / "dataset"
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        archive.extractall(folder)
    cache = str(tmp_path / "cache")
    tasks = datasets.load_dataset(str(folder), cache_dir=cache)["train"]
    assert tasks.num_rows == 10
    assert datasets.load_dataset("parquet", data_dir=str(folder / "data"), cache_dir=cache)["train"].num_rows == 10
    dpo = datasets.load_dataset(str(folder), "dpo", cache_dir=cache)["train"]
    assert dpo.num_rows == 17
    first = pairwise["rows"][0]
    assert dpo[0]["prompt"] == first["conversation"]
    assert dpo[0]["chosen"] == [{"role": "assistant", "content": first["chosen"]}]
    assert dpo[0]["annotator"] == "annotator@example.com"
