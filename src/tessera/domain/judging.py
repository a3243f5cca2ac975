"""LLM as judge: the prompt that asks a model to pick one of a `<Choices>` control's options for a task, and
the reading of its reply. Pure functions; `services/judge_jobs.py` sends the prompt and stores predictions.

The model is asked for JSON, `{"choice": "<one option>", "reason": "…", "score": 0.9}`. The reply is read
leniently: the first JSON object in it with a `choice` key (code fences and prose around it are ignored),
its `choice` matched to an option exactly, then ignoring case and surrounding spaces; failing JSON, the whole
reply matched the same way (a model that answers just `Positive`). Anything else is unparseable and yields None.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MAX_DATA_CHARS = 20_000
SYSTEM = (
    "You are a careful annotator. Read the task and pick exactly one of the allowed choices. "
    'Answer with one JSON object and nothing else: {"choice": "<one allowed choice>", "reason": "<one sentence>", '
    '"score": <your confidence from 0 to 1>}.'
)


@dataclass(frozen=True)
class Judgement:
    choice: str
    reason: str | None = None
    score: float | None = None


def judge_messages(
    data: dict[str, Any], choices: list[str], control: str, instructions: str | None
) -> list[dict[str, str]]:
    """The system and user messages for one task."""
    shown = json.dumps(data, ensure_ascii=False, indent=1, default=str)
    if len(shown) > MAX_DATA_CHARS:
        shown = shown[:MAX_DATA_CHARS] + "\n… (truncated)"
    parts = [
        f"Question ({control}): {instructions}" if instructions else f"Question: choose the right {control}.",
        "Allowed choices: " + json.dumps(choices, ensure_ascii=False),
        "Task data (JSON):\n" + shown,
    ]
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "\n\n".join(parts)}]


def _match(value: Any, choices: list[str]) -> str | None:
    if not isinstance(value, str):
        return None
    if value in choices:
        return value
    wanted = value.strip().strip("\"'`.").strip().casefold()
    found = [c for c in choices if c.casefold() == wanted]
    return found[0] if len(found) == 1 else None


def _choice_object(text: str) -> dict[str, Any] | None:
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            value, _end = decoder.raw_decode(text, start)
        except ValueError:
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict) and "choice" in value:
            return value
        start = text.find("{", start + 1)
    return None


def parse_judgement(text: str, choices: list[str]) -> Judgement | None:
    """The choice a reply makes (see the module docstring), or None when it names none of `choices`."""
    obj = _choice_object(text)
    if obj is not None:
        choice = _match(obj.get("choice"), choices)
        if choice is None:
            return None
        reason = obj.get("reason")
        score = obj.get("score")
        ok_score = isinstance(score, int | float) and not isinstance(score, bool) and 0 <= score <= 1
        return Judgement(choice, reason if isinstance(reason, str) else None, float(score) if ok_score else None)
    choice = _match(text, choices)
    return Judgement(choice) if choice is not None else None


def choices_result(control: str, to_name: str, choice: str) -> list[dict[str, Any]]:
    """A Label Studio `choices` result for one control."""
    return [{"from_name": control, "to_name": to_name, "type": "choices", "value": {"choices": [choice]}}]
