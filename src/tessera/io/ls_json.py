"""JSON text as Label Studio's exports write it (with `ujson`), made with the standard library.

`ujson.dumps(v, ensure_ascii=False)` differs from `json.dumps` in two ways only: it escapes "/" as "\\/",
and it writes exponents without a leading zero ("1e-7", not "1e-07"). Both are undone on the encoded text:
"/" can only occur inside strings, and "e-0<digit>" outside a string can only be an exponent. Lone surrogates
(possible in a Python str, impossible in UTF-8) are written as their `\\uXXXX` escapes by `to_utf8`.
"""

from __future__ import annotations

import json
import re
import secrets
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


class RawJSON(str):
    """JSON text already encoded the way `encode_compact` encodes (compact, not ASCII-escaped), to be written
    as is: a task's `data` read from the database as text skips a decode and an encode."""

    __slots__ = ()


_RAW_KEYS = ("data", "meta")
# Stand-ins for raw values while the rest of the task is encoded: a NUL and a per-process secret, so that no
# string in a task can look like one.
_SECRET = secrets.token_hex(16)
_TOKENS = {key: f"\x00{_SECRET}:{key}\x00" for key in _RAW_KEYS}
_ENCODED_TOKENS = {key: _COMPACT.encode(token) for key, token in _TOKENS.items()}


def encode_task(task: dict[str, Any]) -> str:
    """`encode_compact(task)`, with `RawJSON` values of its `data` and `meta` keys written verbatim."""
    data, meta = task.get("data"), task.get("meta")
    raw_data, raw_meta = type(data) is RawJSON, type(meta) is RawJSON
    if not raw_data and not raw_meta:
        return _COMPACT.encode(task)
    shell = task.copy()
    if raw_data:
        shell["data"] = _TOKENS["data"]
    if raw_meta:
        shell["meta"] = _TOKENS["meta"]
    text = _COMPACT.encode(shell)
    spans = []
    if raw_data:
        at = text.index(_ENCODED_TOKENS["data"])
        spans.append((at, at + len(_ENCODED_TOKENS["data"]), data))
    if raw_meta:
        at = text.index(_ENCODED_TOKENS["meta"])
        spans.append((at, at + len(_ENCODED_TOKENS["meta"]), meta))
    if len(spans) == 2 and spans[0][0] > spans[1][0]:
        spans.reverse()
    parts, pos = [], 0
    for start, stop, value in spans:
        parts.append(text[pos:start])
        parts.append(value)
        pos = stop
    parts.append(text[pos:])
    return "".join(parts)


def to_utf8(text: str) -> bytes:
    """UTF-8 bytes of JSON text; a lone surrogate becomes its \\uXXXX escape, which JSON readers accept."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode("utf-8")
