"""KTO export (`KTO_JSONL`): TRL's unpaired preference format, `{"prompt", "completion", "label"}` per line.

`label` is true for a desirable reply: the best of a pairwise or ranking verdict, or a reply judged good by
a Choices control; false for the worst, or one judged bad (see `tessera.domain.preference_rows`). Prompt and
completion follow `dpo_format` as the DPO export's prompt and replies do.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, BinaryIO

from tessera.domain.config.model import LabelConfig
from tessera.domain.preference_rows import People
from tessera.io.preference_lines import preference_rows, write_rows


def write_kto_jsonl(
    tasks: Iterable[dict[str, Any]],
    out: BinaryIO,
    *,
    config: LabelConfig | None = None,
    options: Any = None,
    people: People | None = None,
    **_options: Any,
) -> int:
    rows = preference_rows(config, options, people)
    return write_rows(tasks, out, rows.labels)
