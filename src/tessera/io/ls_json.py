"""JSON text as Label Studio's exports write it (with `ujson`), made with the standard library.

`ujson.dumps(v, ensure_ascii=False)` differs from `json.dumps` in two ways only: it escapes "/" as "\\/",
and it writes exponents without a leading zero ("1e-7", not "1e-07"). Both are undone on the encoded text:
"/" can only occur inside strings, and "e-0<digit>" outside a string can only be an exponent. Lone surrogates
(possible in a Python str, impossible in UTF-8) are written as their `\\uXXXX` escapes by `to_utf8`.
"""

from __future__ import annotations

import json
import re
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

import orjson

from tessera.io.json_values import decode

_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
_INDENTED = json.JSONEncoder(ensure_ascii=False, indent=2, check_circular=False)
_STRING_OR_EXPONENT = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|e-0(?=\d)')
_SURROGATE = re.compile("[\ud800-\udfff]")


_STRING_OR_EXPONENT_BYTES = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|e-0(?=[0-9])')


def _exponent(match: re.Match[str]) -> str:
    text = match.group()
    return "e-" if text == "e-0" else text


def _exponent_bytes(match: re.Match[bytes]) -> bytes:
    data = match.group()
    return b"e-" if data == b"e-0" else data


def ujson_style(text: str, *, compact: bool = True) -> str:
    """Encoded JSON text (of whole values, compact unless told) rewritten the way ujson writes it."""
    text = text.replace("/", "\\/")
    if _has_exponent(text) if compact else "e-0" in text:
        text = _STRING_OR_EXPONENT.sub(_exponent, text)
    return text


def ujson_exponents(data: bytes) -> bytes:
    """The exponents of compact JSON text (UTF-8 bytes of whole values) written as ujson writes them ("1e-7",
    not "1e-07"): `ujson_style` of UTF-8 bytes but for the "/", which the JSON writers escape in each chunk
    (`io.export_json.flush`), one pass for all of it."""
    if _has_exponent_bytes(data):
        data = _STRING_OR_EXPONENT_BYTES.sub(_exponent_bytes, data)
    return data


def ujson_number(value: Any) -> bytes:
    """`encode_scalar` of a column's value, a float's exponent written as ujson writes it."""
    data = encode_scalar(value)
    return data.replace(b"e-0", b"e-") if type(value) is float else data


_NUMBER_START = frozenset(":,[")  # what comes before a number in compact JSON
_NUMBER_START_BYTES = (b":", b",", b"[")


def _has_exponent(text: str) -> bool:
    """Whether `text` may hold a number with an "e-0<digit>" exponent: "e-0" between digits, in a run of
    digits and "." that follows ":", "," or "[" (with a "-"). A string may hold that too; then the exact
    rewrite runs for nothing. `str.find` skips the rest of the text quickly."""
    at = text.find("e-0")
    while at >= 0:
        if text[at + 3 : at + 4].isdigit():
            start = at
            while start and (text[start - 1].isdigit() or text[start - 1] == "."):
                start -= 1
            if start < at and text[start - 1 : start] == "-":
                start -= 1
            if start < at and text[start - 1 : start] in _NUMBER_START:
                return True
        at = text.find("e-0", at + 3)
    return False


def _has_exponent_bytes(data: bytes) -> bool:
    """`_has_exponent` of UTF-8 bytes (an exponent is ASCII, whatever else `str.isdigit` takes for a digit)."""
    at = data.find(b"e-0")
    while at >= 0:
        if data[at + 3 : at + 4].isdigit():
            start = at
            while start and (data[start - 1 : start].isdigit() or data[start - 1 : start] == b"."):
                start -= 1
            if start < at and data[start - 1 : start] == b"-":
                start -= 1
            if start < at and data[start - 1 : start] in _NUMBER_START_BYTES:
                return True
        at = data.find(b"e-0", at + 3)
    return False


def dumps_compact(value: Any) -> str:
    """`ujson.dumps(value, ensure_ascii=False)`."""
    return ujson_style(_COMPACT.encode(value))


def dumps_indented(value: Any) -> str:
    """`ujson.dumps(value, ensure_ascii=False, indent=2)`."""
    return ujson_style(_INDENTED.encode(value), compact=False)


