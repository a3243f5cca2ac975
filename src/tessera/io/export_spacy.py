"""spaCy export: labelled text spans as JSON, one document per exported annotation, ready for a `DocBin`.

Each document is `{"text", "ents": [[start, end, label], ...], "spans": [[start, end, label], ...],
"meta": {"task_id", "annotation_id"}}` with character offsets. `ents` holds spans that do not overlap (the
earliest first, the longest first among those starting together), which is what `Doc.ents` accepts; `spans`
holds all of them, for `Doc.spans["sc"]` (a span categorizer). To build a training file:

    nlp = spacy.blank("en"); db = DocBin()
    for d in json.load(open("export.json")):
        doc = nlp.make_doc(d["text"])
        spans = (doc.char_span(a, b, label=l, alignment_mode="expand") for a, b, l in d["ents"])
        doc.ents = spacy.util.filter_spans([s for s in spans if s is not None])
        db.add(doc)
    db.to_disk("train.spacy")

Offsets are characters of the text as annotated, and spaCy's tokens may cut a span: `alignment_mode="expand"`
widens it to whole tokens (with the default, "strict", such a span is None), after which two spans that did
not overlap in characters can share a token; `filter_spans` keeps the longest. Tessera does not tokenize for
spaCy: the language's tokenizer is the user's choice.

Items are those of the other exports (a task's annotations, newest first; a task without annotations is one
document without spans); spans come from every Labels control with `start` and `end`, one per label.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, BinaryIO

from tessera.domain.export_rows import AnnotationRow, Controls, annotation_rows
from tessera.io.export_conll import text_key

BATCH_CHARS = 1 << 20


def spans(row: AnnotationRow) -> list[list[Any]]:
    """[start, end, label] of every labelled span of the row, in text order."""
    found = []
    for values in row.outputs.values():
        for tag_type, value in values:
            start, end = value.get("start"), value.get("end")
            if tag_type.lower() != "labels" or not isinstance(start, int) or not isinstance(end, int):
                continue
            found.extend([start, end, str(label)] for label in value.get("labels") or [])
    return sorted(found, key=lambda s: (s[0], -s[1], s[2]))


def entities(found: list[list[Any]]) -> list[list[Any]]:
    """The spans that do not overlap an earlier kept one."""
    kept, reach = [], -1
    for span in found:
        if span[0] >= reach and span[1] > span[0]:
            kept.append(span)
            reach = span[1]
    return kept


def document(row: AnnotationRow, key: str | None) -> dict[str, Any]:
    text = row.data.get(key) if key else None
    found = spans(row)
    return {
        "text": text if isinstance(text, str) else str(text or ""),
        "ents": entities(found),
        "spans": found,
        "meta": {"task_id": row.task_id, "annotation_id": row.annotation_id},
    }


def write_spacy(
    tasks: Iterable[dict[str, Any]],
    out: BinaryIO,
    *,
    schema: Mapping[str, Any] | None = None,
    **_options: Any,
) -> int:
    """Write the JSON list of documents to `out`; returns the number of documents."""
    controls, key = Controls(schema), text_key(schema)
    parts = ["["]
    size = count = 0
    for task in tasks:
        for row in annotation_rows(task, controls):
            text = json.dumps(document(row, key), ensure_ascii=False)
            parts.append(("\n" if count == 0 else ",\n") + text)
            size += len(text)
            count += 1
            if size >= BATCH_CHARS:
                out.write("".join(parts).encode("utf-8", "backslashreplace"))
                parts, size = [], 0
    parts.append("\n]\n" if count else "]\n")
    out.write("".join(parts).encode("utf-8", "backslashreplace"))
    return count
