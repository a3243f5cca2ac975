"""What each control's answer is, for comparing annotators: one comparable value per annotation.

A control falls into one family, which decides the metrics it gets:
- categorical (Choices, Taxonomy, Pairwise): nominal answers. Several choices, or several taxonomy paths,
  form one answer compared as a set.
- numeric (Rating, Number): numbers, so ordinal and interval alpha too.
- text (TextArea, DateTime): exact answers (TextArea's lines with outer spaces removed); percent only.
- spans (Labels on a Text object): [start, end) regions with labels.
- boxes (RectangleLabels, Rectangle): x, y, width, height regions in percent, with labels.
- ranking (Ranker): the order of the items.
A categorical, numeric or text control with no answer in an annotation is missing for that annotation (left
out, as alpha allows); a region control with no region is an answer: "nothing to mark here".
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from tessera.domain.agreement.regions import Region
from tessera.domain.config.model import ControlTag, LabelConfig
from tessera.domain.config.values import is_number

CATEGORICAL, NUMERIC, TEXT, SPANS, BOXES, RANKING = "categorical", "numeric", "text", "spans", "boxes", "ranking"
REGION_FAMILIES = frozenset({SPANS, BOXES})
BY_TYPE = {
    "choices": CATEGORICAL,
    "taxonomy": CATEGORICAL,
    "pairwise": CATEGORICAL,
    "rating": NUMERIC,
    "number": NUMERIC,
    "textarea": TEXT,
    "datetime": TEXT,
    "rectanglelabels": BOXES,
    "rectangle": BOXES,
    "ranker": RANKING,
}


@dataclass(frozen=True)
class ControlFamily:
    """A control and its family, or the reason its answers are not compared."""

    name: str
    type: str
    family: str | None
    reason: str | None = None


def family_of(config: LabelConfig, control: ControlTag) -> ControlFamily:
    rtype = control.result_type
    if control.attrs.get("perRegion", "").lower() == "true":
        return ControlFamily(control.name, rtype, None, "per-region answers are not compared yet")
    if rtype == "labels":
        media = {config.objects[n].media for n in control.to_names if n in config.objects}
        if media == {"text"}:
            return ControlFamily(control.name, rtype, SPANS)
        return ControlFamily(control.name, rtype, None, "only labels on a Text object are compared as spans")
    family = BY_TYPE.get(rtype)
    if family is None:
        return ControlFamily(control.name, rtype, None, f"{control.tag} answers are not compared yet")
    return ControlFamily(control.name, rtype, family)


def control_families(config: LabelConfig) -> dict[str, ControlFamily]:
    return {name: family_of(config, control) for name, control in config.controls.items()}


def answers_of(config: LabelConfig, families: dict[str, ControlFamily], result: Any) -> dict[str, Any]:
    """Each compared control's answer in one annotation's result; region controls always have one (a list).

    Items that do not fit (unknown control, wrong shape: results written under an older config) are skipped.
    """
    return AnswerReader(config, families).read(result)


class AnswerReader:
    """`answers_of` for many results of one config: what each control name stands for is looked up once, and
    span label lists are turned into label sets once per distinct list. A report over a whole project reads
    every annotation through one reader, hence the plain loops."""

    def __init__(self, config: LabelConfig, families: dict[str, ControlFamily]) -> None:
        self.regions = [name for name, f in families.items() if f.family in REGION_FAMILIES]
        self.kinds = {
            name: (f.family, f, config.controls[name]) for name, f in families.items() if f.family is not None
        }
        self.label_sets: dict[tuple[Any, ...], frozenset[str]] = {}
        self.choice_sets: dict[tuple[str, ...], frozenset[str]] = {}

    def read(self, result: Any) -> dict[str, Any]:
        by_control: dict[str, dict[int, Any]] = {name: {} for name in self.kinds}
        self.read_into(result, 0, by_control)
        return {name: answers[0] for name, answers in by_control.items() if answers}

    def read_into(self, result: Any, annotator: int, by_control: dict[str, dict[int, Any]]) -> None:
        """Put the result's answers in `by_control[control][annotator]`, for the controls `by_control` has."""
        for name in self.regions:
            answers = by_control.get(name)
            if answers is not None:
                answers[annotator] = []
        if type(result) is not list:
            return
        kinds = self.kinds
        for item in result:
            if type(item) is not dict:
                continue
            entry = kinds.get(item.get("from_name"))  # type: ignore[arg-type]
            value = item.get("value")
            if entry is None or type(value) is not dict:
                continue
            kind, family, control = entry
            answers = by_control.get(family.name)
            if answers is None:
                continue
            if kind == SPANS:
                region = self._span(value)
            elif kind == BOXES:
                region = _region(kind, value, item)
            elif annotator in answers:
                continue
            else:
                answer = self._choices(value) if family.type == "choices" else _answer(control, family, value)
                if answer is not None:
                    answers[annotator] = answer
                continue
            if region is not None:
                answers[annotator].append(region)

    def _choices(self, value: dict[str, Any]) -> frozenset[str] | None:
        """`_answer` for Choices, with the set of a list of names seen before taken from `choice_sets`. Only
        lists of strings are kept there (a string equals nothing but a string, so no other list hits them)."""
        chosen = value.get("choices")
        if type(chosen) is not list or not chosen:
            return None
        key = tuple(chosen)
        try:
            answer = self.choice_sets.get(key)
        except TypeError:  # an unhashable item
            answer = None
        if answer is None:
            answer = frozenset(str(c) for c in chosen)
            if all(type(c) is str for c in chosen):
                self.choice_sets[key] = answer
        return answer

    def _span(self, value: dict[str, Any]) -> Region | None:
        """`_span`, with the label set of a list of names seen before taken from `label_sets`."""
        start, end, labels = value.get("start"), value.get("end"), value.get("labels")
        if type(start) is not int or type(end) is not int or type(labels) is not list:
            return _span(value)
        key = tuple(labels)
        try:
            names = self.label_sets.get(key)
        except TypeError:  # an unhashable item
            return _span(value)
        if names is None:
            names = self.label_sets[key] = _label_set(labels)
        return Region(names, (start, end))


