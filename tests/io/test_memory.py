"""Bounded memory: a 50 MB import and a 20,000-task export stay far below their size (tracemalloc)."""

from __future__ import annotations

import gzip
import io
import json
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tessera.io.readers import read_tasks
from tessera.io.writers import write_export

pytestmark = pytest.mark.slow
MB = 1 << 20


def _task(i: int) -> dict:
    text = f"Ünïcödé text about cats/dogs, item {i}. " * (1 + i % 40)
    return {"data": {"text": text, "n": i}, "meta": {"source": "bench"}}


def _peak(run: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def big_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 50 MB of JSON task list, with a few 2 MB items among small ones."""
    path = tmp_path_factory.mktemp("big") / "tasks.json"
    with path.open("wb") as f:
        f.write(b"[\n")
        i = 0
        while f.tell() < 50 * MB:
            item = _task(i) if i % 10_000 else {"data": {"text": "x" * (2 * MB)}}
            f.write((b",\n" if i else b"") + json.dumps(item, ensure_ascii=False).encode())
            i += 1
        f.write(b"\n]\n")
    return path


def _count(path: Path, name: str) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in read_tasks(f, name))


def test_json_import_memory(big_json: Path) -> None:
    peak = _peak(lambda: _count(big_json, "tasks.json"))
    assert peak < 16 * MB, f"peak {peak / MB:.1f} MB reading a {big_json.stat().st_size / MB:.0f} MB file"


def test_gzipped_jsonl_import_memory(big_json: Path, tmp_path: Path) -> None:
    path = tmp_path / "tasks.jsonl.gz"
    with big_json.open("rb") as source, gzip.open(path, "wb", compresslevel=1) as f:
        for task in read_tasks(source, "tasks.json"):
            f.write(json.dumps(task.item).encode() + b"\n")
    peak = _peak(lambda: _count(path, "tasks.jsonl.gz"))
    assert peak < 16 * MB, f"peak {peak / MB:.1f} MB"


def _tasks(n: int) -> Iterator[dict]:
    for i in range(n):
        yield {
            "id": i,
            "data": {"text": f"task {i}", "image": f"/data/{i}.jpg"},
            "annotations": [
                {
                    "id": i,
                    "completed_by": 1,
                    "result": [
                        {
                            "from_name": "label",
                            "to_name": "text",
                            "type": "choices",
                            "value": {"choices": ["A"]},
                        }
                    ],
                    "was_cancelled": False,
                    "created_at": "2024-01-01T00:00:00Z",
                    "updated_at": "2024-01-01T00:00:00Z",
                    "lead_time": 1.0,
                }
            ],
        }


class _Counter(io.RawIOBase):
    def __init__(self) -> None:
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self.size += len(data)
        return len(data)


@pytest.mark.parametrize("fmt", ["JSON", "JSON_MIN", "CSV"])
def test_export_memory(fmt: str, tmp_path: Path) -> None:
    with _Counter() as out:
        peak = _peak(
            lambda: write_export(
                fmt, _tasks(20_000), out, schema={"label": {"type": "Choices"}}, spool_dir=str(tmp_path)
            )
        )
        assert out.size > MB // 2
    assert peak < 4 * MB, f"peak {peak / MB:.1f} MB writing {out.size / MB:.0f} MB of {fmt}"
