"""SFT export (`SFT_JSONL`): conversations to fine-tune on, `{"messages": [...], "source"}` per line.

The prompt's messages (a text prompt is one user message) and then the reply as an assistant message: the
annotator's rewrite from a TextArea (`source` "rewrite"), or, without one, the reply their comparison put
first (`source` "chosen"). Always the conversational format TRL's `SFTTrainer` reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, BinaryIO

from tessera.domain.config.model import LabelConfig
from tessera.domain.preference_rows import People
from tessera.io.preference_lines import preference_rows, write_rows


def write_sft_jsonl(
    tasks: Iterable[dict[str, Any]],
    out: BinaryIO,
    *,
    config: LabelConfig | None = None,
    options: Any = None,
    people: People | None = None,
    **_options: Any,
) -> int:
    rows = preference_rows(config, options, people)
    return write_rows(tasks, out, rows.conversations)