def encode_compact(value: Any) -> str:
    """Compact JSON without the ujson rewrite (for callers that rewrite a whole batch at once)."""
    return _COMPACT.encode(value)


class RawJSON(str):
    """JSON text already encoded the way `encode_compact` encodes (compact, not ASCII-escaped), to be written
    as is: a task's `data` read from the database as text skips a decode and an encode."""

    __slots__ = ()


_KEYS: dict[str, str] = {}  # '"key":' for the keys seen so far (a task has the same few every time)


def _key(key: str) -> str:
    text = _KEYS.get(key)
    if text is None:
        text = _KEYS[key] = encode_basestring(key) + ":"
    return text


def encode_value(value: Any) -> str:
    """`encode_compact(value)`, with the common scalars and `RawJSON` text written without the encoder."""
    kind = type(value)
    if kind is RawJSON:
        return value
    if kind is str:
        return encode_basestring(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    return _COMPACT.encode(value)


_PLAIN = frozenset((int, str, bool, type(None), RawJSON))  # orjson writes these as `json` does (or refuses)
_PLAIN_OR_FLOAT = _PLAIN | {float}
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_SUBCLASS  # RawJSON goes to `_fragment`


def _fragment(value: Any) -> orjson.Fragment:
    if type(value) is RawJSON:
        return orjson.Fragment(str(value))  # the exact type: orjson refuses a subclass
    raise TypeError


def encode_task(task: dict[str, Any]) -> str:
    """`encode_compact(task)` for a dict whose values may be `RawJSON` text (a task's `data`, `meta`,
    `annotations`, `predictions`), which is written verbatim. When every value is a plain scalar or `RawJSON`,
    orjson writes it (a float is spelled by `json` first: orjson spells some differently)."""
    kinds = set(map(type, task.values()))
    if not _PLAIN.issuperset(kinds):
        if not _PLAIN_OR_FLOAT.issuperset(kinds):
            return _encode_keys(task)
        task = {key: RawJSON(_COMPACT.encode(v)) if type(v) is float else v for key, v in task.items()}
    try:
        return orjson.dumps(task, default=_fragment, option=_ORJSON_OPTIONS).decode()
    except orjson.JSONEncodeError:  # an integer beyond 64 bits, a lone surrogate
        return _encode_keys(task)


def _encode_keys(task: dict[str, Any]) -> str:
    return "{" + ",".join([_key(key) + encode_value(value) for key, value in task.items()]) + "}"


def raw_list(items: list[str]) -> RawJSON:
    """The JSON list of already encoded items."""
    return RawJSON("[" + ",".join(items) + "]")


def recompact(text: str) -> RawJSON:
    """`encode_compact(json.loads(text))` for JSON text in another spelling (PostgreSQL's `jsonb` text puts a
    space after ":" and ","). orjson writes it when its bytes are `json`'s: no float in the value (their
    spellings differ, "1e-05" against "0.00001") and no integer beyond 64 bits (orjson refuses those)."""
    value, _plain = decode(text)
    if not _holds_float(value):
        try:
            return RawJSON(orjson.dumps(value).decode())
        except orjson.JSONEncodeError:
            pass
    return RawJSON(_COMPACT.encode(value))


def encode_scalar(value: Any) -> bytes:
    """`encode_compact(value)` as UTF-8 bytes, for a column's value (None, an integer, a string, a float...)."""
    if value is None:
        return b"null"
    kind = type(value)
    if kind is int:
        return b"%d" % value
    if kind is str:
        return to_utf8(encode_basestring(value))
    if kind is bool:
        return b"true" if value else b"false"
    return to_utf8(_COMPACT.encode(value))


def _holds_float(value: Any) -> bool:
    """Whether a decoded JSON value holds a float (the scalars of each container looked at in place, only
    containers go on the stack)."""
    kind = type(value)
    if kind is not dict and kind is not list:
        return kind is float
    stack = [value]
    while stack:
        node = stack.pop()
        for item in node.values() if type(node) is dict else node:
            kind = type(item)
            if kind is float:
                return True
            if kind is dict or kind is list:
                stack.append(item)
    return False


def to_utf8(text: str) -> bytes:
    """UTF-8 bytes of JSON text; a lone surrogate becomes its \\uXXXX escape, which JSON readers accept."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode("utf-8")
