"""`tessera export --format` with the formats beyond JSON and CSV, and its filters."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pyarrow.parquet as pq

from tests.api.preference_projects import PAIRWISE, pairwise_tasks, real_pairs
from tests.cli.conftest import Cli
from tests.cli.test_import_export import make_project, write

SPAN = {"from_name": "label", "to_name": "text", "type": "labels", "value": {"start": 0, "end": 5, "labels": ["PER"]}}


def test_span_formats_parquet_and_filters(cli: Cli, tmp_path: Path) -> None:
    project = make_project(cli, tmp_path)
    tasks = [
        {"data": {"text": "Alice met Bob."}, "annotations": [{"result": [SPAN]}]},
        {"data": {"text": "Carol left."}, "annotations": [{"result": [SPAN]}]},
        {"data": {"text": "Nobody."}},
    ]
    cli.ok("import", project, write(tmp_path / "tasks.json", json.dumps(tasks)))

    conll = tmp_path / "out.conll"
    assert "exported 3 tasks as CONLL2003" in cli.ok("export", project, "--format", "conll2003", "--out", conll)
    assert conll.read_text(encoding="utf-8").count("B-PER") == 2

    parquet = tmp_path / "out.parquet"
    cli.ok("export", project, "--format", "PARQUET", "--out", parquet, "--no-all-tasks")
    rows = pq.read_table(io.BytesIO(parquet.read_bytes())).to_pylist()
    assert len(rows) == 2 and json.loads(rows[0]["data"]) == {"text": "Alice met Bob."}
    # Imported annotations are ground truth and have no annotator (the API tests check mixed cases).
    cli.ok("export", project, "--format", "PARQUET", "--out", parquet, "--no-all-tasks", "--ground-truth")
    assert pq.read_table(io.BytesIO(parquet.read_bytes())).num_rows == 2
    cli.ok("export", project, "--format", "PARQUET", "--out", parquet, "--no-all-tasks", "--annotator", "999")
    assert pq.read_table(io.BytesIO(parquet.read_bytes())).num_rows == 0
    cli.ok("export", project, "--format", "PARQUET", "--out", parquet, "--no-all-tasks", "--reviewed", "only")
    assert pq.read_table(io.BytesIO(parquet.read_bytes())).num_rows == 0  # nothing was reviewed
    refused = cli.run("export", project, "--format", "JSON", "--out", tmp_path / "x.json", "--reviewed", "maybe")
    assert refused.returncode != 0 and "reviewed: must be one of only, exclude" in refused.stderr + refused.stdout

    spacy = tmp_path / "out.json"
    cli.ok("export", project, "--format", "SPACY", "--out", spacy, "--task", str(rows[0]["id"] + 1))
    [doc] = json.loads(spacy.read_text(encoding="utf-8"))
    assert doc["text"] == "Carol left." and doc["ents"] == [[0, 5, "PER"]]


def test_training_formats_and_their_options(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "pairwise.xml"
    config.write_text(PAIRWISE, encoding="utf-8")
    found = re.search(r"created project (\d+)", cli.ok("project", "create", "--title", "Pairs", "--config", config))
    assert found
    project = found.group(1)
    pick = {"from_name": "pw", "to_name": "answer1", "type": "pairwise", "value": {"selected": "right"}}
    tasks = [{"data": task, "annotations": [{"result": [pick]}]} for task in pairwise_tasks(real_pairs(2))]
    cli.ok("import", project, write(tmp_path / "pairs.json", json.dumps(tasks)))
    out = tmp_path / "dpo.jsonl"
    cli.ok("export", project, "--format", "DPO_JSONL", "--out", out, "--dpo-format", "standard")
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["chosen"] for r in rows] == [tasks[0]["data"]["answer2"], tasks[1]["data"]["answer2"]]
    assert isinstance(rows[0]["prompt"], str) and rows[0]["annotator"] is None  # imported: no annotator
    done = cli.run("export", project, "--format", "DPO_JSONL", "--out", out, "--dpo-format", "chatml")
    assert done.returncode != 0 and "dpo_format" in done.stderr + done.stdout
