"""The order an annotator was shown compared items in, kept beside the annotation.

Comparison results are stored in the config's terms: a `<Pairwise toName="a,b">` result says "left" for `a`
(the first toName) wherever `a` was drawn on screen, and a `<Ranker>` result lists item ids. To measure and
remove position bias, the editor may show the items in a shuffled order and records what it showed:

    {"pw": ["b", "a"]}           b was drawn on the left
    {"rank": ["r3", "r1", "r2"]} the list started with r3 on top

`compared_items` gives, per comparison control, the items in config order; `check_presentation` accepts a
presentation only when each entry names such a control and is a permutation of its items.
"""

from __future__ import annotations

from typing import Any

from tessera.domain.config.model import LabelConfig
from tessera.domain.errors import InvalidInput

COMPARISON_TAGS = ("Pairwise", "Ranker")


def _list_ids(config: LabelConfig, object_name: str, data: dict[str, Any]) -> list[str]:
    obj = config.objects.get(object_name)
    items = data.get(obj.value_field or "") if obj is not None else None
    if not isinstance(items, list):
        return []
    return [str(item["id"]) for item in items if isinstance(item, dict) and "id" in item]


def compared_items(config: LabelConfig, data: dict[str, Any]) -> dict[str, list[str]]:
    """{control name: its items in config order} for every Pairwise and Ranker of the config."""
    out: dict[str, list[str]] = {}
    for control in config.controls.values():
        if control.tag == "Pairwise":
            out[control.name] = list(control.to_names)
        elif control.tag == "Ranker" and control.to_names:
            out[control.name] = _list_ids(config, control.to_names[0], data)
    return out


def check_presentation(config: LabelConfig, data: dict[str, Any], value: Any) -> dict[str, list[str]] | None:
    """The presentation to store (None for none), or InvalidInput naming the entry at fault."""
    if value is None:
        return None

    def fail(where: str, reason: str) -> InvalidInput:
        message = f"{where}: {reason}"
        return InvalidInput(message, field_errors={"presentation": [message]})

    if not isinstance(value, dict):
        raise fail("presentation", "must be an object mapping a comparison control to the order shown")
    items = compared_items(config, data)
    for name, order in value.items():
        where = f"presentation.{name}"
        if name not in items:
            raise fail(where, "is not a Pairwise or Ranker control of the config")
        if not isinstance(order, list) or not all(isinstance(x, str) for x in order):
            raise fail(where, "must be a list of item names or ids")
        if sorted(order) != sorted(items[name]):
            raise fail(
                where, f"must be an order of {', '.join(items[name]) or 'the task items'}, got {', '.join(order)}"
            )
    return {name: list(order) for name, order in value.items()} or None
