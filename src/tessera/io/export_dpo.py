"""DPO export (`DPO_JSONL`): TRL's preference format, one chosen/rejected pair per line.

`{"prompt", "chosen", "rejected"}` plus provenance (see `tessera.domain.preference_rows`): strings in the
standard format, or a message list and `[{"role": "assistant", "content": ...}]` replies in the
conversational one (`dpo_format`). A pairwise verdict gives one pair; a ranking every ordered pair of items
in different tiers; ties give none.
"""

from __future__ import annotations

from tessera.io.preference_lines import jsonl_writer

write_dpo_jsonl = jsonl_writer(lambda rows: rows.pairs)
