"""Which export formats fit a labeling config, decided as Label Studio's converter decides it.

`GET /api/projects/{id}/export/formats` marks the formats that do not fit as `disabled`, the way Label Studio
does, so that a client offers only files that would carry the project's labels. `schema` is the config's
`parsed_label_config`: {control name: {"type", "inputs": [{"type", "value"}], "labels", ...}}.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tessera.domain.config.model import LabelConfig
from tessera.domain.preference_prompt import rewrite_controls
from tessera.domain.preference_rows import judgement_controls
from tessera.domain.preferences import comparison_controls

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


def preference_formats(config: LabelConfig | None) -> set[str]:
    """The training-data formats a config can fill: pairs from a comparison (Pairwise, Ranker, a choice of
    reply), KTO labels from a comparison or a good/bad judgement, SFT from a comparison or a rewrite."""
    if config is None:
        return set()
    compares = bool(comparison_controls(config))
    fits = {"DPO_JSONL", "REWARD_PAIRS_JSONL"} if compares else set()
    if compares or judgement_controls(config):
        fits.add("KTO_JSONL")
    if compares or rewrite_controls(config):
        fits.add("SFT_JSONL")
    return fits


def fitting_formats(schema: Mapping[str, Any] | None, names: list[str], config: LabelConfig | None = None) -> set[str]:
    """The names among `names` whose files can carry this config's labels (the preference formats only
    when the parsed `config` is given)."""
    shape = ConfigShape.of(schema)
    preference = preference_formats(config)
    if len(shape.data_keys) > 1:  # one object to label per task, or the flat formats only
        return {name for name in names if name in ALWAYS or name in preference}
    rules = {name for name in names if name in RULES and RULES[name](shape)}
    return {name for name in names if name in ALWAYS or name in preference} | rules
