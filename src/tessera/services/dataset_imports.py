"""Importing object-detection datasets (COCO JSON, a YOLO archive) into an image project: one task per
image, its shapes as a prediction to correct (the default) or as an annotation. All or nothing, as every
import; shapes the config has no control for are counted in `left_out`."""

from __future__ import annotations

from dataclasses import dataclass

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


def dataset_format(value: str | None) -> str | None:
    """The dataset format a `format` parameter names (None for an ordinary task file); refused if unknown."""
    if value is None or not value.strip():
        return None
    name = value.strip().lower()
    if name not in READERS:
        raise InvalidInput(f"unknown dataset format {value!r}; use coco or yolo", field_errors={"format": [value]})
    return name


def import_dataset(
    session: Session, actor: Actor, project_id: int, source: ImportSource, options: DatasetOptions
) -> tuple[ImportSummary, dict[str, int]]:
    """Import `source` in the caller's transaction; the summary and the shapes left out, by kind."""
    project, _role = get_project(session, actor, project_id, "tasks.create")
    target = image_target(
        cached_config(project.label_config),
        labels_as=options.labels_as,
        model_version=options.model_version or f"{options.fmt}-import",
        root_url=options.image_root_url,
    )
    counts = ShapeCounts()
    items = READERS[options.fmt](source.stream, source.filename, target, counts)
    summary = import_tasks(session, actor, project_id, parsed=[(source.filename, items)])
    return summary, counts.left_out
