"""`json_values.decode`: orjson where it gives exactly what `json` gives, `json` everywhere else; and
`bulk.plain_json` writes what the fast parser read as the same JSON that `bulk.to_json` writes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tessera.db.bulk import plain_json, to_json
from tessera.io.json_values import DECODER, FAST_MAX_CHARS, NonFiniteNumber, decode


def same(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down (1 is not 1.0, True is not 1)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


PLAIN = [
    '{"text": "caf\\u00e9 \\ud83d\\ude00 \\/ \\"q\\" \\\\ \\n\\t", "u": "é😀\u2028\x7f"}',
    '{"a": 1.0, "b": 1, "c": -0, "d": -0.0, "e": 1E2, "f": 1e-400, "g": 0.1, "h": 1.7976931348623157e308}',
    '{"z": 1, "a": 2, "m": {"y": [1, {"b": null, "a": true}], "x": false}}',
    '{"text": "first", "text": "second", "n": {"k": 1, "k": [2]}}',
    '{"big": 922337203685477580, "neg": -922337203685477580, "e": 5e-324, "s": "123456789012345678"}',
    '  {"text": "padded"}  \r\n',
    '{"deep": ' + "[" * 120 + "]" * 120 + "}",
]
SLOW = [
    '{"big": 123456789012345678901234567890}',  # orjson would read a float
    '{"neg": -9223372036854775809}',
    '{"fits": 9223372036854775807, "s": "1234567890123456789"}',  # 19 digits anywhere: json, to be safe
    '{"text": "\\ud800 lone surrogate"}',  # json reads it; `problem_in` refuses it
    '{"text": "\ud800 raw"}',  # not UTF-8: never from a file, but `decode` takes any str
    '{"text": "' + "x" * FAST_MAX_CHARS + '"}',  # long texts: orjson's peak memory
]


@pytest.mark.parametrize("text", PLAIN)
def test_plain_texts_decode_as_json_does(text: str) -> None:
    value, plain = decode(text)
    assert plain
    assert same(value, DECODER.decode(text))


@pytest.mark.parametrize("text", SLOW)
def test_other_texts_go_to_json(text: str) -> None:
    value, plain = decode(text)
    assert not plain
    assert same(value, DECODER.decode(text))


@pytest.mark.parametrize(
    "text", ['{"a": NaN}', '{"a": -Infinity}', '{"a": -1e400}', '{"a": 1,}', '{"a": 1} x', "[" * 5000 + "]" * 5000]
)
def test_refusals_are_json_s_own(text: str) -> None:
    with pytest.raises((ValueError, RecursionError)) as fast:
        decode(text)
    with pytest.raises((ValueError, RecursionError)) as slow:
        DECODER.decode(text)
    assert type(fast.value) is type(slow.value)
    assert str(fast.value) == str(slow.value)


@pytest.mark.parametrize("text", ['{"a": NaN}', '{"a": 1e400}', '{"a": [-1.5E+999]}'])
def test_non_finite_numbers_are_refused(text: str) -> None:
    with pytest.raises(NonFiniteNumber):
        decode(text)


@pytest.mark.parametrize("text", PLAIN)
def test_plain_json_writes_what_to_json_writes(text: str) -> None:
    value, _plain = decode(text)
    written = plain_json(value)
    assert same(json.loads(written), json.loads(to_json(value)))
    assert same(json.loads(written), value)


FLOAT_SPELLINGS = [
    '{"a": 0.00001, "b": 1e-05, "c": 0.000099, "d": -0.00005}',
    '{"a": 1e-7, "b": 3.184651278536774e-7, "c": -2.5E-9, "d": 1e-10, "e": 1e16, "f": 1.5e300}',
    '{"text": "e-mail 0.0000 1e-5 in a string", "n": [0.0001, 0.5, 12345678.9]}',
]


@pytest.mark.parametrize("text", FLOAT_SPELLINGS)
def test_plain_json_spells_floats_as_json_does(text: str) -> None:
    """The very text, not only the same numbers: SQLite keeps it, and the export copies it."""
    value, plain = decode(text)
    assert plain
    assert plain_json(value) == to_json(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
