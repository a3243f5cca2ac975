"""Checks of a result item's `value` against its control: required keys, labels, and answers.

Shapes follow Label Studio's result format (see LS_COMPAT.md and `label_studio_sdk.label_interface`).
Geometry and span checks live in `regions`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real
from typing import Any

from tessera.domain.config.model import ControlTag, LabelConfig, ObjectTag
from tessera.domain.config.tags import GEOMETRY_TYPES, LABEL_KEYS
from tessera.domain.errors import ResultError

# Keys a value must have, by result type (for "<shape>labels" types, by shape).
REQUIRED: dict[str, tuple[str, ...]] = {
    "rectangle": ("x", "y", "width", "height"),
    "ocr": ("x", "y", "width", "height"),
    "polygon": ("points",),
    "keypoint": ("x", "y"),
    "ellipse": ("x", "y", "radiusX", "radiusY"),
    "brush": ("rle",),
    "bitmask": ("imageDataURL",),
    "vector": ("vertices",),
    "videorectangle": ("sequence",),
    "videovector": ("sequence",),
    "timeline": ("ranges",),
    "hypertext": ("start", "end"),
    "paragraph": ("start", "end"),
    "timeseries": ("start", "end"),
    "choices": ("choices",),
    "taxonomy": ("taxonomy",),
    "textarea": ("text",),
    "rating": ("rating",),
    "number": ("number",),
    "datetime": ("datetime",),
    "pairwise": ("selected",),
    "ranker": ("ranker",),
}
SPAN_MEDIA = frozenset({"text", "html", "paragraphs", "audio", "timeseries"})


def is_number(x: Any) -> bool:
    """A finite JSON number (not a bool, not NaN or infinity)."""
    return isinstance(x, Real) and not isinstance(x, bool) and math.isfinite(x)


@dataclass
class Check:
    """One result item under check, and where to point when it fails."""

    config: LabelConfig
    control: ControlTag
    obj: ObjectTag | None
    value: dict[str, Any]
    type: str
    data: dict[str, Any] | None
    index: int

    def fail(self, key: str, reason: str) -> ResultError:
        return ResultError(f"result[{self.index}].value.{key}: {reason}", index=self.index)

    @property
    def media(self) -> str:
        return self.obj.media if self.obj is not None else ""


def check_required(check: Check) -> None:
    rtype = check.type
    shape = rtype[: -len("labels")] if rtype.endswith("labels") and rtype != "labels" else rtype
    required = REQUIRED.get(shape, ())
    if rtype == "labels" and check.media in SPAN_MEDIA:
        required = ("start", "end")
    for key in required:
        if key not in check.value:
            raise ResultError(f'result[{check.index}].value: missing "{key}"', index=check.index)
    if shape != rtype and rtype not in check.value and "labels" not in check.value:
        raise ResultError(f'result[{check.index}].value: missing "{rtype}"', index=check.index)


def _allowed_labels(check: Check, key: str) -> list[str] | None:
    """The labels `key` may hold, or None when any label goes (dynamic options, unknown origin)."""
    control = check.control
    own = key == control.label_key or (control.label_key == "labels" and key == check.type)
    if own:
        return None if control.dynamic_labels else control.labels
    siblings = [
        c
        for name in control.to_names
        for c in check.config.controls_of(name)
        if c.label_key == key or (key == "labels" and c.label_key == "labels")
    ]
    if not siblings or any(c.dynamic_labels for c in siblings):
        return None
    return [label for c in siblings for label in c.labels]


def check_labels(check: Check) -> None:
    for key, chosen in check.value.items():
        if key not in LABEL_KEYS or key == "taxonomy":
            continue
        if not isinstance(chosen, list) or not all(isinstance(v, str) for v in chosen):
            raise check.fail(key, "must be a list of strings")
        allowed = _allowed_labels(check, key)
        noun = "choice" if key == "choices" else "label"
        for label in chosen:
            if allowed is not None and label not in allowed:
                raise check.fail(key, f'"{label}" is not a {noun} of "{check.control.name}"')
        if key == "choices" and check.control.result_type == "choices" and not check.control.multiple:
            if len(chosen) > 1:
                raise check.fail(key, f'"{check.control.name}" takes one choice, got {len(chosen)}')


def check_taxonomy(check: Check) -> None:
    paths = check.value.get("taxonomy")
    if not isinstance(paths, list) or not all(
        isinstance(p, list) and p and all(isinstance(v, str) for v in p) for p in paths
    ):
        raise check.fail("taxonomy", "must be a list of paths, each a non-empty list of strings")
    if check.control.dynamic_labels:
        return
    known = set(check.control.paths)
    for path in paths:
        if tuple(path) not in known:
            raise check.fail("taxonomy", f'{path} is not a path of the taxonomy "{check.control.name}"')


def _check_rating(check: Check) -> None:
    rating = check.value["rating"]
    top = _bound(check.control.attrs.get("maxRating")) or 5
    if not is_number(rating) or rating != int(rating):
        raise check.fail("rating", f"must be a whole number, got {rating!r}")
    if not 1 <= rating <= top:
        raise check.fail("rating", f'{rating} is outside 1..{top:g} of "{check.control.name}"')


def _bound(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def _check_number(check: Check) -> None:
    number = check.value["number"]
    if not is_number(number):
        raise check.fail("number", f"must be a number, got {number!r}")
    low, high = _bound(check.control.attrs.get("min")), _bound(check.control.attrs.get("max"))
    if (low is not None and number < low) or (high is not None and number > high):
        limits = f"{'' if low is None else f'{low:g}'}..{'' if high is None else f'{high:g}'}"
        raise check.fail("number", f'{number} is outside {limits} of "{check.control.name}"')


def _check_ranker(check: Check) -> None:
    ranker = check.value["ranker"]
    if not isinstance(ranker, dict) or not all(
        isinstance(ids, list) and all(isinstance(i, str) for i in ids) for ids in ranker.values()
    ):
        raise check.fail("ranker", "must map list or bucket names to lists of item ids")
    items = check.data.get(check.obj.value_field or "") if check.data and check.obj else None
    if isinstance(items, list) and all(isinstance(it, dict) and "id" in it for it in items):
        known = {str(it["id"]) for it in items}
        for bucket, ids in ranker.items():
            for item_id in ids:
                if item_id not in known:
                    raise check.fail(f"ranker.{bucket}", f'"{item_id}" is not an item id of the task')


def check_answer(check: Check) -> None:
    """Checks for controls whose value is an answer rather than labels."""
    kind, value = check.control.result_type, check.value
    if kind == "taxonomy":
        check_taxonomy(check)
    elif kind == "textarea" and not (
        isinstance(value["text"], list) and all(isinstance(t, str) for t in value["text"])
    ):
        raise check.fail("text", "must be a list of strings")
    elif kind == "rating":
        _check_rating(check)
    elif kind == "number":
        _check_number(check)
    elif kind == "datetime" and not (isinstance(value["datetime"], str) and value["datetime"]):
        raise check.fail("datetime", "must be a non-empty string")
    elif kind == "pairwise" and value["selected"] not in ("left", "right"):
        raise check.fail("selected", f'must be "left" or "right", got {value["selected"]!r}')
    elif kind == "ranker":
        _check_ranker(check)


def allowed_types(config: LabelConfig, control: ControlTag) -> set[str]:
    """The result `type`s an item of `control` may carry.

    Its own type; for a shape tool also the labelled form ("rectangle" -> "rectanglelabels") and for a
    labelled shape the bare one (a region whose labels were cleared); for `<Labels>` next to a shape tool on
    the same object, the merged "<shape>labels" form Label Studio writes; MagicWand draws brush regions.
    """
    rtype = control.result_type
    types = {rtype}
    if rtype in GEOMETRY_TYPES:
        types.add(rtype + "labels")
    if rtype.endswith("labels") and rtype[: -len("labels")] in GEOMETRY_TYPES:
        types.add(rtype[: -len("labels")])
    if rtype == "labels":
        for name in control.to_names:
            types |= {c.result_type + "labels" for c in config.controls_of(name) if c.result_type in GEOMETRY_TYPES}
    if rtype == "magicwand":
        types |= {"brush", "brushlabels"}
    return types
