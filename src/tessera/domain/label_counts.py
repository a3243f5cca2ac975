"""How often each value of each control was chosen: the label distribution of a project's dashboard.

Counted controls are those whose answers are a small set of values: option controls (Choices, Taxonomy, Labels
and the region labels), Rating (stars) and Pairwise (the side picked). Free answers (TextArea, Number, DateTime)
and shapes without labels are not counted. A multiple choice counts each chosen option once; a region control
counts each labelled region; a taxonomy path is written "Parent/Child". The database groups the values (see
`services.label_distribution`); this names what to count, expands the groups and shapes the answer.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from tessera.domain.config.model import ControlTag, LabelConfig

VALUE_TYPES = frozenset({"rating", "pairwise"})  # counted by their value; option controls by their labels


def counted_controls(config: LabelConfig) -> list[ControlTag]:
    return [c for c in config.controls.values() if c.label_key or c.result_type in VALUE_TYPES]


def value_key(control: ControlTag) -> str:
    """The key of a result's `value` that holds what is counted: "choices", "labels", "rating"…"""
    key = control.label_key or control.value_key
    assert key is not None
    return key


def as_text(value: Any) -> str | None:
    """A counted value as text: a taxonomy path joined with "/", numbers as written; None for anything else."""
    if isinstance(value, list):
        return "/".join(str(v) for v in value)
    if isinstance(value, bool) or value is None or isinstance(value, dict):
        return None
    return str(value)


class LabelCounts:
    """Counts per control and value, and the result items of each control (an answer, or a region for the
    region controls). `as_list()` gives the config's options first (zero counts included, in config order),
    any other value after them."""

    def __init__(self, config: LabelConfig) -> None:
        self.controls = {c.name: c for c in counted_controls(config)}
        self.counts: dict[str, Counter[str]] = {name: Counter() for name in self.controls}
        self.items: Counter[str] = Counter()

    def add(self, control: str, found: Any, times: int = 1) -> None:
        """`times` result items of `control` whose value held `found` under the control's key."""
        tag = self.controls.get(control)
        if tag is None:
            return
        self.items[control] += times
        if tag.result_type in VALUE_TYPES:
            values = [found]
        else:
            values = found if isinstance(found, list) else []
        for value in values:
            text = as_text(value)
            if text is not None:
                self.counts[control][text] += times

    def as_list(self) -> list[dict[str, Any]]:
        out = []
        for name, control in self.controls.items():
            counts = self.counts[name]
            options = ["/".join(path) for path in control.paths] if control.paths else control.labels
            order = list(dict.fromkeys([*options, *sorted(counts)]))
            if control.result_type == "rating":
                order = sorted(counts, key=lambda v: (len(v), v))
            out.append(
                {
                    "control": name,
                    "type": control.tag,
                    "items": self.items[name],
                    "values": [{"value": v, "count": counts[v]} for v in order],
                }
            )
        return out


def labels_in(result: Any) -> set[str]:
    """The label and choice values in one annotation's result (taxonomy paths as "Parent/Child"): what the
    data manager shows of a task's annotations and filters on."""
    found: set[str] = set()
    for item in result if isinstance(result, list) else []:
        value = item.get("value") if isinstance(item, dict) else None
        chosen = value.get(item.get("type")) if isinstance(value, dict) else None
        if isinstance(chosen, list):
            found.update(text for v in chosen if (text := as_text(v)) is not None)
    return found
