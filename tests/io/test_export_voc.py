"""Pascal VOC export against `label_studio_sdk.converter` (the outside oracle) and on its own."""

from __future__ import annotations

import re
from pathlib import Path

from defusedxml import ElementTree

from tests.io.ls_converter import image_tasks, ours, theirs, unzip
from tests.io.test_export_coco import CONFIG


def _read(xml: bytes) -> dict:
    root = ElementTree.fromstring(xml)
    size = root.find("size")
    return {
        "filename": root.findtext("filename"),
        "size": [size.findtext(tag) for tag in ("width", "height", "depth")],
        "objects": [
            [obj.findtext("name"), *(obj.find("bndbox").findtext(t) for t in ("xmin", "ymin", "xmax", "ymax"))]
            for obj in root.iter("object")
        ],
    }


def test_boxes_and_names_match_the_converter(tmp_path: Path) -> None:
    folder = theirs(image_tasks(), "VOC", CONFIG, tmp_path)
    expected = {
        re.sub(r"^[0-9a-f]{8}__", "", p.stem): _read(p.read_bytes()) for p in (folder / "Annotations").glob("*.xml")
    }
    files = unzip(ours(image_tasks(), "VOC", CONFIG))
    got = {name[len("Annotations/") : -len(".xml")]: _read(xml) for name, xml in files.items()}
    assert got.keys() == expected.keys() == {"quokka", "street", "zebra", "two"}
    for name in expected:
        assert got[name]["objects"] == expected[name]["objects"], name
        assert got[name]["size"][:2] == expected[name]["size"][:2]
    assert got["quokka"]["objects"] == [["animal", "148", "50", "550", "642"]]
    assert got["street"]["size"] == ["800", "600", "3"]
    assert got["zebra"]["filename"] == "zebra.png"


def test_text_is_escaped() -> None:
    [task] = image_tasks()[3:4]
    task["annotations"][0]["result"][0]["value"]["rectanglelabels"] = ["<b>&"]
    files = unzip(ours([task], "VOC", CONFIG))
    assert _read(files["Annotations/zebra.xml"])["objects"][0][0] == "<b>&"
