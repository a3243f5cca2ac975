"""KTO export (`KTO_JSONL`): TRL's unpaired preference format, `{"prompt", "completion", "label"}` per line.

`label` is true for a desirable reply: the best of a pairwise or ranking verdict, or a reply judged good by
a Choices control; false for the worst, or one judged bad (see `tessera.domain.preference_rows`). Prompt and
completion follow `dpo_format` as the DPO export's prompt and replies do.
"""

from __future__ import annotations

from tessera.io.preference_lines import jsonl_writer

write_kto_jsonl = jsonl_writer(lambda rows: rows.labels)
