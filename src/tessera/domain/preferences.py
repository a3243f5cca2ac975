"""Comparisons in a labeling config and in annotation results: who was preferred to whom.

Pure functions over a parsed `LabelConfig`, a task's `data` and an annotation's `result`. A comparison
control is one of:
- `<Pairwise toName="a,b">`: `{"selected": "left"}` means the first toName won, `"right"` the second. A
  missing item or selection, or a tie option chosen in a tie Choices (below), is a tie.
- `<Ranker toName="list">` over `<List value="$items">` with items `{id, title?, body}`: without buckets the
  value's one list is the ranking, best first; with `<Bucket>`s each bucket is a tier of tied items, in config
  order best to worst, except that buckets named like a negative verdict (see `NEGATIVE`) come after the
  others (still in config order among themselves). Items left in the unsorted column (`_`) are not compared.
- a "choice of reply" `<Choices>`: a single-choice control of which two or more options name a reply object,
  by its name or its data field (`answer1`, "Answer 1"...), or, with exactly two reply objects besides the
  control's own toName, by position words (left/right, a/b, 1/2, one/two, first/second, optionally after
  "answer", "response", "reply", "option"). The chosen reply beats every other; a tie option is a tie.
A tie Choices is any Choices with an option in `TIE_WORDS`: it marks a tie for the Pairwise controls that
share a toName with it, or for the config's only Pairwise. A chosen tie option wins over a Pairwise selection.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tessera.domain.config.model import ControlTag, LabelConfig

TIE_WORDS = frozenset({"tie", "equal", "equally good", "equally bad", "same", "both", "neither", "no preference"})
NEGATIVE = re.compile(r"worst|worse|reject|bad|irrelevant|wrong|unsafe|harmful|biased|negative|poor", re.I)
_POSITION = re.compile(
    r"^(?:answer|response|reply|option|model|completion)?\s*(left|right|a|b|1|2|one|two|first|second)$"
)
_FIRST = {"left", "a", "1", "one", "first"}
UNSORTED = "_"


def norm(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", " ", text.lower()).strip()


def is_tie(value: str) -> bool:
    return norm(value) in TIE_WORDS


@dataclass(frozen=True)
class ComparisonControl:
    """A control that compares replies: `kind` is "pairwise" (Pairwise), "choice" (a choice of reply) or
    "ranking" (Ranker). `objects` are the compared objects in config order (the List for a ranking);
    `options` maps a Choices option to the object it names; `tie_controls` the tie Choices of a Pairwise."""

    name: str
    kind: str
    objects: tuple[str, ...]
    options: dict[str, str | None]
    tie_controls: tuple[str, ...] = ()
    buckets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comparison:
    """One annotation's verdict on one control: `replies` maps a reply key (object name or item id) to its
    content, in config order; `tiers` are the keys ranked best first, a tier's keys tied."""

    control: str
    kind: str
    replies: dict[str, Any]
    tiers: tuple[tuple[str, ...], ...]

    def pairs(self) -> Iterator[tuple[str, str, int]]:
        """(chosen key, rejected key, margin in tiers) for every ordered pair across tiers; ties give none."""
        for i, better in enumerate(self.tiers):
            for j in range(i + 1, len(self.tiers)):
                for chosen in better:
                    for rejected in self.tiers[j]:
                        yield chosen, rejected, j - i

    @property
    def is_tie(self) -> bool:
        return len(self.tiers) < 2


def _reply_options(config: LabelConfig, control: ControlTag) -> dict[str, str | None] | None:
    """Option -> reply object (None for a tie option) when `control` is a choice of reply, else None."""
    if control.tag.lower() != "choices" or control.multiple or control.dynamic_labels:
        return None
    by_key: dict[str, str] = {}
    for obj in config.objects.values():
        for key in (obj.name, obj.value_field):
            if key:
                by_key.setdefault(norm(key), obj.name)
    options: dict[str, str | None] = {}
    for label in control.labels:
        if is_tie(label):
            options[label] = None
        elif norm(label) in by_key and by_key[norm(label)] not in control.to_names:
            options[label] = by_key[norm(label)]
    if len({o for o in options.values() if o}) >= 2:
        return options
    others = [o.name for o in config.objects.values() if o.name not in control.to_names and o.value_field]
    positions = {label: _POSITION.match(norm(label)) for label in control.labels if not is_tie(label)}
    if len(others) != 2 or len(positions) != 2 or not all(positions.values()):
        return None
    firsts = [label for label, m in positions.items() if m and m.group(1) in _FIRST]
    if len(firsts) != 1:
        return None
    options = {label: None for label in control.labels if is_tie(label)}
    for label in positions:
        options[label] = others[0] if label in firsts else others[1]
    return options


