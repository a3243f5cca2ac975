"""What the image exports (COCO, YOLO, Pascal VOC) share: regions of an annotation, categories, geometry.

The rules are those of `label_studio_sdk.converter`, which Label Studio's export runs, so that a dataset made
by either carries the same boxes, polygons and classes:
- a task gives one item per annotation that is neither cancelled nor skipped, newest first; a task whose
  annotation list is empty gives one item without regions; a task without annotations key gives none;
- a region belongs to a control of the config (Repeater patterns included); its value carries the control's
  type and the result's `original_width` and `original_height` (plus `id` and `parentID` for keypoints);
- categories are the labels of every control: those with a `category="<int>"` attribute take that id, the
  others take the free ids in the order of their sorted names; labels met only in results are appended.
Coordinates in Label Studio results are percentages of the image size.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tessera.domain.export_rows import Controls

LABEL_KEYS = ("rectanglelabels", "polygonlabels", "keypointlabels", "labels")


@dataclass
class ImageItem:
    """One annotation of a task, as the image exports see it."""

    task_id: Any
    image: Any  # the task's image reference (`data[<image key>]`)
    regions: list[dict[str, Any]]
    completed_by: Any = None


def image_key(schema: Mapping[str, Any] | None) -> str | None:
    """The data key of the object the image controls label (the converter's only data key)."""
    keys = []
    for info in (schema or {}).values():
        for tag in info.get("inputs") or [] if isinstance(info, Mapping) else []:
            if tag.get("value"):
                keys.append((tag.get("type") != "Image", tag["value"]))
    return min(keys)[1] if keys else None


def _created(annotation: Mapping[str, Any]) -> str:
    return str(annotation.get("created_at") or "")


def image_items(task: Mapping[str, Any], controls: Controls, key: str | None) -> Iterator[ImageItem]:
    """The items of one exported task, in export order."""
    annotations = task.get("annotations", task.get("completions"))
    if annotations is None:
        return
    data = task.get("data") or {}
    image = data.get(key) if key and isinstance(data, Mapping) else None
    if not annotations:
        yield ImageItem(task.get("id"), image, [])
        return
    kept = [a for a in annotations if not (a.get("skipped") or a.get("was_cancelled"))]
    for annotation in sorted(kept, key=_created, reverse=True):
        regions = []
        for result in annotation.get("result") or []:
            from_name = result.get("from_name") if isinstance(result, dict) else None
            control = controls.match(from_name) if from_name else None
            if control is None:
                continue
            value = dict(result.get("value") or {})
            value["type"] = controls.types[control]
            for extra in ("original_width", "original_height"):
                if extra in result:
                    value[extra] = result[extra]
            value["id"], value["parentID"] = result.get("id"), result.get("parentID")
            regions.append(value)
        yield ImageItem(task.get("id"), image, regions, annotation.get("completed_by"))


def category_name(region: Mapping[str, Any], keys: tuple[str, ...] = LABEL_KEYS) -> str | None:
    """The region's first label, looked up in `keys` order."""
    for key in keys:
        names = region.get(key)
        if isinstance(names, list) and names:
            return str(names[0])
    return None


class Categories:
    """Category ids by label name, growing when a result names a label the config does not list."""

    def __init__(self, schema: Mapping[str, Any] | None) -> None:
        self.items: list[dict[str, Any]] = []
        self.ids: dict[str, int] = {}
        names: set[str] = set()
        for info in (schema or {}).values():
            if not isinstance(info, Mapping):
                continue
            names.update(info.get("labels") or [])
            for label, attrs in (info.get("labels_attrs") or {}).items():
                try:
                    category = int(attrs.get("category"))
                except (TypeError, ValueError):
                    continue
                self.items.append({"id": category, "name": label})
                self.ids[label] = category
        used = set(self.ids.values())
        free = (i for i in range(len(names) + len(used) + 1) if i not in used)
        for label, category in zip(sorted(names - set(self.ids)), free, strict=False):
            self.items.append({"id": category, "name": label})
            self.ids[label] = category

    def id_of(self, name: str) -> int:
        if name not in self.ids:
            self.ids[name] = len(self.items)
            self.items.append({"id": self.ids[name], "name": name})
        return self.ids[name]


def keypoint_labels(schema: Mapping[str, Any] | None, control_type: str = "KeyPointLabels") -> list[str]:
    """Labels of the controls of `control_type`, in config order, without repeats."""
    names: dict[str, None] = {}
    for info in (schema or {}).values():
        if isinstance(info, Mapping) and info.get("type") == control_type:
            names.update(dict.fromkeys(info.get("labels") or []))
    return list(names)


def keypoint_order(schema: Mapping[str, Any] | None) -> list[str]:
    """Keypoint label names ordered by their `model_index` attribute (labels without one are left out)."""
    attrs: dict[str, Any] = {}
    for info in (schema or {}).values():
        if isinstance(info, Mapping) and info.get("type") == "KeyPointLabels":
            attrs.update(info.get("labels_attrs") or {})
    pairs: dict[int, str] = {}
    for name, label_attrs in attrs.items():
        try:
            index = int(label_attrs.get("model_index"))
        except (TypeError, ValueError):
            continue
        pairs.setdefault(index, name)
    return [pairs[i] for i in sorted(pairs)]


def rectangle(region: Mapping[str, Any]) -> tuple[float, float, float, float] | None:
    """(x, y, width, height) in percent of the axis-aligned box around a (possibly rotated) rectangle."""
    try:
        x, y, w, h = (float(region[k]) for k in ("x", "y", "width", "height"))
    except (KeyError, TypeError, ValueError):
        return None
    rotation = float(region.get("rotation") or 0.0)
    if not rotation:
        return x, y, w, h
    # Label Studio rotates around the top left corner, by degrees clockwise.
    turn = math.radians(rotation)
    cos, sin = math.cos(turn), math.sin(turn)
    xs = [x, x + w * cos, x + w * cos - h * sin, x - h * sin]
    ys = [y, y + w * sin, y + w * sin + h * cos, y + h * cos]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def polygon_area(xs: list[float], ys: list[float]) -> float:
    """The shoelace formula."""
    total = 0.0
    for i in range(len(xs)):
        total += xs[i] * ys[i - 1] - ys[i] * xs[i - 1]
    return abs(total) / 2


def image_name(image: Any) -> str:
    """The file name part of an image reference: a path, or a URL with its query and fragment dropped."""
    text = str(image or "")
    for mark in ("?", "#"):
        text = text.split(mark, 1)[0]
    return text.rstrip("/").rsplit("/", 1)[-1]