def _span(value: dict[str, Any]) -> Region | None:
    """`_region` for spans, the most common region: exact int offsets first (what editors write)."""
    start, end = value.get("start"), value.get("end")
    if not (type(start) is int and type(end) is int) and not (_finite(start) and _finite(end)):
        return None
    labels = value.get("labels")
    if type(labels) is not list:
        return Region(_labels(value), (start, end))
    return Region(_label_set(labels), (start, end))


def _label_set(labels: list[Any]) -> frozenset[str]:
    """A list of label names as a set; empty when an item is not a name."""
    try:
        names = frozenset(labels)
    except TypeError:  # an unhashable item: not a list of label names
        return frozenset()
    return names if all(type(v) is str for v in names) else frozenset()


def _finite(x: Any) -> bool:
    """`is_number` for the hot path: exact int and float types first, the general check only otherwise."""
    kind = type(x)
    if kind is int:
        return True
    if kind is float:
        return x - x == 0  # false for NaN and infinities
    return is_number(x)


def _labels(value: dict[str, Any]) -> frozenset[str]:
    labels = value.get("labels")
    if labels is None:
        labels = value.get("rectanglelabels")
    return frozenset(labels) if type(labels) is list and all(type(v) is str for v in labels) else frozenset()


def _region(family: str, value: dict[str, Any], item: dict[str, Any]) -> Region | None:
    if family == SPANS:
        geometry: tuple[Any, ...] = (value.get("start"), value.get("end"))
    else:
        geometry = (value.get("x"), value.get("y"), value.get("width"), value.get("height"))
    for v in geometry:
        if not _finite(v):
            return None
    if family == BOXES:
        rotation = value.get("rotation") or 0
        size = (item.get("original_width"), item.get("original_height"))
        if not _finite(rotation):
            return None
        geometry += (rotation, *size) if all(_finite(v) and v > 0 for v in size) else (rotation,)
    return Region(_labels(value), geometry)


def _answer(control: ControlTag, family: ControlFamily, value: dict[str, Any]) -> Hashable | None:
    rtype = family.type
    if rtype == "choices":
        chosen = value.get("choices")
        return frozenset(str(c) for c in chosen) if isinstance(chosen, list) and chosen else None
    if rtype == "taxonomy":
        paths = value.get("taxonomy")
        if not isinstance(paths, list) or not paths:
            return None
        return frozenset(tuple(str(p) for p in path) for path in paths if isinstance(path, list))
    if rtype == "pairwise":
        return value.get("selected") if value.get("selected") in ("left", "right") else None
    if family.family == NUMERIC:
        number = value.get(rtype)
        return number if is_number(number) else None
    if rtype == "textarea":
        lines = value.get("text")
        return tuple(str(t).strip() for t in lines) if isinstance(lines, list) and lines else None
    if rtype == "datetime":
        return value.get("datetime") if isinstance(value.get("datetime"), str) else None
    if rtype == "ranker":
        return _ranks(control, value.get("ranker"))
    return None


def _ranks(control: ControlTag, ranker: Any) -> tuple[tuple[str, int], ...] | None:
    """Item -> position in the order: the lists of the config's buckets one after the other (items left in
    the source list are unranked), or the one list of a bucket-less Ranker."""
    if not isinstance(ranker, dict):
        return None
    if control.buckets:
        lists = [ranker.get(b) for b in control.buckets]
    else:
        lists = [ranker.get(control.name, next(iter(ranker.values()), None))]
    order = [str(i) for ids in lists if isinstance(ids, list) for i in ids]
    if not order:
        return None
    return tuple((item, position) for position, item in enumerate(order))


def display(answer: Any) -> Any:
    """An answer in JSON terms (sets as sorted lists, taxonomy paths as lists), for per-task output."""
    if isinstance(answer, frozenset):
        return sorted(list(a) if isinstance(a, tuple) else a for a in answer)
    if isinstance(answer, tuple):
        return list(answer)
    return answer
