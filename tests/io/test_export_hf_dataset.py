"""Hugging Face dataset export: Parquet shards and a dataset card, read by `datasets` itself."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
import yaml

from tessera.io.export_parquet import COLUMNS
from tessera.io.writers import write_export
from tests.io.test_export_parquet import _tasks


def _unpacked(tmp_path: Path, n: int, **options: int) -> Path:
    out = io.BytesIO()
    assert write_export("HF_DATASET", iter(_tasks(n)), out, **options) == n
    folder = tmp_path / "dataset"
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        archive.extractall(folder)
    return folder


def test_the_card_names_the_files_and_features(tmp_path: Path) -> None:
    folder = _unpacked(tmp_path, 25, shard_rows=10, row_group=5)
    assert sorted(p.name for p in (folder / "data").iterdir()) == [f"train-0000{i}.parquet" for i in range(3)]
    text = (folder / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    card = yaml.safe_load(text.split("---\n")[1])
    assert card["configs"] == [
        {"config_name": "default", "data_files": [{"split": "train", "path": "data/train-*.parquet"}]}
    ]
    assert [f["name"] for f in card["dataset_info"]["features"]] == [name for name, _ in COLUMNS]
    assert card["dataset_info"]["splits"] == [{"name": "train", "num_examples": 25}]


@pytest.fixture
def datasets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    return pytest.importorskip("datasets")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_load_dataset_reads_it(tmp_path: Path, datasets) -> None:
    folder = _unpacked(tmp_path, 25, shard_rows=10, row_group=4)
    cache = str(tmp_path / "cache")
    by_data_dir = datasets.load_dataset("parquet", data_dir=str(folder / "data"), cache_dir=cache)
    by_card = datasets.load_dataset(str(folder), cache_dir=cache)
    for loaded in (by_data_dir, by_card):
        train = loaded["train"]
        assert train.num_rows == 25
        assert sorted(train["id"]) == list(range(1, 26))
        assert json.loads(train[0]["data"])["text"] in ("task 1 é", "t2")
    assert str(by_card["train"].features["id"].dtype) == "int64"


def test_an_empty_project_gives_one_empty_shard(tmp_path: Path) -> None:
    folder = _unpacked(tmp_path, 0)
    assert [p.name for p in (folder / "data").iterdir()] == ["train-00000.parquet"]
