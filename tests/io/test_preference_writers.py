"""The training-data writers (`io.export_dpo`, `export_reward_pairs`, `export_kto`, `export_sft`) on task
dicts: one file shape per export, raw JSON data, skipped annotations, and streaming."""

from __future__ import annotations

import io
import json
import tracemalloc
from collections.abc import Iterator
from typing import Any

from tessera.domain.config import parse_config
from tessera.io.ls_json import RawJSON
from tessera.io.writers import write_export

CONFIG = parse_config(
    """<View><Text name="prompt" value="$prompt"/><Pairwise name="pw" toName="a,b"/>
    <Text name="a" value="$a"/><Text name="b" value="$b"/></View>"""
)


def task(i: int, prompt: Any, selected: str = "left", **ann: Any) -> dict[str, Any]:
    result = [{"from_name": "pw", "to_name": "a", "type": "pairwise", "value": {"selected": selected}}]
    annotation = {"id": i, "completed_by": 7, "created_at": "2026-11-27T10:00:00.000000Z", "result": result, **ann}
    return {"id": i, "data": {"prompt": prompt, "a": f"A{i}", "b": f"B{i}"}, "annotations": [annotation]}


def lines(fmt: str, tasks: Any, **options: Any) -> list[dict[str, Any]]:
    out = io.BytesIO()
    count = write_export(fmt, tasks, out, config=CONFIG, options=options, people={7: "r@example.com"}.get)
    rows = [json.loads(line) for line in out.getvalue().decode().splitlines()]
    assert count == len(rows)
    return rows


def test_the_first_prompt_decides_the_shape_of_every_row() -> None:
    conversation = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yes?"}]
    rows = lines("DPO_JSONL", [task(1, conversation), task(2, "plain text")])
    assert rows[0]["prompt"] == conversation and rows[1]["prompt"] == [{"role": "user", "content": "plain text"}]
    assert rows[1]["chosen"] == [{"role": "assistant", "content": "A2"}] and rows[1]["annotator"] == "r@example.com"
    rows = lines("DPO_JSONL", [task(1, "plain text"), task(2, conversation)])
    assert rows[1]["prompt"] == "user: hi\n\nassistant: yes?" and rows[1]["rejected"] == "B2"


def test_raw_json_data_and_skipped_annotations() -> None:
    raw = task(1, "p")
    raw["data"] = RawJSON(json.dumps(raw["data"]))
    skipped = task(2, "p", was_cancelled=True)
    assert [r["task_id"] for r in lines("DPO_JSONL", [raw, skipped])] == [1]
    assert [r["label"] for r in lines("KTO_JSONL", [raw, skipped])] == [True, False]


def test_rows_stream_in_bounded_memory() -> None:
    def many(n: int) -> Iterator[dict[str, Any]]:
        for i in range(n):
            yield task(i, "p" * 200, "right" if i % 2 else "left")

    out = io.BytesIO()
    tracemalloc.start()
    write_export("REWARD_PAIRS_JSONL", many(3000), out, config=CONFIG)
    _size, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    written = len(out.getvalue())
    assert out.getvalue().count(b"\n") == 3000
    assert peak < written + (4 << 20)  # the output buffer and about one batch, not every row as objects
