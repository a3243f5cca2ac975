"""Shaping exported tasks into Label Studio's flat rows (JSON_MIN, and the CSV/TSV built on them).

This follows `label_studio_sdk.converter` (2.1.2), which Label Studio's export runs, quirks included:
- one row per annotation that is neither cancelled nor skipped, newest `created_at` first; a task whose
  annotation list is empty gives one row of data alone; a task whose annotations are all cancelled gives none;
  a task without an `annotations` key gives none;
- only results whose `from_name` is a control of the config count (a Repeater's `{{idx}}` names match by
  pattern); with an empty config every result with a `from_name` counts; relations never do;
- a control's values are the result `value`s (plus `original_width/height`), collapsed to a plain string
  when the control is Choices or TextArea and it has one value with one answer;
- `annotator` is `completed_by` (an email when that is an object); JSON_MIN keeps an int id, CSV a string.
The `schema` is the config as `parsed_label_config`: `{control name: {"type": tag, "regex": {...}?, ...}}`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

_COLLAPSED = ("Choices", "TextArea")
_CHAT = ("Chat", "chatmessage")


class Controls:
    """Finds the config control a result's `from_name` belongs to, as the converter does."""

    def __init__(self, schema: Mapping[str, Any] | None = None) -> None:
        self.types: dict[str, str] = {}
        self._patterns: list[tuple[re.Pattern[str], int, str]] = []
        for name, info in (schema or {}).items():
            self.types[name] = info if isinstance(info, str) else info.get("type", "")
            regex = {} if isinstance(info, str) else info.get("regex") or {}
            if regex:
                pattern = name
                for variable, expression in regex.items():
                    pattern = pattern.replace(variable, expression)
                self._patterns.append((re.compile(pattern), len(pattern), name))

    def __bool__(self) -> bool:
        return bool(self.types)

    def match(self, from_name: str) -> str | None:
        """The name of the control `from_name` belongs to: itself, or the longest matching pattern."""
        if from_name in self.types:
            return from_name
        best, best_length = None, 0
        for pattern, length, name in self._patterns:
            if length > best_length and pattern.match(from_name):
                best, best_length = name, length
        return best


@dataclass
class AnnotationRow:
    """One annotation of a task, reduced to what the flat exports show (the converter's "item")."""

    task_id: Any
    data: dict[str, Any]
    outputs: dict[str, list[tuple[str, dict[str, Any]]]]  # control name -> [(tag type, value)]
    completed_by: Any
    annotation_id: Any
    created_at: Any
    updated_at: Any
    lead_time: Any
    history: Any = None
    extra: dict[str, Any] = field(default_factory=dict)  # "agreement", when the task carries it


def _outputs(result: list[Any], controls: Controls) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    outputs: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for item in result:
        from_name = item.get("from_name") if isinstance(item, dict) else None
        if not from_name:
            continue
        control = controls.match(from_name)
        if control is not None:
            tag_type, geometry = controls.types[control], True
        elif item.get("type") == "chatmessage":
            tag_type, geometry = "chatmessage", False
        elif not controls:
            tag_type, geometry = item.get("type") or "unknown", True
        else:
            continue
        value = dict(item.get("value") or {})
        value.pop("type", None)
        if geometry:
            for key in ("original_width", "original_height"):
                if key in item:
                    value[key] = item[key]
        outputs.setdefault(from_name, []).append((tag_type, value))
    return outputs


def _created(annotation: dict[str, Any]) -> str:
    return str(annotation.get("created_at") or "")


def annotation_rows(task: Mapping[str, Any], controls: Controls) -> Iterator[AnnotationRow]:
    """The rows of one exported task (in Label Studio's JSON export shape), in export order."""
    annotations = task.get("annotations", task.get("completions"))
    if annotations is None:
        return
    extra = {"agreement": task["agreement"]} if "agreement" in task else {}
    data = task.get("data") or {}
    if not annotations:
        yield AnnotationRow(task.get("id"), data, {}, {}, None, None, None, None)
        return
    kept = [a for a in annotations if not (a.get("skipped") or a.get("was_cancelled"))]
    for annotation in sorted(kept, key=_created, reverse=True):
        yield AnnotationRow(
            task_id=task.get("id"),
            data=data,
            outputs=_outputs(annotation.get("result") or [], controls),
            completed_by=annotation.get("completed_by", {}),
            annotation_id=annotation.get("id"),
            created_at=annotation.get("created_at"),
            updated_at=annotation.get("updated_at"),
            lead_time=annotation.get("lead_time"),
            history=annotation.get("history"),
            extra=extra,
        )


def prettify(values: list[tuple[str, dict[str, Any]]]) -> Any:
    """A control's values as the flat exports show them (the converter's `prettify_result`)."""
    out: list[Any] = []
    tag_type = None
    for tag_type, value in values:
        answers = value.get(_ANSWER_KEY.get(tag_type, ""))
        if tag_type in _COLLAPSED and isinstance(answers, list) and len(answers) == 1:
            out.append(answers[0])
        elif tag_type in _CHAT:
            out.append(value.get("chatmessage", value))
        else:
            out.append(value)
    return out[0] if tag_type in _COLLAPSED and len(out) == 1 else out


_ANSWER_KEY = {"Choices": "choices", "TextArea": "text"}


def annotator(completed_by: Any, *, int_id: bool) -> Any:
    """The `annotator` cell: an email for a user object, the id (as a string unless `int_id`) otherwise."""
    if isinstance(completed_by, dict):
        return completed_by.get("email")
    if isinstance(completed_by, int) and int_id:
        return completed_by
    return str(completed_by)


def json_min_row(row: AnnotationRow) -> dict[str, Any]:
    """The JSON_MIN object of one row: data keys, `id`, one key per control, then the annotation's fields."""
    record = dict(row.data)
    if row.task_id is not None:
        record["id"] = row.task_id
    for name, values in row.outputs.items():
        record[name] = prettify(values)
    record["annotator"] = annotator(row.completed_by, int_id=True)
    record["annotation_id"] = row.annotation_id
    record["created_at"] = row.created_at
    record["updated_at"] = row.updated_at
    record["lead_time"] = row.lead_time
    record.update(row.extra)
    return record


def json_min_rows(task: Mapping[str, Any], schema: Mapping[str, Any] | Controls | None = None) -> list[dict]:
    """The JSON_MIN objects of one exported task. Build `Controls(schema)` once to reuse over many tasks."""
    controls = schema if isinstance(schema, Controls) else Controls(schema)
    return [json_min_row(row) for row in annotation_rows(task, controls)]
