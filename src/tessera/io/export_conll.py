"""CoNLL 2003 export: one token per line with its BIO tag, a blank line between documents.

Label Studio's format: a `-DOCSTART- -X- O` line, then for each exported item (a task's annotation that is
neither cancelled nor skipped, newest first; a task without annotations is one item with no spans) each
token as `<token> -X- _ <tag>`. Tokens are cut by the Penn Treebank rules (`tessera.domain.tokens`, as the
converter's NLTK tokenizer cuts them) and tagged from the spans of the first Labels control of the result,
with the converter's rules: a token is inside a span when they share a character, a new span starts `B-`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO

from tessera.domain.export_rows import AnnotationRow, Controls, annotation_rows
from tessera.domain.tokens import token_spans
from tessera.io.export_images import image_key

BATCH_CHARS = 1 << 20


def text_key(schema: Mapping[str, Any] | None) -> str | None:
    """The data key of the text the Labels controls label."""
    return image_key(schema)


def label_spans(row: AnnotationRow) -> list[dict[str, Any]] | None:
    """The values of the row's first Labels control (None when it has none)."""
    for values in row.outputs.values():
        if values and values[0][0].lower() == "labels":
            return [value for _, value in values]
    return None


def tags(text: str, spans: list[dict[str, Any]] | None) -> Iterator[tuple[str, str]]:
    """(token, tag) of each token of `text`."""
    tokens = [(text[start:end], start) for start, end in token_spans(text)]
    if not spans or any(span.get("start") is None or span.get("end") is None for span in spans):
        for token, _ in tokens:
            yield token, "O"
        return
    waiting = sorted(spans, key=lambda span: span["start"])
    span = waiting.pop(0)
    first, last, prefix = span["start"], span["end"] - 1, "B-"
    for token, start in tokens:
        end = start + len(token) - 1
        if start > last:
            while waiting:
                span = waiting.pop(0)
                first, last, prefix = span["start"], span["end"] - 1, "B-"
                if start <= last:
                    break
        labels = span.get("labels")
        if end < first or not labels:
            yield token, "O"
        elif first <= end and last >= start:
            yield token, prefix + str(labels[0])
            prefix = "I-"
        else:
            yield token, "O"


def write_conll2003(
    tasks: Iterable[dict[str, Any]],
    out: BinaryIO,
    *,
    schema: Mapping[str, Any] | None = None,
    **_options: Any,
) -> int:
    """Write the CoNLL file to `out`; returns the number of documents."""
    controls, key = Controls(schema), text_key(schema)
    parts = ["-DOCSTART- -X- O\n"]
    size = count = 0
    for task in tasks:
        for row in annotation_rows(task, controls):
            text = row.data.get(key) if key else None
            for token, tag in tags(text if isinstance(text, str) else str(text or ""), label_spans(row)):
                line = f"{token} -X- _ {tag}\n"
                parts.append(line)
                size += len(line)
            parts.append("\n")
            count += 1
            if size >= BATCH_CHARS:
                out.write("".join(parts).encode("utf-8", "backslashreplace"))
                parts, size = [], 0
    out.write("".join(parts).encode("utf-8", "backslashreplace"))
    return count
