"""DPO export (`DPO_JSONL`): TRL's preference format, one chosen/rejected pair per line.

`{"prompt", "chosen", "rejected"}` plus provenance (see `tessera.domain.preference_rows`): strings in the
standard format, or a message list and `[{"role": "assistant", "content": ...}]` replies in the
conversational one (`dpo_format`). A pairwise verdict gives one pair; a ranking every ordered pair of items
in different tiers; ties give none.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, BinaryIO

from tessera.domain.config.model import LabelConfig
from tessera.domain.preference_rows import People
from tessera.io.preference_lines import preference_rows, write_rows


def write_dpo_jsonl(
    tasks: Iterable[dict[str, Any]],
    out: BinaryIO,
    *,
    config: LabelConfig | None = None,
    options: Any = None,
    people: People | None = None,
    **_options: Any,
) -> int:
    rows = preference_rows(config, options, people)
    return write_rows(tasks, out, rows.pairs)
