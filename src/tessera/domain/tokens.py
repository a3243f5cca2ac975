"""Word tokens with their character offsets, split by the Penn Treebank conventions.

Label Studio's CoNLL 2003 export tokenizes text with NLTK's `TreebankWordTokenizer.span_tokenize`; a CoNLL
file made by Tessera must cut the same tokens so that models trained on either agree. NLTK takes seconds to
import, so the rules are written here, with the one change Label Studio makes to NLTK's (it splits "/" off
too, so URLs and "and/or" come apart): punctuation, brackets, quotes and English contractions are split off
words, then each token is found in the text again, in order, to get its offsets. Double quotes become `` and ''
while splitting and are mapped back to the quote characters of the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_Rule = tuple[re.Pattern[str], str]

_STARTING_QUOTES: list[_Rule] = [
    (re.compile(r'^"'), "``"),
    (re.compile(r"(``)"), r" \1 "),
    (re.compile(r"([ \(\[{<])(\"|\'{2})"), r"\1 `` "),
]
_PUNCTUATION: list[_Rule] = [
    (re.compile(r"([:,])([^\d])"), r" \1 \2"),
    (re.compile(r"([:,])$"), r" \1 "),
    (re.compile(r"\.\.\."), r" ... "),
    (re.compile(r"[;@#$/%&]"), r" \g<0> "),  # "/" added by Label Studio's converter
    (re.compile(r'([^\.])(\.)([\]\)}>"\']*)\s*$'), r"\1 \2\3 "),  # the final period
    (re.compile(r"[?!]"), r" \g<0> "),
    (re.compile(r"([^'])' "), r"\1 ' "),
]
_BRACKETS: _Rule = (re.compile(r"[\]\[\(\)\{\}\<\>]"), r" \g<0> ")
_DASHES: _Rule = (re.compile(r"--"), r" -- ")
_ENDING_QUOTES: list[_Rule] = [
    (re.compile(r"''"), " '' "),
    (re.compile(r'"'), " '' "),
    (re.compile(r"([^' ])('[sS]|'[mM]|'[dD]|') "), r"\1 \2 "),
    (re.compile(r"([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) "), r"\1 \2 "),
]
_SPLIT_WORDS = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"\b(can)(not)\b",
        r"\b(d)('ye)\b",
        r"\b(gim)(me)\b",
        r"\b(gon)(na)\b",
        r"\b(got)(ta)\b",
        r"\b(lem)(me)\b",
        r"\b(more)('n)\b",
        r"\b(wan)(na)(?=\s)",
        r" ('t)(is)\b",
        r" ('t)(was)\b",
    )
]
_QUOTES = re.compile(r"``|'{2}|\"")


def words(text: str) -> list[str]:
    """The tokens of `text`, with double quotes written as `` and ''."""
    for pattern, replacement in _STARTING_QUOTES + _PUNCTUATION + [_BRACKETS, _DASHES]:
        text = pattern.sub(replacement, text)
    text = f" {text} "
    for pattern, replacement in _ENDING_QUOTES:
        text = pattern.sub(replacement, text)
    for pattern in _SPLIT_WORDS:
        text = pattern.sub(r" \1 \2 ", text)
    return text.split()


def token_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each token of `text`; a token that cannot be found again in the text is left out."""
    tokens = words(text)
    if '"' in text or "''" in text:
        quotes = _QUOTES.findall(text)
        tokens = [quotes.pop(0) if token in ('"', "``", "''") and quotes else token for token in tokens]
    point = 0
    for token in tokens:
        start = text.find(token, point)
        if start < 0:
            continue
        point = start + len(token)
        yield start, point
