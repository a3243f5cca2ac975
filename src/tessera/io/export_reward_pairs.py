"""Reward-model pairs (`REWARD_PAIRS_JSONL`): every ordered pair of a pairwise or ranking verdict.

The rows of the DPO export (same `dpo_format`), each with `margin`: how many tiers apart the two replies were
ranked (1 for a pairwise verdict or neighbours in a ranking), which TRL's `RewardTrainer` reads as the
`margin` column. Ties give no pair.
"""

from __future__ import annotations

from tessera.io.preference_lines import jsonl_writer

write_reward_pairs_jsonl = jsonl_writer(lambda rows: lambda task: rows.pairs(task, margin=True))
