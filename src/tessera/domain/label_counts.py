"""How often each value of each control was chosen: the label distribution of a project's dashboard.

Counted controls are those whose answers are a small set of values: option controls (Choices, Taxonomy, Labels
and the region labels), Rating (stars) and Pairwise (the side picked). Free answers (TextArea, Number, DateTime)
and shapes without labels are not counted. A multiple choice counts each chosen option once; a region control
counts each labelled region; a taxonomy path is written "Parent/Child".
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from tessera.domain.config.model import ControlTag, LabelConfig

VALUE_TYPES = frozenset({"rating", "pairwise"})  # counted by their value; option controls by their labels


def counted_controls(config: LabelConfig) -> list[ControlTag]:
    return [c for c in config.controls.values() if c.label_key or c.result_type in VALUE_TYPES]


def _as_text(value: Any) -> str | None:
    if isinstance(value, list):
        return "/".join(str(v) for v in value)
    if isinstance(value, bool) or value is None or isinstance(value, dict):
        return None
    return str(value)


class LabelCounts:
    """Feed it results one annotation at a time; `as_list()` is the distribution per control, with the
    config's options first (zero counts included, in config order) and any other value seen after them."""

    def __init__(self, config: LabelConfig) -> None:
        self.controls = {c.name: c for c in counted_controls(config)}
        self.counts: dict[str, Counter[str]] = {name: Counter() for name in self.controls}
        self.annotations: Counter[str] = Counter()

    def add(self, result: Any) -> None:
        if not isinstance(result, list):
            return
        seen: set[str] = set()
        for item in result:
            if not isinstance(item, dict):
                continue
            control = self.controls.get(item.get("from_name"))  # type: ignore[arg-type]
            value = item.get("value")
            if control is None or not isinstance(value, dict):
                continue
            key = control.label_key or control.value_key
            found = value.get(key) if key else None
            if control.result_type in VALUE_TYPES:
                values = [found]
            else:
                values = found if isinstance(found, list) else []
            for one in values:
                text = _as_text(one)
                if text is not None:
                    self.counts[control.name][text] += 1
                    seen.add(control.name)
        self.annotations.update(seen)

    def as_list(self) -> list[dict[str, Any]]:
        out = []
        for name, control in self.controls.items():
            counts = self.counts[name]
            order = list(dict.fromkeys([*control.labels, *sorted(counts)]))
            if control.result_type == "rating" and not control.labels:
                order = sorted(counts, key=lambda v: (len(v), v))
            out.append(
                {
                    "control": name,
                    "type": control.tag,
                    "annotations": self.annotations[name],
                    "values": [{"value": v, "count": counts[v]} for v in order],
                }
            )
        return out
