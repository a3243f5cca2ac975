"""Treebank tokens against the tokenizer Label Studio's CoNLL export runs (NLTK's, as the converter sets it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tessera.domain.tokens import token_spans, words

utils = pytest.importorskip("label_studio_sdk.converter.utils")  # sets NLTK's rules the way Label Studio runs them
treebank = pytest.importorskip("nltk.tokenize.treebank")

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "exports" / "spam_assassin_40.jsonl"
CASES = [
    'She said "don\'t go" -- (twice) at 3:30, and/or cannot.',
    "''Quoted'' `and` 'single' rock'n'roll gonna wanna 'tis",
    "Price: $3.88 for 3,36 euros... in New York.  Please!?",
    "http://example.org/a?b=1&c=2#x <tag> [x] {y}",
    "",
    "   ",
    "é😀 naïve — café.",
]


def texts() -> list[str]:
    rows = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    return CASES + [row["text"] for row in rows] + [row["subject"] for row in rows]


@pytest.mark.parametrize("text", texts())
def test_the_same_spans_as_label_studio(text: str) -> None:
    expected = list(treebank.TreebankWordTokenizer().span_tokenize(text))
    assert list(token_spans(text)) == expected


def test_punctuation_and_contractions_are_split() -> None:
    assert words('He said "don\'t" and/or cannot.') == [
        *("He", "said", "``", "do", "n't", "''", "and", "/", "or", "can", "not", "."),
    ]
