"""JSON text as Label Studio's exports write it (with `ujson`), made with the standard library.

`ujson.dumps(v, ensure_ascii=False)` differs from `json.dumps` in two ways only: it escapes "/" as "\\/",
and it writes exponents without a leading zero ("1e-7", not "1e-07"). Both are undone on the encoded text:
"/" can only occur inside strings, and "e-0<digit>" outside a string can only be an exponent. Lone surrogates
(possible in a Python str, impossible in UTF-8) are written as their `\\uXXXX` escapes by `to_utf8`.
"""

from __future__ import annotations

import json
import re
from typing import Any

_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
_INDENTED = json.JSONEncoder(ensure_ascii=False, indent=2, check_circular=False)
_STRING_OR_EXPONENT = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|e-0(?=\d)')
_SURROGATE = re.compile("[\ud800-\udfff]")


def _exponent(match: re.Match[str]) -> str:
    text = match.group()
    return "e-" if text == "e-0" else text


def ujson_style(text: str) -> str:
    """Encoded JSON text (of whole values) rewritten the way ujson writes it."""
    text = text.replace("/", "\\/")
    if "e-0" in text:
        text = _STRING_OR_EXPONENT.sub(_exponent, text)
    return text


def dumps_compact(value: Any) -> str:
    """`ujson.dumps(value, ensure_ascii=False)`."""
    return ujson_style(_COMPACT.encode(value))


def dumps_indented(value: Any) -> str:
    """`ujson.dumps(value, ensure_ascii=False, indent=2)`."""
    return ujson_style(_INDENTED.encode(value))


def encode_compact(value: Any) -> str:
    """Compact JSON without the ujson rewrite (for callers that rewrite a whole batch at once)."""
    return _COMPACT.encode(value)


def to_utf8(text: str) -> bytes:
    """UTF-8 bytes of JSON text; a lone surrogate becomes its \\uXXXX escape, which JSON readers accept."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode("utf-8")
