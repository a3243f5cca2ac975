"""SFT export (`SFT_JSONL`): conversations to fine-tune on, `{"messages": [...], "source"}` per line.

The prompt's messages (a text prompt is one user message) and then the reply as an assistant message: the
annotator's rewrite from a TextArea (`source` "rewrite"), or, without one, the reply their comparison put
first (`source` "chosen"). Always the conversational format TRL's `SFTTrainer` reads.
"""

from __future__ import annotations

from tessera.io.preference_lines import jsonl_writer

write_sft_jsonl = jsonl_writer(lambda rows: rows.conversations)
