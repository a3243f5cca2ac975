"""Pascal VOC export: a zip of `Annotations/<image name>.xml`, one file per image, as Label Studio makes it.

Each file holds the image's size (from the results' `original_width/height`; depth 3) and one `object` per
labelled rectangle with its pixel box, truncated to integers. Tasks without labelled rectangles get no file.
As in the YOLO export, a task with several annotations keeps the one Label Studio's files keep (the last
written, its oldest), and a repeated image name gets `-<task id>`.

Images: Tessera does not store media yet, so they are never included (`include_images` is accepted and
ignored); `folder` says `images`, where Label Studio puts them when it can download them.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Mapping
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from tessera.domain.export_rows import Controls
from tessera.io.export_images import ImageItem, image_items, image_key, image_name


def _annotator(completed_by: Any) -> str:
    if isinstance(completed_by, dict):
        return str(completed_by.get("email") or "")
    return "" if completed_by is None else str(completed_by)


def _xml(item: ImageItem, name: str, width: Any, height: Any) -> str:
    def node(tag: str, text: Any, indent: str) -> str:
        return f"{indent}<{tag}>{escape(str(text))}</{tag}>\n"

    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<annotation>\n', node("folder", "images", "  ")]
    parts.append(node("filename", name, "  "))
    parts.append("  <source>\n")
    for tag, text in (("database", "MyDatabase"), ("annotation", "COCO2017"), ("image", "flickr")):
        parts.append(node(tag, text, "    "))
    parts += [node("flickrid", "NULL", "    "), node("annotator", _annotator(item.completed_by), "    ")]
    parts.append("  </source>\n  <owner>\n")
    parts += [node("flickrid", "NULL", "    "), node("name", "Tessera", "    "), "  </owner>\n  <size>\n"]
    parts += [node("width", width, "    "), node("height", height, "    "), node("depth", 3, "    ")]
    parts += ["  </size>\n", node("segmented", 0, "  ")]
    for region in item.regions:
        key = "rectanglelabels" if "rectanglelabels" in region else ("labels" if "labels" in region else None)
        if key is None or not region[key]:
            continue
        x, y = int(region["x"] / 100 * width), int(region["y"] / 100 * height)
        w, h = int(region["width"] / 100 * width), int(region["height"] / 100 * height)
        parts.append("  <object>\n")
        parts.append(node("name", region[key][0], "    "))
        parts += [node("pose", "Unspecified", "    "), node("truncated", 0, "    "), node("difficult", 0, "    ")]
        parts.append("    <bndbox>\n")
        for tag, value in (("xmin", x), ("ymin", y), ("xmax", x + w), ("ymax", y + h)):
            parts.append(node(tag, value, "      "))
        parts.append("    </bndbox>\n  </object>\n")
    parts.append("</annotation>\n")
    return "".join(parts)


def write_voc(
    tasks: Iterable[dict[str, Any]],
    out: BinaryIO,
    *,
    schema: Mapping[str, Any] | None = None,
    **_options: Any,
) -> int:
    """Write the VOC zip to `out`; returns the number of XML files."""
    controls, key = Controls(schema), image_key(schema)
    used: set[str] = set()
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for task in tasks:
            items = [item for item in image_items(task, controls, key) if item.regions]
            if not items:
                continue
            item = items[-1]
            first = item.regions[0]
            if "original_width" not in first or "original_height" not in first:
                continue
            name = image_name(item.image)
            stem = name.rsplit(".", 1)[0] if "." in name else name
            if stem in used:
                stem = f"{stem}-{item.task_id}"
            used.add(stem)
            xml = _xml(item, name, first["original_width"], first["original_height"])
            archive.writestr(f"Annotations/{stem}.xml", xml)
            count += 1
    return count
