"""JSON_MIN row shaping (`tessera.domain.export_rows`), against Label Studio's recorded export."""

from __future__ import annotations

import json
from typing import Any

from tessera.domain.export_rows import Controls, json_min_rows
from tests.io.conftest import SAMPLES


def _task(*annotations: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": 7, "data": {"text": "hello"}, "annotations": list(annotations), **extra}


def _annotation(id_: int, result: list[dict], **extra: Any) -> dict[str, Any]:
    base = {"id": id_, "completed_by": 3, "result": result, "was_cancelled": False, "lead_time": 1.5}
    return {**base, "created_at": f"2024-01-0{id_}T00:00:00Z", "updated_at": "u", **extra}


def _choice(name: str, *choices: str) -> dict[str, Any]:
    return {"from_name": name, "to_name": "text", "type": "choices", "value": {"choices": list(choices)}}


SCHEMA = {"label": {"type": "Choices"}, "note": {"type": "TextArea"}, "ner": {"type": "Labels"}}


def test_the_recorded_all_tags_export(all_tags_tasks: list[dict], all_tags_schema: dict) -> None:
    expected = json.loads((SAMPLES / "all_tags_export_JSON_MIN.json").read_bytes())
    controls = Controls(all_tags_schema)
    assert [row for task in all_tags_tasks for row in json_min_rows(task, controls)] == expected


def test_row_layout_and_key_order() -> None:
    task = _task(_annotation(1, [_choice("label", "Pos")]))
    [row] = json_min_rows(task, SCHEMA)
    assert list(row.items()) == [
        ("text", "hello"),
        ("id", 7),
        ("label", "Pos"),
        ("annotator", 3),
        ("annotation_id", 1),
        ("created_at", "2024-01-01T00:00:00Z"),
        ("updated_at", "u"),
        ("lead_time", 1.5),
    ]


def test_a_task_without_annotations_gives_its_data_alone() -> None:
    assert json_min_rows(_task(), SCHEMA) == [
        {
            "text": "hello",
            "id": 7,
            "annotator": None,
            "annotation_id": None,
            "created_at": None,
            "updated_at": None,
            "lead_time": None,
        }
    ]


def test_cancelled_and_skipped_annotations_are_dropped_and_all_cancelled_gives_nothing() -> None:
    cancelled = _annotation(1, [_choice("label", "A")], was_cancelled=True)
    skipped = _annotation(2, [_choice("label", "B")], skipped=True)
    assert json_min_rows(_task(cancelled, skipped), SCHEMA) == []
    rows = json_min_rows(_task(cancelled, _annotation(3, [_choice("label", "C")])), SCHEMA)
    assert [row["annotation_id"] for row in rows] == [3]


def test_no_annotations_key_gives_nothing() -> None:
    assert json_min_rows({"id": 1, "data": {"text": "x"}}, SCHEMA) == []


def test_newest_annotation_first() -> None:
    rows = json_min_rows(_task(_annotation(1, []), _annotation(3, []), _annotation(2, [])), SCHEMA)
    assert [row["annotation_id"] for row in rows] == [3, 2, 1]


def test_collapsing_choices_and_textarea() -> None:
    text = {"from_name": "note", "to_name": "text", "type": "textarea", "value": {"text": ["one"]}}
    two_texts = {**text, "value": {"text": ["one", "two"]}}
    [row] = json_min_rows(_task(_annotation(1, [_choice("label", "A", "B"), text])), SCHEMA)
    assert row["label"] == {"choices": ["A", "B"]} and row["note"] == "one"
    [row] = json_min_rows(_task(_annotation(1, [_choice("label", "A"), _choice("label", "B"), two_texts])), SCHEMA)
    assert row["label"] == ["A", "B"] and row["note"] == {"text": ["one", "two"]}


def test_results_outside_the_config_are_ignored_unless_the_config_is_empty() -> None:
    result = [
        _choice("label", "A"),
        _choice("unknown", "B"),
        {"from_id": "a", "to_id": "b", "type": "relation", "direction": "right", "labels": []},
    ]
    [row] = json_min_rows(_task(_annotation(1, result)), SCHEMA)
    assert "unknown" not in row and row["label"] == "A"
    [row] = json_min_rows(_task(_annotation(1, result)), None)  # empty config: keep every named result
    assert row["label"] == [{"choices": ["A"]}] and row["unknown"] == [{"choices": ["B"]}]


def test_repeater_names_match_by_pattern() -> None:
    schema = {"answer_{{idx}}": {"type": "Choices", "regex": {"{{idx}}": ".*"}}}
    [row] = json_min_rows(_task(_annotation(1, [_choice("answer_0", "A"), _choice("answer_1", "B")])), schema)
    assert row["answer_0"] == "A" and row["answer_1"] == "B"


def test_annotator_email_and_agreement() -> None:
    annotation = _annotation(1, [], completed_by={"id": 3, "email": "ann@example.com"})
    [row] = json_min_rows(_task(annotation, agreement=87.5), SCHEMA)
    assert row["annotator"] == "ann@example.com" and list(row)[-1] == "agreement" and row["agreement"] == 87.5


def test_image_size_rides_along_and_a_value_type_key_is_dropped() -> None:
    box = {
        "from_name": "ner",
        "to_name": "text",
        "type": "labels",
        "original_width": 10,
        "value": {"start": 0, "end": 1, "type": "x", "labels": ["A"]},
    }
    [row] = json_min_rows(_task(_annotation(1, [box])), SCHEMA)
    assert row["ner"] == [{"start": 0, "end": 1, "labels": ["A"], "original_width": 10}]


def test_chat_messages_keep_their_message() -> None:
    message = {"role": "user", "content": "hi"}
    result = [{"from_name": "chat", "to_name": "c", "type": "chatmessage", "value": {"chatmessage": message}}]
    [row] = json_min_rows(_task(_annotation(1, result)), SCHEMA)
    assert row["chat"] == [message]


def test_a_control_named_like_a_data_key_replaces_it() -> None:
    task = {
        "id": 1,
        "data": {"label": "from data", "id": "data id"},
        "annotations": [_annotation(1, [_choice("label", "A")])],
    }
    [row] = json_min_rows(task, SCHEMA)
    assert row["label"] == "A" and row["id"] == 1 and list(row)[:2] == ["label", "id"]
