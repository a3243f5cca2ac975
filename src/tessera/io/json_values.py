"""Parsing one JSON value of an import file, and the limits every imported value must respect.

Python's `json` accepts things a task must not carry: NaN and Infinity, written as such or as a number beyond
a double's range such as 1e400 (PostgreSQL's JSONB refuses them, SQLite would store invalid JSON text),
`\\u0000` and lone surrogates in strings (neither PostgreSQL text nor UTF-8 can hold them), and nesting deep
enough to exhaust the recursion limit of whatever walks the value next. `problem_in` finds them; it does the
full walk only when a cheap scan of the source text says one of them is possible.

`decode` parses with orjson when that gives exactly what `json` gives, and with `json` otherwise: orjson refuses
NaN, Infinity, numbers that overflow a double and lone surrogates (where `json` answers, and the checks above
speak), and reads an integer beyond 64 bits as a float (so a long run of digits goes to `json` straight away).
orjson also holds about 13 times the text's size while it parses, so long texts go to `json` too.
Every refusal is `json`'s own, so errors read the same whichever parser ran first.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

MAX_DEPTH = 100
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89abcdefABCDEF])")
# An integer of 19+ digits may not fit in 64 bits. Found by mapping digits to "0" and all else to " " (bytes
# translate and find run in C: ten times faster than a regular expression).
_DIGITS_ONLY = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_LONG_DIGITS = b"0" * 19
FAST_MAX_CHARS = 1 << 16  # texts up to this long go to orjson (peak memory a few MB at most)


class NonFiniteNumber(ValueError):
    """NaN, Infinity or -Infinity in the JSON text."""


def _refuse_constant(name: str) -> Any:
    raise NonFiniteNumber(f"{name} is not a valid JSON number")


def _finite_float(text: str) -> float:
    """A JSON number with a fraction or exponent; one beyond a double's range (1e400) would become Infinity."""
    number = float(text)
    if number - number != 0:
        raise NonFiniteNumber(f"{text} is beyond the range of a double (it would be Infinity)")
    return number


DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)


def decode(text: str, max_fast: int = FAST_MAX_CHARS) -> tuple[Any, bool]:
    """(value, plain) of one JSON text, raising as `DECODER.decode` does. `plain` is True when orjson parsed
    it: then it holds only 64-bit integers and finite floats, which `db.bulk.plain_json` writes exactly.
    Texts longer than `max_fast` characters go to `json` (orjson's peak memory grows with the longest string)."""
    if len(text) <= max_fast:
        raw = text.encode("utf-8", "surrogatepass")
        if raw.translate(_DIGITS_ONLY).find(_LONG_DIGITS) < 0:
            try:
                return orjson.loads(raw), True
            except orjson.JSONDecodeError:
                pass  # let `json` accept it (NaN, lone surrogates: refused by the checks after) or say why not
    return DECODER.decode(text), False


_KINDS = {
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    list: "a list",
    dict: "an object",
}


def kind_of(value: Any) -> str:
    """'a string', 'a list'... for error messages."""
    return _KINDS.get(type(value), "null" if value is None else type(value).__name__)


def _bad_string(text: str) -> str | None:
    if "\x00" in text:
        return "a string contains \\u0000 (NUL)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "a string contains a lone UTF-16 surrogate escape (\\ud800-\\udfff)"
    return None


def _too_deep(value: Any) -> bool:
    """Whether `value` nests deeper than MAX_DEPTH: a walk level by level over its lists and objects alone
    (a list of many flat tasks is two comprehensions, not a step per value)."""
    level = [value] if type(value) in _CONTAINERS else []
    depth = 1
    while level:
        if depth > MAX_DEPTH:
            return True
        level = [
            child
            for node in level
            for child in (node.values() if type(node) is dict else node)
            if type(child) in _CONTAINERS
        ]
        depth += 1
    return False


_CONTAINERS = (dict, list)


def _walk(value: Any, check_depth: bool, check_strings: bool) -> str | None:
    if not check_strings:
        return f"nested deeper than {MAX_DEPTH} levels" if check_depth and _too_deep(value) else None
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            if check_depth and depth > MAX_DEPTH:
                break
            for key, child in node.items():
                if check_strings and (problem := _bad_string(key)):
                    return problem
                stack.append((child, depth + 1))
        elif isinstance(node, list):
            if check_depth and depth > MAX_DEPTH:
                break
            stack.extend((child, depth + 1) for child in node)
        elif check_strings and isinstance(node, str) and (problem := _bad_string(node)):
            return problem
    else:
        return None
    return f"nested deeper than {MAX_DEPTH} levels"


def problem_in(value: Any, text: str, start: int, end: int) -> str | None:
    """Why `value`, parsed from `text[start:end]`, cannot be imported; None when it can."""
    brackets = text.count("{", start, end) + text.count("[", start, end)
    check_depth = brackets > MAX_DEPTH  # depth can't exceed the number of opening brackets
    check_strings = text.find("\\u", start, end) >= 0 and _SUSPECT_ESCAPE.search(text, start, end) is not None
    if not (check_depth or check_strings):
        return None
    return _walk(value, check_depth, check_strings)
