"""YOLO import: a ZIP archive with `classes.txt` (one class name per line, the line's index is the class id),
`images/` and `labels/` (one `<image stem>.txt` per image: `class cx cy w h [confidence]` per box, relative to
the image's size, or `class x1 y1 x2 y2 x3 y3 ...` per polygon). Folders may sit under one top folder.

Each image becomes a task, in name order, with its boxes and polygons as Label Studio results (see
`image_datasets`); the image's pixel size is read from its header. An archive without images makes one task
per label file, named `<stem>.jpg` (no pixel size then). Anything malformed refuses the archive, naming the
file and line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from tessera.domain.errors import ImportFormatError, InvalidInput
from tessera.io.archives import zip_entries
from tessera.io.image_datasets import ImageTarget, ShapeCounts, new_task, polygon, rectangle
from tessera.io.image_size import image_size
from tessera.io.sources import RawTask

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp")
MAX_LABEL_BYTES = 16 << 20


def read_yolo(stream: BinaryIO, filename: str, target: ImageTarget, counts: ShapeCounts) -> Iterator[RawTask]:
    classes: list[str] | None = None
    images: dict[str, tuple[str, tuple[int, int] | None]] = {}  # stem -> (file name, size)
    labels: dict[str, tuple[str, str]] = {}  # stem -> (entry name, text)
    for name, entry in zip_entries(stream, filename):
        path = name[len(filename) + 1 :]
        parts = path.split("/")
        folder = parts[-2] if len(parts) >= 2 else ""
        base = parts[-1]
        stem, _dot, ext = base.rpartition(".")
        if base == "classes.txt":
            classes = [line.strip() for line in _text(entry, name).splitlines() if line.strip()]
        elif folder == "images" and f".{ext.lower()}" in IMAGE_EXTENSIONS:
            images[stem] = (base, image_size(entry))
        elif folder == "labels" and ext == "txt":
            labels[stem] = (name, _text(entry, name))
    if classes is None:
        raise ImportFormatError("a YOLO archive needs classes.txt (one class name per line)", filename=filename)
    if not images and not labels:
        raise ImportFormatError("a YOLO archive needs images/ or labels/ folders", filename=filename)
    orphans = sorted(set(labels) - set(images)) if images else []
    if orphans:
        raise ImportFormatError(f"labels/{orphans[0]}.txt has no image in images/", filename=filename)
    stems = sorted(images or labels)
    for i, stem in enumerate(stems, start=1):
        image, size = images.get(stem, (f"{stem}.jpg", None))
        results, scores = [], []
        if stem in labels:
            entry_name, text = labels[stem]
            for line_no, line in enumerate(text.splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    item, score = _shape(line, classes, size, target, counts)
                except InvalidInput as exc:
                    raise ImportFormatError(exc.detail, filename=entry_name, line=line_no) from None
                if item is not None:
                    results.append(item)
                if score is not None:
                    scores.append(score)
        mean = sum(scores) / len(scores) if scores else None
        yield RawTask(i, new_task(target, image, results, mean))


def _text(entry: BinaryIO, name: str) -> str:
    raw = entry.read(MAX_LABEL_BYTES + 1)
    if len(raw) > MAX_LABEL_BYTES:
        raise ImportFormatError(f"over {MAX_LABEL_BYTES >> 20} MB", filename=name)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"not UTF-8 text at byte {exc.start}", filename=name) from None


def _shape(
    line: str, classes: list[str], size: tuple[int, int] | None, target: ImageTarget, counts: ShapeCounts
) -> tuple[dict | None, float | None]:
    fields = line.split()
    try:
        cls = int(fields[0])
        values = [float(v) for v in fields[1:]]
    except ValueError:
        raise InvalidInput(f"not a YOLO line: {line.strip()[:80]!r}") from None
    if not 0 <= cls < len(classes):
        raise InvalidInput(f"class {cls} is not in classes.txt ({len(classes)} classes)")
    if any(v != v or v in (float("inf"), float("-inf")) for v in values):
        raise InvalidInput("a coordinate is not a finite number")
    label = classes[cls]
    if len(values) in (4, 5):  # a box, and maybe its confidence
        cx, cy, w, h = values[:4]
        score = values[4] if len(values) == 5 else None
        if "rectangle" not in target.controls:
            counts.leave_out("rectangle")
            return None, score
        box = ((cx - w / 2) * 100, (cy - h / 2) * 100, w * 100, h * 100)
        item = rectangle(target, label, box, size)
        if score is not None:
            item["score"] = score
        return item, score
    if len(values) >= 6 and len(values) % 2 == 0:
        if "polygon" not in target.controls:
            counts.leave_out("polygon")
            return None, None
        points = [[values[k] * 100, values[k + 1] * 100] for k in range(0, len(values), 2)]
        return polygon(target, label, points, size), None
    raise InvalidInput(
        f"a YOLO line has a class and 4 or 5 numbers (a box) or 6 or more, in pairs (a polygon); got {len(values)}"
    )
