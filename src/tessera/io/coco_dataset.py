"""COCO import: a COCO JSON file (`images`, `annotations`, `categories`) becomes one task per image, in the
order of `images`, with its boxes (`bbox`), polygons (`segmentation` lists) and keypoints as Label Studio
results (see `image_datasets`). A shape kind the project has no control for is counted and left out; RLE
masks (`iscrowd: 1`) are left out the same way. Anything malformed refuses the file, naming the entry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from tessera.domain.errors import ImportFormatError, InvalidInput
from tessera.io.image_datasets import ImageTarget, ShapeCounts, keypoint, new_task, number, polygon, rectangle
from tessera.io.json_values import DECODER
from tessera.io.sources import RawTask, open_source

MAX_COCO_BYTES = 2 << 30  # the file is parsed whole: COCO's images and annotations refer to each other


def read_coco(stream: BinaryIO, filename: str, target: ImageTarget, counts: ShapeCounts) -> Iterator[RawTask]:
    coco = _load(stream, filename)
    try:
        categories = {
            _ident(c, f"categories[{i}]"): _text(c, "name", f"categories[{i}]")
            for i, c in enumerate(_list(coco, "categories"))
        }
        images = _list(coco, "images")
        sizes: dict[Any, tuple[float, float]] = {}
        for i, image in enumerate(images):
            where = f"images[{i}]"
            _text(image, "file_name", where)
            size = (number(image.get("width"), f"{where}.width"), number(image.get("height"), f"{where}.height"))
            if min(size) <= 0:
                raise InvalidInput(f"{where} has no width and height")
            sizes[_ident(image, where)] = (image["width"], image["height"])  # as given: ints stay ints
        shapes: dict[Any, list[dict[str, Any]]] = {}
        for i, ann in enumerate(_list(coco, "annotations")):
            where = f"annotations[{i}]"
            if not isinstance(ann, dict):
                raise InvalidInput(f"{where} is not an object")
            image_id = ann.get("image_id")
            if image_id not in sizes:
                raise InvalidInput(f"{where}: image_id {image_id!r} is not in images")
            category = ann.get("category_id")
            if category not in categories:
                raise InvalidInput(f"{where}: category_id {category!r} is not in categories")
            shapes.setdefault(image_id, []).extend(
                _shapes(ann, categories[category], sizes[image_id], target, counts, where)
            )
        for i, image in enumerate(images):
            yield RawTask(i + 1, new_task(target, image["file_name"], shapes.get(image["id"], [])))
    except InvalidInput as exc:
        raise ImportFormatError(exc.detail, filename=filename) from None


def _load(stream: BinaryIO, filename: str) -> dict[str, Any]:
    with open_source(stream, filename) as src:
        raw = src.read(MAX_COCO_BYTES + 1)
    if len(raw) > MAX_COCO_BYTES:
        raise ImportFormatError(
            f"a COCO file is read whole, and this one is over {MAX_COCO_BYTES >> 30} GB", filename=filename
        )
    try:
        coco = DECODER.decode(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"not UTF-8 text at byte {exc.start}", filename=filename) from None
    except (ValueError, RecursionError) as exc:
        raise ImportFormatError(f"not valid JSON: {exc}", filename=filename) from None
    if not isinstance(coco, dict):
        raise ImportFormatError(
            "a COCO file is a JSON object with images, annotations and categories", filename=filename
        )
    return coco


def _shapes(
    ann: dict[str, Any],
    label: str,
    size: tuple[float, float],
    target: ImageTarget,
    counts: ShapeCounts,
    where: str,
) -> Iterator[dict[str, Any]]:
    width, height = size
    if "bbox" in ann:
        box = ann["bbox"]
        if not isinstance(box, list) or len(box) != 4:
            raise InvalidInput(f"{where}.bbox must be [x, y, width, height]")
        x, y, w, h = (number(v, f"{where}.bbox") for v in box)
        if "rectangle" in target.controls:
            yield rectangle(target, label, (x / width * 100, y / height * 100, w / width * 100, h / height * 100), size)
        else:
            counts.leave_out("rectangle")
    segmentation = ann.get("segmentation")
    if ann.get("iscrowd") == 1 or isinstance(segmentation, dict):
        counts.leave_out("RLE mask")
    elif isinstance(segmentation, list):
        for j, flat in enumerate(segmentation):
            if not isinstance(flat, list) or len(flat) < 6 or len(flat) % 2:
                raise InvalidInput(f"{where}.segmentation[{j}] must be a list of x, y pairs (three or more)")
            if "polygon" not in target.controls:
                counts.leave_out("polygon")
                continue
            xy = [number(v, f"{where}.segmentation[{j}]") for v in flat]
            points = [[xy[k] / width * 100, xy[k + 1] / height * 100] for k in range(0, len(xy), 2)]
            yield polygon(target, label, points, size)
    if "keypoints" in ann:
        flat = ann["keypoints"]
        if not isinstance(flat, list) or len(flat) % 3:
            raise InvalidInput(f"{where}.keypoints must be a list of x, y, visibility triples")
        for k in range(0, len(flat), 3):
            if "keypoint" not in target.controls:
                counts.leave_out("keypoint")
                continue
            x, y = number(flat[k], f"{where}.keypoints"), number(flat[k + 1], f"{where}.keypoints")
            visible = number(flat[k + 2], f"{where}.keypoints")
            yield keypoint(target, label, (x / width * 100, y / height * 100), visible < 2, size)


def _list(coco: dict[str, Any], key: str) -> list[Any]:
    value = coco.get(key)
    if not isinstance(value, list):
        raise InvalidInput(f"{key} must be a list")
    return value


def _ident(entry: Any, where: str) -> Any:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), int | str):
        raise InvalidInput(f"{where} has no id")
    return entry["id"]


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{where}.{key} must be a non-empty string")
    return value
