"""Reading a judge's reply: JSON first, leniently, then the bare choice; anything else is unparseable."""

from __future__ import annotations

import pytest

from tessera.domain.judging import Judgement, choices_result, judge_messages, parse_judgement

CHOICES = ["Positive", "Negative", "Neutral"]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ('{"choice": "Positive", "reason": "nice", "score": 0.8}', Judgement("Positive", "nice", 0.8)),
        ('Here you go:\n```json\n{"choice": "negative"}\n```', Judgement("Negative")),
        ('{"note": 1} then {"choice": "Neutral", "score": 7}', Judgement("Neutral")),  # score out of range dropped
        ("Neutral.", Judgement("Neutral")),
        ("  'positive'  ", Judgement("Positive")),
    ],
)
def test_replies_that_name_a_choice(reply: str, expected: Judgement) -> None:
    assert parse_judgement(reply, CHOICES) == expected


@pytest.mark.parametrize(
    "reply", ['{"choice": "Great"}', "It is positive, I think", "", '{"choice": ["Positive"]}', "{broken"]
)
def test_replies_that_do_not(reply: str) -> None:
    assert parse_judgement(reply, CHOICES) is None


def test_the_prompt_lists_the_choices_and_the_data() -> None:
    system, user = judge_messages({"text": "hello"}, CHOICES, "sentiment", "Which tone?")
    assert system["role"] == "system" and "JSON" in system["content"]
    assert '"Positive", "Negative", "Neutral"' in user["content"] and '"hello"' in user["content"]
    assert "Which tone?" in user["content"]


def test_long_data_is_truncated() -> None:
    _system, user = judge_messages({"text": "x" * 50_000}, CHOICES, "c", None)
    assert len(user["content"]) < 21_000 and "truncated" in user["content"]


def test_a_choices_result() -> None:
    assert choices_result("sentiment", "text", "Positive") == [
        {"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}
    ]
