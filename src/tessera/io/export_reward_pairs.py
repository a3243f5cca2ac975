"""Reward-model pairs (`REWARD_PAIRS_JSONL`): every ordered pair of a pairwise or ranking verdict.

The rows of the DPO export (same `dpo_format`), each with `margin`: how many tiers apart the two replies were
ranked (1 for a pairwise verdict or neighbours in a ranking), which TRL's `RewardTrainer` reads as the
`margin` column. Ties give no pair.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, BinaryIO

from tessera.domain.config.model import LabelConfig
from tessera.domain.preference_rows import People
from tessera.io.preference_lines import preference_rows, write_rows


def write_reward_pairs_jsonl(
    tasks: Iterable[dict[str, Any]],
    out: BinaryIO,
    *,
    config: LabelConfig | None = None,
    options: Any = None,
    people: People | None = None,
    **_options: Any,
) -> int:
    rows = preference_rows(config, options, people)
    return write_rows(tasks, out, lambda task: rows.pairs(task, margin=True))
