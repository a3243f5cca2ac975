"""The writers against `label_studio_sdk.converter`, the code Label Studio's own export runs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tessera.io.writers import write_export

converter = pytest.importorskip("label_studio_sdk.converter")
# Label Studio's server hands the converter `project.get_parsed_config()`, made by this parse_config (which,
# unlike `converter.utils.parse_config`, reports Repeater `{{idx}}` names as patterns): use it on both sides.
label_config = pytest.importorskip("label_studio_sdk._extensions.label_studio_tools.core.label_config")

CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Choices name="label" toName="text" choice="multiple"><Choice value="A"/><Choice value="B"/></Choices>
  <TextArea name="note" toName="text"/>
  <Labels name="ner" toName="text"><Label value="PER"/></Labels>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image"><Label value="Cat"/></RectangleLabels>
  <Repeater on="$pages" indexFlag="{{idx}}">
    <Text name="page_{{idx}}" value="$pages[{{idx}}].text"/>
    <Choices name="answer_{{idx}}" toName="page_{{idx}}"><Choice value="Y"/></Choices>
  </Repeater>
</View>"""


def _annotation(id_: int, result: list, created: str, **extra) -> dict:
    return {
        "id": id_,
        "completed_by": 1,
        "result": result,
        "was_cancelled": False,
        "ground_truth": False,
        "created_at": created,
        "updated_at": created,
        "lead_time": 2,
        **extra,
    }


def _choices(name: str, *values: str) -> dict:
    return {"from_name": name, "to_name": "text", "type": "choices", "value": {"choices": list(values)}}


def _text(*texts: str) -> dict:
    return {"from_name": "note", "to_name": "text", "type": "textarea", "value": {"text": list(texts)}}


BOX = {
    "id": "r",
    "from_name": "box",
    "to_name": "image",
    "type": "rectanglelabels",
    "original_width": 10,
    "original_height": 20,
    "value": {"x": 1.5e-7, "y": 0.1, "width": 3, "height": 4, "rectanglelabels": ["Cat"]},
}
SPAN = {
    "from_name": "ner",
    "to_name": "text",
    "type": "labels",
    "value": {"start": 0, "end": 1, "labels": ["PER"]},
}
CHAT = {
    "from_name": "chat",
    "to_name": "c",
    "type": "chatmessage",
    "value": {"chatmessage": {"role": "u", "content": "x"}},
}
RELATION = {"from_id": "a", "to_id": "b", "type": "relation", "direction": "right", "labels": []}

EDGE_TASKS = [
    {"id": 10, "data": {"text": "no annotations", "image": "/a/b.jpg"}, "annotations": [], "predictions": []},
    {
        "id": 11,
        "data": {"text": "all cancelled"},
        "annotations": [_annotation(1, [], "2024", was_cancelled=True)],
    },
    {"id": 12, "data": {"text": "no key at all"}},
    {
        "id": 13,
        "data": {
            "text": "several",
            "nested": {"k/": [1, 2.5, None, True, "é/😀"]},
            "n": 3,
            "f": 2.0,
            "b": False,
        },
        "annotations": [
            _annotation(2, [_choices("label", "A", "B"), _text("one"), SPAN, RELATION], "2024-01-01"),
            _annotation(3, [_choices("label", "A"), _choices("label", "B"), _text("x", "y")], "2024-03-01"),
            _annotation(4, [BOX, _choices("unknown", "A")], "2024-02-01", skipped=True),
            _annotation(5, [BOX, SPAN, SPAN], "2024-02-01", completed_by={"id": 9, "email": "e@x.org"}),
        ],
        "agreement": 50.0,
    },
    {
        "id": 14,
        "data": {
            "label": "collides",
            "id": "data id",
            "annotator": "data annotator",
            "pages": [{"text": "p"}],
        },
        "annotations": [
            _annotation(6, [_choices("label", "A"), _choices("answer_0", "Y"), _choices("answer_1", "Y")], "2024"),
            _annotation(7, [CHAT, _text("=SUM(A1)")], "2025", history=[{"action": "x"}], lead_time=None),
        ],
    },
]


def _converted(tasks: list[dict], fmt: str, config: str, tmp_path: Path) -> bytes:
    source = tmp_path / "tasks.json"
    source.write_text(json.dumps(tasks), encoding="utf-8")
    out_dir = tmp_path / fmt
    schema = label_config.parse_config(config) if config else ""
    converter.Converter(config=schema, project_dir=str(tmp_path)).convert(str(source), str(out_dir), fmt, is_dir=False)
    [result] = out_dir.iterdir()
    return result.read_bytes()


def _ours(tasks: list[dict], fmt: str, config: str) -> bytes:
    out = io.BytesIO()
    write_export(fmt, tasks, out, schema=label_config.parse_config(config) if config else None)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JSON_MIN", "CSV", "TSV"])
def test_the_all_tags_sample(fmt: str, all_tags_tasks: list[dict], all_tags_config: str, tmp_path: Path) -> None:
    assert _ours(all_tags_tasks, fmt, all_tags_config) == _converted(all_tags_tasks, fmt, all_tags_config, tmp_path)


@pytest.mark.parametrize("fmt", ["JSON_MIN", "CSV", "TSV"])
def test_edge_cases(fmt: str, tmp_path: Path) -> None:
    ours = _ours(EDGE_TASKS, fmt, CONFIG)
    assert b'"answer_0"' in ours and b'"answer_1"' in ours  # the Repeater's pattern matched
    assert ours == _converted(EDGE_TASKS, fmt, CONFIG, tmp_path)


@pytest.mark.parametrize("fmt", ["JSON_MIN", "CSV"])
def test_an_empty_config_keeps_every_named_result(fmt: str, tmp_path: Path) -> None:
    assert _ours(EDGE_TASKS, fmt, "") == _converted(EDGE_TASKS, fmt, "", tmp_path)
