"""The export formats: name -> how to write it and how to offer it.

Every writer has the same shape: `writer(tasks, out, *, schema=None, **options) -> int` takes an iterable of
task dicts in Label Studio's JSON export shape and the config's `parsed_label_config`, writes bytes to the
binary stream `out` one task at a time, and returns how many tasks (JSON) or rows (the others) it wrote.
Names, titles, descriptions and tags are Label Studio's (`GET /api/projects/{id}/export/formats`) for the
formats it has; `tessera.domain.export_fit` says which formats fit a config.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO, NamedTuple

from tessera.io.export_coco import write_coco
from tessera.io.export_conll import write_conll2003
from tessera.io.export_csv import write_csv, write_tsv
from tessera.io.export_dpo import write_dpo_jsonl
from tessera.io.export_json import json_chunks, write_json
from tessera.io.export_json_min import write_json_min
from tessera.io.export_jsonl import jsonl_chunks, write_jsonl
from tessera.io.export_kto import write_kto_jsonl
from tessera.io.export_reward_pairs import write_reward_pairs_jsonl
from tessera.io.export_sft import write_sft_jsonl
from tessera.io.export_spacy import write_spacy
from tessera.io.export_voc import write_voc
from tessera.io.export_yolo import write_yolo

Writer = Callable[..., int]


# The Parquet formats' modules import pyarrow (and numpy with it): about 50 MB resident in every process that
# loads them, a third of an idle server. They are imported on the first export that needs them.
def write_parquet(tasks: Iterable[dict[str, Any]], out: BinaryIO, **options: Any) -> int:
    from tessera.io.export_parquet import write_parquet  # noqa: PLC0415 - heavy optional dependency

    return write_parquet(tasks, out, **options)


def write_parquet_columns(batches: Iterable[dict[str, list[Any]]], out: BinaryIO, **options: Any) -> int:
    from tessera.io.export_parquet import write_parquet_columns  # noqa: PLC0415 - heavy optional dependency

    return write_parquet_columns(batches, out, **options)


def write_hf_dataset(tasks: Iterable[dict[str, Any]], out: BinaryIO, **options: Any) -> int:
    from tessera.io.export_hf_dataset import write_hf_dataset  # noqa: PLC0415 - heavy optional dependency

    return write_hf_dataset(tasks, out, **options)


class ExportFormat(NamedTuple):
    writer: Writer
    media_type: str
    extension: str
    title: str
    description: str
    raw_json: bool = False  # the writer takes a task's `data`, `meta`, `annotations`... as `RawJSON` text
    tags: tuple[str, ...] = ()
    sequential: bool = False  # the writer writes front to back, never seeks (see io.hashed_output)
    # The writer as a generator of the file's bytes, `chunks(tasks, counter)`: the format streams without a
    # file, and takes each task as its encoded bytes (`services.export_lines`) as well as a dict.
    chunks: Callable[..., Iterator[bytes]] | None = None
    # The writer of the same file from the tasks as column batches (`services.export_lines.iter_task_columns`).
    columns: Writer | None = None


_IMAGE_TAGS = ("image segmentation", "object detection", "keypoints")
_SPAN_TAGS = ("sequence labeling", "text tagging", "named entity recognition")
_PREFERENCE_TAGS = ("preferences", "RLHF")


EXPORT_FORMATS: dict[str, ExportFormat] = {
    "JSON": ExportFormat(
        write_json,
        "application/json",
        "json",
        "JSON",
        "List of items in raw JSON format stored in one JSON file. Use to export both the data and the "
        "annotations for a dataset. It's Label Studio Common Format",
        raw_json=True,
        sequential=True,
        chunks=json_chunks,
    ),
    "JSON_MIN": ExportFormat(
        write_json_min,
        "application/json",
        "json",
        "JSON-MIN",
        'List of items where only "from_name", "to_name" values from the raw JSON format are exported. '
        "Use to export only the annotations for a dataset.",
    ),
    "CSV": ExportFormat(
        write_csv,
        "text/csv; charset=utf-8",
        "csv",
        "CSV",
        "Results are stored as comma-separated values with the column names specified by the values of the "
        '"from_name" and "to_name" fields.',
    ),
    "TSV": ExportFormat(
        write_tsv,
        "text/tab-separated-values; charset=utf-8",
        "tsv",
        "TSV",
        'Results are stored in tab-separated tabular file with column names specified by "from_name" "to_name" values',
    ),
    "JSONL": ExportFormat(
        write_jsonl,
        "application/x-ndjson",
        "jsonl",
        "JSONL",
        "One task per line in Label Studio's JSON format (JSON Lines): data, annotations and predictions.",
        raw_json=True,
        sequential=True,
        chunks=jsonl_chunks,
    ),
    "PARQUET": ExportFormat(
        write_parquet,
        "application/vnd.apache.parquet",
        "parquet",
        "Parquet",
        "One row per task in an Apache Parquet file; data, meta, annotations and predictions as JSON text.",
        raw_json=True,
        sequential=True,
        columns=write_parquet_columns,
    ),
    "HF_DATASET": ExportFormat(
        write_hf_dataset,
        "application/zip",
        "zip",
        "Hugging Face dataset",
        "Parquet files and a README.md dataset card that datasets.load_dataset reads, in a zip.",
        raw_json=True,
    ),
    "COCO": ExportFormat(
        write_coco,
        "application/zip",
        "zip",
        "COCO",
        "Popular machine learning format used by the COCO dataset for object detection and image segmentation "
        "tasks with polygons and rectangles.",
        tags=_IMAGE_TAGS,
    ),
    "YOLO": ExportFormat(
        write_yolo,
        "application/zip",
        "zip",
        "YOLO",
        "Popular TXT format is created for each image file. Each txt file contains annotations for the "
        "corresponding image file, that is object class, object coordinates, height & width.",
        tags=_IMAGE_TAGS,
    ),
    "VOC": ExportFormat(
        write_voc,
        "application/zip",
        "zip",
        "Pascal VOC XML",
        "Popular XML format used for object detection and polygon image segmentation tasks.",
        tags=_IMAGE_TAGS[:2],
    ),
    "CONLL2003": ExportFormat(
        write_conll2003,
        "text/plain; charset=utf-8",
        "conll",
        "CONLL2003",
        "Popular format used for the CoNLL-2003 named entity recognition challenge.",
        tags=_SPAN_TAGS,
    ),
    "SPACY": ExportFormat(
        write_spacy,
        "application/json",
        "json",
        "spaCy",
        "Labelled text spans per document as JSON (text, ents, spans), ready to build a spaCy DocBin.",
        tags=_SPAN_TAGS,
    ),
    "DPO_JSONL": ExportFormat(
        write_dpo_jsonl,
        "application/x-ndjson",
        "jsonl",
        "DPO (JSONL)",
        "Chosen and rejected replies per prompt in TRL's preference format, standard or conversational.",
        tags=_PREFERENCE_TAGS,
    ),
    "REWARD_PAIRS_JSONL": ExportFormat(
        write_reward_pairs_jsonl,
        "application/x-ndjson",
        "jsonl",
        "Reward pairs (JSONL)",
        "Every ordered pair of compared or ranked replies, with the rank margin, to train a reward model.",
        tags=_PREFERENCE_TAGS,
    ),
    "KTO_JSONL": ExportFormat(
        write_kto_jsonl,
        "application/x-ndjson",
        "jsonl",
        "KTO (JSONL)",
        "Prompt, completion and a desirable/undesirable label per line, in TRL's unpaired preference format.",
        tags=_PREFERENCE_TAGS,
    ),
    "SFT_JSONL": ExportFormat(
        write_sft_jsonl,
        "application/x-ndjson",
        "jsonl",
        "SFT conversations (JSONL)",
        "The prompt and the annotator's rewrite (or preferred reply) as chat messages, to fine-tune on.",
        tags=_PREFERENCE_TAGS,
    ),
}


def write_export(
    name: str, tasks: Iterable[dict[str, Any]], out: BinaryIO, *, schema: Any = None, **options: Any
) -> int:
    """Write `tasks` to `out` in the export format `name` (a key of EXPORT_FORMATS, any case)."""
    return EXPORT_FORMATS[name.upper()].writer(tasks, out, schema=schema, **options)
