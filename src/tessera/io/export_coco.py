"""COCO export: a zip with `result.json` (images, categories, annotations, info), as Label Studio makes it.

One COCO image per exported item (a task's annotation; see `tessera.io.export_images`), numbered from 0;
`file_name` is the task's image reference as stored, since Tessera does not copy media into exports yet (Label
Studio writes the same when it cannot download the image). Boxes and polygons are in pixels: boxes scale by
the result's `original_width/height`, polygons by the item's image size. Keypoints of an item merge into one
annotation ordered by the labels' `model_index`, under one "default" category that lists their names.

`result.json` is streamed into the zip: images are written as they come while annotations go to a temporary
file, copied after them; categories (which can grow while writing) come last.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from typing import IO, Any, BinaryIO

from tessera.domain.export_rows import Controls
from tessera.io.export_images import (
    Categories,
    ImageItem,
    category_name,
    image_items,
    image_key,
    keypoint_labels,
    keypoint_order,
    polygon_area,
    rectangle,
)

_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)
_BOX = (
    '{"id": %d, "image_id": %d, "category_id": %d, "segmentation": [], "bbox": [%r, %r, %r, %r], '
    '"ignore": 0, "iscrowd": 0, "area": %r}'
)


def _categories(schema: Mapping[str, Any] | None) -> Categories:
    categories = Categories(schema)
    points = keypoint_labels(schema)
    if points:
        kept = [c for c in categories.items if c["name"] not in points]
        merged = max((c["id"] for c in kept), default=-1) + 1
        categories.items = [*kept, {"id": merged, "name": "default", "supercategory": "default", "keypoints": points}]
        categories.items[-1]["skeleton"] = []
        categories.ids = {c["name"]: c["id"] for c in kept} | dict.fromkeys(points, merged)
    return categories


class _Coco:
    def __init__(self, schema: Mapping[str, Any] | None, images: IO[bytes], annotations: IO[bytes]) -> None:
        self.categories = _categories(schema)
        self.order = keypoint_order(schema)
        self.images_out, self.annotations_out = images, annotations
        self.image_count = self.annotation_count = 0

    def _emit(self, out: IO[bytes], record: dict[str, Any], first: bool) -> None:
        out.write((b"" if first else b",\n") + _ENCODER.encode(record).encode("utf-8"))

    def image(self, image_id: int, width: Any, height: Any, name: Any) -> None:
        record = {"width": width, "height": height, "id": image_id, "file_name": name}
        self._emit(self.images_out, record, self.image_count == 0)
        self.image_count += 1

    def annotation(self, record: dict[str, Any]) -> None:
        record = {"id": self.annotation_count, **record}
        self._emit(self.annotations_out, record, self.annotation_count == 0)
        self.annotation_count += 1

    def box(self, image_id: int, category: int, x: float, y: float, w: float, h: float) -> None:
        """A box annotation, the most common by far: formatted directly (a float's repr is its JSON)."""
        if not all(math.isfinite(v) for v in (x, y, w, h)):
            self.annotation(_shape(image_id, category, [], [x, y, w, h], w * h))
            return
        text = _BOX % (self.annotation_count, image_id, category, x, y, w, h, w * h)
        self.annotations_out.write((text if self.annotation_count == 0 else ",\n" + text).encode("utf-8"))
        self.annotation_count += 1

    def item(self, item: ImageItem) -> None:
        image_id = self.image_count
        if not item.regions:
            self.image(image_id, None, None, item.image)
            return
        width = height = None
        points = []
        for region in item.regions:
            name = category_name(region)
            if name is None:
                continue
            if not width or not height:
                if "original_width" not in region or "original_height" not in region:
                    continue
                width, height = region["original_width"], region["original_height"]
                self.image(image_id, width, height, item.image)
            category = self.categories.id_of(name)
            if "rectanglelabels" in region or "labels" in region:
                box = rectangle(region)
                if box is None:
                    continue
                x, y, w, h = box
                x, w = x * region["original_width"] / 100, w * region["original_width"] / 100
                y, h = y * region["original_height"] / 100, h * region["original_height"] / 100
                self.box(image_id, category, x, y, w, h)
            elif "polygonlabels" in region:
                xs = [p[0] / 100 * width for p in region.get("points") or []]
                ys = [p[1] / 100 * height for p in region.get("points") or []]
                if not xs:
                    continue
                flat = [c for pair in zip(xs, ys, strict=True) for c in pair]
                box = [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]
                self.annotation(_shape(image_id, category, [flat], box, polygon_area(xs, ys)))
            elif "keypointlabels" in region:
                points.append(region)
        if points and self.order:
            self.annotation(self._keypoints(image_id, points))

    def _keypoints(self, image_id: int, regions: list[dict[str, Any]]) -> dict[str, Any]:
        values = [0] * (3 * len(self.order))
        for region in regions:
            x = region["x"] / 100 * region["original_width"]
            y = region["y"] / 100 * region["original_height"]
            for label in region.get("keypointlabels") or []:
                if label in self.order:
                    at = 3 * self.order.index(label)
                    values[at : at + 3] = [int(round(x)), int(round(y)), 2]
        seen = [i for i in range(len(self.order)) if values[3 * i + 2] > 0]
        xs, ys = [values[3 * i] for i in seen], [values[3 * i + 1] for i in seen]
        box = [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)] if seen else [0, 0, 0, 0]
        return {
            "image_id": image_id,
            "category_id": self.categories.ids.get(self.order[0], 0),
            "keypoints": values,
            "num_keypoints": len(seen),
            "bbox": box,
            "iscrowd": 0,
        }


def _shape(image_id: int, category: int, segmentation: list, box: list[float], area: float) -> dict[str, Any]:
    return {
        "image_id": image_id,
        "category_id": category,
        "segmentation": segmentation,
        "bbox": box,
        "ignore": 0,
        "iscrowd": 0,
        "area": area,
    }


def write_coco(
    tasks: Iterable[dict[str, Any]],
    out: BinaryIO,
    *,
    schema: Mapping[str, Any] | None = None,
    spool_dir: str | None = None,
    **_options: Any,
) -> int:
    """Write the COCO zip to `out`; returns the number of images."""
    controls, key = Controls(schema), image_key(schema)
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        tempfile.TemporaryFile(dir=spool_dir) as annotations,
        archive.open("result.json", "w", force_zip64=True) as result,
    ):
        result.write(b'{"images": [\n')
        coco = _Coco(schema, result, annotations)
        for task in tasks:
            for item in image_items(task, controls, key):
                coco.item(item)
        result.write(b'\n],\n"annotations": [\n')
        annotations.seek(0)
        shutil.copyfileobj(annotations, result, 1 << 20)
        info = {
            "year": dt.datetime.now(dt.UTC).year,
            "version": "1.0",
            "description": "",
            "contributor": "Tessera",
            "url": "",
            "date_created": dt.datetime.now(dt.UTC).isoformat(),
        }
        tail = {"categories": coco.categories.items, "info": info}
        result.write(b"\n],\n" + json.dumps(tail, ensure_ascii=False)[1:].encode("utf-8"))
    return coco.image_count