def comparison_controls(config: LabelConfig) -> list[ComparisonControl]:
    """The config's comparison controls, in document order."""
    found: list[ComparisonControl] = []
    tie_choices = [c for c in config.controls.values() if c.tag.lower() == "choices" and any(map(is_tie, c.labels))]
    pairwise = [c for c in config.controls.values() if c.tag.lower() == "pairwise" and len(c.to_names) == 2]
    for control in config.controls.values():
        tag = control.tag.lower()
        if tag == "pairwise" and len(control.to_names) == 2:
            ties = tuple(t.name for t in tie_choices if set(t.to_names) & set(control.to_names) or len(pairwise) == 1)
            found.append(ComparisonControl(control.name, "pairwise", tuple(control.to_names), {}, ties))
        elif tag == "ranker" and len(control.to_names) == 1:
            buckets = [b for b in control.buckets if not NEGATIVE.search(b)]
            buckets += [b for b in control.buckets if NEGATIVE.search(b)]
            found.append(ComparisonControl(control.name, "ranking", tuple(control.to_names), {}, (), tuple(buckets)))
        else:
            options = _reply_options(config, control)
            if options is not None:
                objects = tuple(dict.fromkeys(o for o in options.values() if o))
                found.append(ComparisonControl(control.name, "choice", objects, options))
    return found


def compared_fields(config: LabelConfig, controls: list[ComparisonControl]) -> set[str]:
    fields = set()
    for control in controls:
        for name in control.objects:
            obj = config.objects.get(name)
            if obj is not None and obj.value_field:
                fields.add(obj.value_field)
    return fields


def _items(result: list[Any] | None, control: str) -> list[dict[str, Any]]:
    return [r for r in result or [] if isinstance(r, dict) and r.get("from_name") == control]


def _choices(result: list[Any] | None, control: str) -> list[str]:
    chosen: list[str] = []
    for item in _items(result, control):
        values = (item.get("value") or {}).get("choices") or []
        chosen += [v for v in values if isinstance(v, str)]
    return chosen


def list_items(config: LabelConfig, object_name: str, data: dict[str, Any]) -> dict[str, Any]:
    """A List object's items: {id: body (or title, or the item)}, in data order."""
    obj = config.objects.get(object_name)
    raw = data.get(obj.value_field) if obj is not None and obj.value_field else None
    items: dict[str, Any] = {}
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict) and item.get("id") is not None:
            body = next((item[k] for k in ("body", "html", "title") if item.get(k) is not None), item)
            items[str(item["id"])] = body
    return items


def _ranking_tiers(control: ComparisonControl, value: Any, known: dict[str, Any]) -> tuple[tuple[str, ...], ...]:
    ranker = value.get("ranker") if isinstance(value, dict) else None
    if not isinstance(ranker, dict):
        return ()
    if control.buckets:
        lists = [ranker.get(b) for b in control.buckets]
        lists += [v for k, v in ranker.items() if k not in control.buckets and k != UNSORTED]
        tiers = [tuple(str(i) for i in ids if str(i) in known) for ids in lists if isinstance(ids, list)]
    else:
        lists = [v for k, v in ranker.items() if k != UNSORTED and isinstance(v, list)]
        tiers = [(str(i),) for i in lists[0] if str(i) in known] if len(lists) == 1 else []
    seen: set[str] = set()
    unique = []
    for tier in tiers:
        kept = tuple(k for k in dict.fromkeys(tier) if k not in seen)
        seen.update(kept)
        if kept:
            unique.append(kept)
    return tuple(unique)


def extract(
    config: LabelConfig, control: ComparisonControl, data: dict[str, Any], result: list[Any] | None
) -> Comparison | None:
    """This annotation's verdict on `control`; None when the annotation says nothing a comparison can use
    (a Ranker with no result, a choice of reply with no choice, a reply missing from the data)."""
    if control.kind == "ranking":
        replies = list_items(config, control.objects[0], data)
        items = _items(result, control.name)
        tiers = _ranking_tiers(control, items[0].get("value"), replies) if items else ()
        return Comparison(control.name, control.kind, replies, tiers) if tiers else None
    replies = {}
    for name in control.objects:
        obj = config.objects[name]
        replies[name] = data.get(obj.value_field) if obj.value_field else obj.value
    if control.kind == "choice":
        chosen = [c for c in _choices(result, control.name) if c in control.options]
        if not chosen:
            return None
        winner = control.options[chosen[0]]
        if winner is None:
            return Comparison(control.name, control.kind, replies, (tuple(replies),))
        rest = tuple(k for k in replies if k != winner)
        return Comparison(control.name, control.kind, replies, ((winner,), rest))
    first, second = control.objects
    tied = any(is_tie(c) for t in control.tie_controls for c in _choices(result, t))
    selected = None
    for item in _items(result, control.name):
        selected = (item.get("value") or {}).get("selected")
    if tied or selected not in ("left", "right"):
        return Comparison(control.name, control.kind, replies, ((first, second),))
    tiers = ((first,), (second,)) if selected == "left" else ((second,), (first,))
    return Comparison(control.name, control.kind, replies, tiers)
