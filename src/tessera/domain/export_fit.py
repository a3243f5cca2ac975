"""Which export formats fit a labeling config, decided as Label Studio's converter decides it.

`GET /api/projects/{id}/export/formats` marks the formats that do not fit as `disabled`, the way Label Studio
does, so that a client offers only files that would carry the project's labels. `schema` is the config's
`parsed_label_config`: {control name: {"type", "inputs": [{"type", "value"}], "labels", ...}}.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ALWAYS = frozenset({"JSON", "JSON_MIN", "CSV", "TSV", "JSONL", "PARQUET", "HF_DATASET"})
_REGIONS = ("RectangleLabels", "PolygonLabels", "KeyPointLabels")
_PLAIN_REGIONS = ("Rectangle", "Polygon", "KeyPoint")


@dataclass(frozen=True)
class ConfigShape:
    """What the format rules look at: the control and object tag types, the data keys, multi-image objects."""

    outputs: frozenset[str]
    inputs: frozenset[str]
    data_keys: frozenset[str]
    multi_image: bool

    @classmethod
    def of(cls, schema: Mapping[str, Any] | None) -> ConfigShape:
        outputs, inputs, keys, multi = set(), set(), set(), False
        for info in (schema or {}).values():
            if not isinstance(info, Mapping):
                continue
            outputs.add(info.get("type", ""))
            for tag in info.get("inputs") or []:
                multi = multi or bool(tag.get("valueList"))
                keys.update(tag[k] for k in ("value", "valueList") if tag.get(k))
                if not (tag.get("type") == "Text" and tag.get("valueType") == "url"):
                    inputs.add(tag.get("type", ""))
        return cls(frozenset(outputs), frozenset(inputs), frozenset(keys), multi)


def _image_regions(shape: ConfigShape) -> bool:
    if shape.multi_image:
        return False
    labelled = "Image" in shape.inputs and any(t in shape.outputs for t in _REGIONS)
    plain = "Labels" in shape.outputs and any(t in shape.outputs for t in _PLAIN_REGIONS)
    if "KeyPointLabels" in shape.outputs and "RectangleLabels" not in shape.outputs:
        return False  # COCO and YOLO take their categories from the rectangles
    return labelled or plain


def _boxes(shape: ConfigShape) -> bool:
    boxes = "RectangleLabels" in shape.outputs or {"Rectangle", "Labels"} <= shape.outputs
    return not shape.multi_image and "Image" in shape.inputs and boxes


def _spans(shape: ConfigShape) -> bool:
    return "Text" in shape.inputs and "Labels" in shape.outputs


RULES = {"COCO": _image_regions, "YOLO": _image_regions, "VOC": _boxes, "CONLL2003": _spans, "SPACY": _spans}


def fitting_formats(schema: Mapping[str, Any] | None, names: list[str]) -> set[str]:
    """The names among `names` whose files can carry this config's labels."""
    shape = ConfigShape.of(schema)
    if len(shape.data_keys) > 1:  # one object to label per task, or the flat formats only
        return {name for name in names if name in ALWAYS}
    return {name for name in names if name in ALWAYS or (name in RULES and RULES[name](shape))}
