"""CoNLL 2003 export against `label_studio_sdk.converter` (the outside oracle) and on its own."""

from __future__ import annotations

import json
import random
from pathlib import Path

from tessera.io.export_conll import tags
from tests.io.ls_converter import FIXTURES, ours, theirs

CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text"><Label value="PER"/><Label value="ORG"/><Label value="LOC"/></Labels>
</View>"""


def _span(text: str, start: int, end: int, label: str) -> dict:
    return {
        "from_name": "ner",
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]},
    }


def text_tasks() -> list[dict]:
    """The e-mail slices with spans at random offsets (word edges, mid-word, overlapping), seeded."""
    rng = random.Random(4)
    tasks = []
    for n, line in enumerate((FIXTURES / "spam_assassin_40.jsonl").read_text(encoding="utf-8").splitlines()):
        text = json.loads(line)["text"]
        spans = []
        for _ in range(rng.randint(0, 6)):
            start = rng.randrange(0, max(1, len(text) - 1))
            end = min(len(text), start + rng.randint(1, 30))
            spans.append(_span(text, start, end, rng.choice(["PER", "ORG", "LOC"])))
        annotation = {"id": n, "completed_by": 1, "result": spans, "created_at": f"2026-01-{n % 28 + 1:02d}"}
        tasks.append({"id": n + 1, "data": {"text": text}, "annotations": [annotation] if n % 10 else []})
    return tasks


def test_tokens_and_tags_match_the_converter(tmp_path: Path) -> None:
    tasks = text_tasks()
    expected = (theirs(tasks, "CONLL2003", CONFIG, tmp_path) / "result.conll").read_text(encoding="utf-8")
    got = ours(tasks, "CONLL2003", CONFIG).decode()
    assert got == expected
    assert got.count("\n\n") == 40 and " -X- _ B-" in got and " -X- _ I-" in got


def test_a_span_over_two_words() -> None:
    text = 'Mr. "Smith" met IBM in New York.'
    spans = [{"start": 5, "end": 10, "labels": ["PER"]}, {"start": 23, "end": 31, "labels": ["LOC"]}]
    assert list(tags(text, spans)) == [
        ("Mr.", "O"),
        ('"', "O"),
        ("Smith", "B-PER"),
        ('"', "O"),
        ("met", "O"),
        ("IBM", "O"),
        ("in", "O"),
        ("New", "B-LOC"),
        ("York", "I-LOC"),
        (".", "O"),
    ]


def test_cancelled_annotations_are_left_out() -> None:
    task = {"id": 1, "data": {"text": "Hi"}, "annotations": [{"id": 1, "result": [], "was_cancelled": True}]}
    assert ours([task], "CONLL2003", CONFIG) == b"-DOCSTART- -X- O\n"
