"""Importing object-detection datasets (COCO JSON, a YOLO archive) into an image project: one task per
image, its shapes as a prediction to correct (the default) or as an annotation. All or nothing, as every
import; shapes the config has no control for are counted in `left_out`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from tessera.domain.config import cached_config
from tessera.domain.errors import InvalidInput
from tessera.io.coco_dataset import read_coco
from tessera.io.image_datasets import ShapeCounts, image_target
from tessera.io.yolo_dataset import read_yolo
from tessera.services.access import get_project
from tessera.services.actors import Actor
from tessera.services.imports import ImportSource, ImportSummary, import_tasks

READERS = {"coco": read_coco, "yolo": read_yolo}


@dataclass(frozen=True)
class DatasetOptions:
    fmt: str  # "coco" | "yolo"
    labels_as: str = "predictions"
    model_version: str = ""
    image_root_url: str = ""

    def to_payload(self) -> dict[str, str]:
        """As a job's payload keeps them (`from_payload` reads them back)."""
        return asdict(self)

    @classmethod
    def from_payload(cls, stored: dict[str, Any]) -> DatasetOptions:
        return cls(**{k: str(v) for k, v in stored.items() if k in cls.__dataclass_fields__})


def dataset_format(value: str | None) -> str | None:
    """The dataset format a `format` parameter names (None for an ordinary task file); refused if unknown."""
    if value is None or not value.strip():
        return None
    name = value.strip().lower()
    if name not in READERS:
        raise InvalidInput(f"unknown dataset format {value!r}; use coco or yolo", field_errors={"format": [value]})
    return name


def import_dataset(
    session: Session,
    actor: Actor,
    project_id: int,
    source: ImportSource,
    options: DatasetOptions,
    *,
    record_id: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[ImportSummary, dict[str, int]]:
    """Import `source` in the caller's transaction; the summary and the shapes left out, by kind. `record_id`
    and `progress` are `import_tasks`' (a job's import record, the rows read so far)."""
    project, _role = get_project(session, actor, project_id, "tasks.create")
    target = image_target(
        cached_config(project.label_config),
        labels_as=options.labels_as,
        model_version=options.model_version or f"{options.fmt}-import",
        root_url=options.image_root_url,
    )
    counts = ShapeCounts()
    items = READERS[options.fmt](source.stream, source.filename, target, counts)
    summary = import_tasks(
        session,
        actor,
        project_id,
        parsed=[(source.filename, items)],
        keep_ids=record_id is None,
        record_id=record_id,
        progress=progress,
    )
    return summary, counts.left_out
