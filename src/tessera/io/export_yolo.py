"""YOLO export: a zip of `labels/<image name>.txt`, `classes.txt` and `notes.json`, as Label Studio makes it.

A label file has one line per region: the class index, then the box centre, width and height (or a polygon's
points) as fractions of the image size. With KeyPointLabels in the config, a line is a box followed by the
keypoints whose `parentID` is that box (x, y, 2; or 0 0 0 when absent) in `model_index` order (YOLO pose), and
the classes are the RectangleLabels.

Label Studio writes one file per exported annotation, named after the image, so when a task has several
annotations the last one written (its oldest) is the one that stays; Tessera keeps that same annotation. Two
tasks whose images share a file name would overwrite each other in Label Studio: Tessera names the second
`<name>-<task id>.txt` instead. Images are not included: Tessera does not copy media into exports yet, and
the `images/` folder is left empty, as Label Studio leaves it when it cannot download them.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Mapping
from typing import Any, BinaryIO

from tessera.domain.export_rows import Controls
from tessera.io.export_images import (
    Categories,
    ImageItem,
    image_items,
    image_key,
    image_name,
    keypoint_labels,
    keypoint_order,
)

NAME_LIMIT = 251  # file names of at most 255 bytes with ".txt"


def _line(values: list[Any]) -> str:
    return " ".join(str(v) for v in values) + "\n"


def _plain_lines(regions: list[dict[str, Any]], categories: Categories) -> str:
    lines = []
    for region in regions:
        names = [n for key in ("rectanglelabels", "polygonlabels", "labels") for n in region.get(key) or []]
        for name in names:
            category = categories.id_of(str(name))
            if "rectanglelabels" in region or "labels" in region:
                box = _centre_box(region)
                if box is not None:
                    lines.append(_line([category, *box]))
            elif "points" in region:
                lines.append(_line([category, *(c / 100 for point in region["points"] for c in point)]))
    return "".join(lines)


def _centre_box(region: Mapping[str, Any]) -> tuple[float, float, float, float] | None:
    try:
        x, y, w, h = (region[k] for k in ("x", "y", "width", "height"))
        return (x + w / 2) / 100, (y + h / 2) / 100, w / 100, h / 100
    except (KeyError, TypeError):
        return None


def _pose_lines(regions: list[dict[str, Any]], classes: dict[str, int], order: list[str]) -> str:
    boxes: dict[Any, tuple[list[Any], dict[str, tuple]]] = {}
    for region in regions:
        if str(region.get("type", "")).lower() == "rectanglelabels" and region.get("rectanglelabels"):
            category = classes.get(region["rectanglelabels"][0])
            box = _centre_box(region)
            if category is not None and box is not None:
                boxes[region.get("id")] = ([category, *box], {})
    for region in regions:
        parent = boxes.get(region.get("parentID"))
        if str(region.get("type", "")).lower() == "keypointlabels" and parent and region.get("keypointlabels"):
            parent[1][region["keypointlabels"][0]] = (region["x"] / 100, region["y"] / 100, 2)
    lines = []
    for values, points in boxes.values():
        for name in order:
            values.extend(points.get(name, (0.0, 0.0, 0)))
        lines.append(" ".join(str(v) for v in values))
    return "\n".join(lines)


def write_yolo(
    tasks: Iterable[dict[str, Any]],
    out: BinaryIO,
    *,
    schema: Mapping[str, Any] | None = None,
    **_options: Any,
) -> int:
    """Write the YOLO zip to `out`; returns the number of label files."""
    controls, key = Controls(schema), image_key(schema)
    pose = bool(keypoint_labels(schema))
    if pose:
        points = keypoint_labels(schema)
        boxes = keypoint_labels(schema, "RectangleLabels")
        categories = Categories(None)
        categories.items = [{"id": i, "name": n, "keypoints": points} for i, n in enumerate(boxes)]
        categories.ids = {n: i for i, n in enumerate(boxes)}
        order = keypoint_order(schema)
    else:
        categories = Categories(schema)
    used: set[str] = set()
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(zipfile.ZipInfo("images/"), b"")
        for task in tasks:
            items: list[ImageItem] = list(image_items(task, controls, key))
            if not items or not items[0].image:
                continue
            kept = next((item for item in reversed(items) if item.regions), items[-1])
            if pose:
                text = _pose_lines(kept.regions, categories.ids, order)
            else:
                text = _plain_lines(kept.regions, categories)
            name = image_name(kept.image).rsplit(".", 1)[0][:NAME_LIMIT]
            if name in used:
                name = f"{name}-{kept.task_id}"
            used.add(name)
            archive.writestr(f"labels/{name}.txt", text)
            count += 1
        archive.writestr("classes.txt", "".join(c["name"] + "\n" for c in categories.items))
        notes = {"categories": categories.items, "info": {"version": "1.0", "contributor": "Tessera"}}
        archive.writestr("notes.json", json.dumps(notes, ensure_ascii=False, indent=2))
    return count
