"""JSON Lines of training rows made from a project's tasks: the shared writing loop of the preference exports.

Each writer turns one task at a time into rows (`tessera.domain.preference_rows`) and writes them in batches
of about a megabyte, so memory holds one task's rows and one batch whatever the project's size. The service
passes the parsed `config`, the checked `options` (`PreferenceOptions`) and `people` (user id -> e-mail).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

from tessera.domain.config.model import LabelConfig
from tessera.domain.preference_prompt import PreferenceOptions
from tessera.domain.preference_rows import People, PreferenceRows
from tessera.io.ls_json import RawJSON, to_utf8

BATCH_CHARS = 1 << 20
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def decoded(task: dict[str, Any]) -> dict[str, Any]:
    """The task with `data`, `annotations`... decoded (a writer that takes raw JSON text may hand them over as
    `RawJSON`)."""
    raw = {key: json.loads(value) for key, value in task.items() if type(value) is RawJSON}
    return {**task, **raw} if raw else task


def preference_rows(
    config: LabelConfig | None, options: PreferenceOptions | dict[str, Any] | None, people: People | None
) -> PreferenceRows:
    if config is None:
        raise ValueError("a preference export needs the project's labeling config")
    checked = options if isinstance(options, PreferenceOptions) else PreferenceOptions.of(options)
    return PreferenceRows(config, checked, people)


def write_rows(
    tasks: Iterable[dict[str, Any]], out: BinaryIO, rows_of: Callable[[dict[str, Any]], Iterator[dict[str, Any]]]
) -> int:
    """Write every row `rows_of(task)` gives as a line of compact JSON; returns the number of rows."""
    batch: list[str] = []
    size = count = 0
    for task in tasks:
        for row in rows_of(decoded(task)):
            text = _ENCODER.encode(row)
            batch.append(text)
            batch.append("\n")
            count += 1
            size += len(text)
            if size >= BATCH_CHARS:
                out.write(to_utf8("".join(batch)))
                batch, size = [], 0
    if batch:
        out.write(to_utf8("".join(batch)))
    return count


RowsOf = Callable[[dict[str, Any]], Iterator[dict[str, Any]]]


def jsonl_writer(pick: Callable[[PreferenceRows], RowsOf]) -> Callable[..., int]:
    """A writer with the export registry's signature whose rows per task are `pick(rows)`, e.g.
    `lambda rows: rows.pairs` for DPO."""

    def write(
        tasks: Iterable[dict[str, Any]],
        out: BinaryIO,
        *,
        config: LabelConfig | None = None,
        options: Any = None,
        people: People | None = None,
        **_options: Any,
    ) -> int:
        return write_rows(tasks, out, pick(preference_rows(config, options, people)))

    return write
