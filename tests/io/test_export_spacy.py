"""spaCy export: documents whose spans spaCy itself turns into entities in a DocBin."""

from __future__ import annotations

import json

import pytest

from tests.io.ls_converter import ours
from tests.io.test_export_conll import CONFIG, _span, text_tasks


def _docs(tasks: list[dict]) -> list[dict]:
    return json.loads(ours(tasks, "SPACY", CONFIG))


def test_spans_carry_the_annotation_offsets() -> None:
    text = "Ada Lovelace met Charles Babbage in London."
    spans = [_span(text, 0, 12, "PER"), _span(text, 17, 32, "PER"), _span(text, 36, 42, "LOC")]
    spans.append(_span(text, 4, 20, "ORG"))
    annotation = {"id": 5, "result": spans, "created_at": "2026"}
    [doc] = _docs([{"id": 1, "data": {"text": text}, "annotations": [annotation]}])
    assert doc["text"] == text and doc["meta"] == {"task_id": 1, "annotation_id": 5}
    assert doc["spans"] == [[0, 12, "PER"], [4, 20, "ORG"], [17, 32, "PER"], [36, 42, "LOC"]]
    assert doc["ents"] == [[0, 12, "PER"], [17, 32, "PER"], [36, 42, "LOC"]]  # the overlapping one left out


def test_one_document_per_annotation_and_cancelled_ones_left_out() -> None:
    tasks = text_tasks()
    docs = _docs(tasks)
    assert len(docs) == 40  # 36 tasks with one annotation, 4 without: one document each
    assert sum(1 for d in docs if d["spans"]) > 20


def test_spacy_builds_a_docbin_from_it(tmp_path) -> None:
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin  # spaCy is a test extra only

    nlp = spacy.blank("en")
    store = DocBin()
    docs = _docs(text_tasks())
    entities = 0
    for record in docs:
        doc = nlp.make_doc(record["text"])
        chosen = (doc.char_span(a, b, label=label, alignment_mode="expand") for a, b, label in record["ents"])
        doc.ents = spacy.util.filter_spans([span for span in chosen if span is not None])
        entities += len(doc.ents)
        store.add(doc)
    store.to_disk(tmp_path / "train.spacy")
    back = list(DocBin().from_disk(tmp_path / "train.spacy").get_docs(nlp.vocab))
    assert len(back) == len(docs) and sum(len(d.ents) for d in back) == entities > 20
