"""`validate_result`: does an annotation's or prediction's `result` list fit the labeling config?

Each item is checked in turn and the first problem raises a `ResultError` whose message starts with the
item's place and field, e.g. `result[2].value.choices: "Maybe" is not a choice of "sentiment"`.
"""

from __future__ import annotations

from typing import Any

from tessera.domain.config import regions, values
from tessera.domain.config.model import ControlTag, LabelConfig
from tessera.domain.errors import ResultError

_REQUIRED = ("from_name", "to_name", "type", "value")
_DIRECTIONS = ("left", "right", "bi")


def validate_result(config: LabelConfig, result: list, data: dict | None = None) -> None:
    """Raise ResultError(index=i) for the first item of `result` that does not fit `config`.

    `data` is the task's data; when given, text spans are checked against the text they point into and
    ranker item ids against the task's list items.
    """
    if not isinstance(result, list):
        raise ResultError(f"result must be a list of result items, not {type(result).__name__}")
    added = _added_messages(result)
    region_ids = {
        str(item["id"])
        for item in result
        if isinstance(item, dict) and item.get("type") != "relation" and item.get("id") is not None
    }
    for index, item in enumerate(result):
        if not isinstance(item, dict):
            raise ResultError(f"result[{index}]: must be an object, not {type(item).__name__}", index=index)
        if item.get("type") == "relation":
            _check_relation(config, item, index, region_ids)
        else:
            _check_item(config, item, index, data)
            _check_message_index(config, item, index, data, added)


def _fail(index: int, key: str, reason: str) -> ResultError:
    return ResultError(f"result[{index}].{key}: {reason}", index=index)


def _check_relation(config: LabelConfig, item: dict[str, Any], index: int, region_ids: set[str]) -> None:
    for key in ("from_id", "to_id"):
        if key not in item:
            raise ResultError(f'result[{index}]: a relation needs "{key}"', index=index)
        if str(item[key]) not in region_ids:
            raise _fail(index, key, f'no region with id "{item[key]}" in this result')
    if "direction" in item and item["direction"] not in _DIRECTIONS:
        raise _fail(index, "direction", f'must be "left", "right" or "bi", got {item["direction"]!r}')
    labels = item.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise _fail(index, "labels", "must be a list of strings")
    for label in labels:
        if label not in config.relation_labels:
            raise _fail(index, "labels", f'"{label}" is not a <Relation> of the config')


def _check_chat_message(item: dict[str, Any], index: int) -> None:
    """A message added to a `<Chat>`: from_name == to_name == the Chat's name, type "chatmessage"."""
    message = item["value"].get("chatmessage") if isinstance(item["value"], dict) else None
    if not isinstance(message, dict) or not all(isinstance(message.get(k), str) for k in ("role", "content")):
        raise _fail(index, "value.chatmessage", "must be an object with string role and content")


def _added_messages(result: list) -> dict[str, list[str]]:
    """The ids of the messages each `<Chat>` gained in this result, in order."""
    added: dict[str, list[str]] = {}
    for item in result if isinstance(result, list) else []:
        if isinstance(item, dict) and item.get("type") == "chatmessage" and isinstance(item.get("from_name"), str):
            added.setdefault(item["from_name"], []).append(str(item.get("id")))
    return added


def _check_message_index(
    config: LabelConfig, item: dict[str, Any], index: int, data: dict | None, added: dict[str, list[str]]
) -> None:
    """A per-message answer on a `<Chat>` (perRegion control): the region is the message, named by the item's
    `id` and `value.messageIndex`, its place in the conversation (the task's messages, then the added ones)."""
    value = item.get("value")
    if not isinstance(value, dict) or "messageIndex" not in value:
        return
    obj = config.objects.get(str(item.get("to_name")).split(",")[0])
    if obj is None or obj.media != "chat":
        raise _fail(index, "value.messageIndex", "only answers about a <Chat> message have a messageIndex")
    at = value["messageIndex"]
    if not isinstance(at, int) or isinstance(at, bool) or at < 0:
        raise _fail(index, "value.messageIndex", f"must be a message index (an integer >= 0), got {at!r}")
    if data is None or obj.value_field is None or obj.value != f"${obj.value_field}":
        return
    shown = data.get(obj.value_field)
    from_task = sum(isinstance(m, dict) for m in shown) if isinstance(shown, list) else 0
    mine = added.get(obj.name, [])
    if at >= from_task + len(mine):
        raise _fail(index, "value.messageIndex", f"{at} is past the last message ({from_task + len(mine)} messages)")
    if at >= from_task and str(item.get("id")) != mine[at - from_task]:
        raise _fail(index, "id", f"must be the id of the message it answers ({mine[at - from_task]!r})")


def _to_names(config: LabelConfig, control: ControlTag) -> set[str]:
    """Accepted `to_name`s: any of the control's toNames, or all of them joined ("a,b", as Pairwise)."""
    if not control.to_names:  # a free-standing control (no toName): any object, or itself
        return {control.name, *config.objects}
    names = {*control.to_names, ",".join(control.to_names)}
    if control.result_type == "pairwise":
        names.add(control.name)  # label_studio_sdk writes Pairwise regions with to_name == from_name
    return names


def _check_item(config: LabelConfig, item: dict[str, Any], index: int, data: dict | None) -> None:
    for key in _REQUIRED:
        if key not in item:
            raise ResultError(f'result[{index}]: missing "{key}"', index=index)
    from_name, to_name, rtype = item["from_name"], item["to_name"], item["type"]
    if not isinstance(rtype, str):
        raise _fail(index, "type", f"must be a string, got {rtype!r}")
    rtype = rtype.lower()
    control = config.controls.get(from_name) if isinstance(from_name, str) else None
    if control is None:
        chat = config.objects.get(from_name) if isinstance(from_name, str) else None
        if chat is not None and chat.media == "chat" and rtype == "chatmessage" and to_name == from_name:
            return _check_chat_message(item, index)
        raise _fail(index, "from_name", f'"{from_name}" is not a control tag of the config')
    if not isinstance(to_name, str) or to_name not in _to_names(config, control):
        expected = ", ".join(f'"{n}"' for n in control.to_names)
        raise _fail(index, "to_name", f'"{to_name}" is not a toName of "{from_name}" (expected {expected})')
    allowed = values.allowed_types(config, control)
    if rtype not in allowed:
        expected = ", ".join(f'"{t}"' for t in sorted(allowed))
        raise _fail(index, "type", f'"{item["type"]}" does not fit <{control.tag}> "{from_name}" ({expected})')
    if not isinstance(item["value"], dict):
        raise _fail(index, "value", "must be an object")
    obj = config.objects.get(str(to_name).split(",")[0])
    check = values.Check(config, control, obj, item["value"], rtype, data, index)
    values.check_required(check)
    values.check_labels(check)
    values.check_answer(check)
    regions.check_geometry(check)
    regions.check_span(check)
    regions.check_ranges(check)
