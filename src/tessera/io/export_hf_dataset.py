"""Hugging Face dataset export: a zip of Parquet shards and a `README.md` dataset card.

Unzipped, the folder loads with `datasets.load_dataset("parquet", data_dir=folder)` (the shards alone) or
`datasets.load_dataset(folder)` (the card's `configs` say where the train split is), and can be pushed to a
dataset hub as it is. The card's YAML front matter names the data files and the features (the columns of the
Parquet export, `tessera.io.export_parquet`). Shards are written to temporary files one at a time and copied
into the zip, so memory holds one row group whatever the project's size. A project that compares replies
gets a second config, `dpo`: its DPO rows in `dpo/train-00000.parquet` (see `hf_preference_split`).
"""

from __future__ import annotations

import itertools
import json
import tempfile
import zipfile
from collections.abc import Iterable
from typing import Any, BinaryIO

from tessera.domain.config.model import LabelConfig
from tessera.domain.preference_rows import People
from tessera.domain.preferences import comparison_controls
from tessera.io.export_parquet import COLUMNS, ROW_GROUP, row_groups, write_batches
from tessera.io.hf_preference_split import DpoSpool, feature_lines
from tessera.io.preference_lines import preference_rows

SHARD_ROWS = 500_000
_DTYPES = {"int64": "int64", "string": "string"}


def dataset_card(count: int, shards: int, dpo: DpoSpool | None = None) -> str:
    """README.md: YAML front matter (JSON is YAML, so values are written as JSON strings) and a short text.
    With DPO rows, a second config `dpo` names them (`load_dataset(folder, "dpo")`)."""
    lines = ["---", "configs:", "- config_name: default", "  data_files:", "  - split: train"]
    lines += ['    path: "data/train-*.parquet"']
    if dpo is not None:
        lines += ["- config_name: dpo", "  data_files:", "  - split: train", '    path: "dpo/train-*.parquet"']
    features = []
    for name, dtype in COLUMNS:
        features += [f"  - name: {json.dumps(name)}", f"    dtype: {_DTYPES[str(dtype)]}"]
    if dpo is None:
        lines += ["dataset_info:", "  features:", *features]
        lines += ["  splits:", "  - name: train", f"    num_examples: {count}"]
    else:
        lines += ["dataset_info:", "- config_name: default", "  features:", *features]
        lines += ["  splits:", "  - name: train", f"    num_examples: {count}"]
        lines += ["- config_name: dpo", "  features:", *feature_lines(dpo.schema)]
        lines += ["  splits:", "  - name: train", f"    num_examples: {dpo.count}"]
    lines += ["---", ""]
    lines += [
        "# Labeled tasks exported from Tessera",
        "",
        f"{count} tasks in {shards} Parquet file(s) under `data/`, one row per task. `data`, `meta`,",
        "`annotations` and `predictions` are JSON text in Label Studio's task format; decode them with",
        "`json.loads` (for example `dataset.map(lambda row: {'data': json.loads(row['data'])})`).",
        "",
    ]
    if dpo is not None:
        lines += [
            f"The `dpo` config holds {dpo.count} chosen/rejected pairs under `dpo/`, the rows of the DPO_JSONL export:",
            "`prompt`, `chosen`, `rejected` and their provenance (`annotation_id`, `task_id`, `annotator`,",
            '`created_at`, `agreement`); load them with `datasets.load_dataset(folder, "dpo")`.',
            "",
        ]
    return "\n".join(lines)


def write_hf_dataset(
    tasks: Iterable[dict[str, Any]],
    out: BinaryIO,
    *,
    shard_rows: int = SHARD_ROWS,
    row_group: int = ROW_GROUP,
    spool_dir: str | None = None,
    config: LabelConfig | None = None,
    options: Any = None,
    people: People | None = None,
    **_options: Any,
) -> int:
    """Write the zip to `out`; returns the number of tasks. A shard holds at most `shard_rows` tasks. With a
    `config` that compares replies, the DPO rows go in a `dpo` config too (see `hf_preference_split`)."""
    with tempfile.NamedTemporaryFile(dir=spool_dir, suffix=".parquet") as spool:
        dpo = None
        if config is not None and comparison_controls(config):
            dpo = DpoSpool(spool.name, preference_rows(config, options, people))
            tasks = dpo.tee(tasks)
        return _write_zip(tasks, out, shard_rows, row_group, spool_dir, dpo)


def _write_zip(
    tasks: Iterable[dict[str, Any]],
    out: BinaryIO,
    shard_rows: int,
    row_group: int,
    spool_dir: str | None,
    dpo: DpoSpool | None,
) -> int:
    batches = row_groups(tasks, min(row_group, shard_rows))
    per_shard = max(1, shard_rows // min(row_group, shard_rows))
    count = shards = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        while True:  # an empty project still gets one (empty) shard, which loads as an empty split
            first = next(batches, None)
            if first is None and shards:
                break
            group = itertools.chain([first] if first is not None else [], itertools.islice(batches, per_shard - 1))
            with tempfile.NamedTemporaryFile(dir=spool_dir, suffix=".parquet") as shard:
                count += write_batches(group, shard.name)
                archive.write(shard.name, f"data/train-{shards:05d}.parquet")
            shards += 1
            if first is None:
                break
        if dpo is not None:
            dpo.close()
            archive.write(dpo.path, "dpo/train-00000.parquet")
        archive.writestr("README.md", dataset_card(count, shards, dpo))
    return count
