"""SQL expressions over task data that compile to the same text on every call, per dialect, so that the
expression indexes made by `data_indexes` serve the queries that use them (a bound JSON path would not)."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Float, String, Text, cast, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnClause
from sqlalchemy.sql.visitors import InternalTraversal

KEY = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
NUMBER = r"^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$"  # what float8 accepts, bar nan/inf


def valid_path(path: tuple[str, ...]) -> bool:
    """Keys that can be written into SQL text: letters, digits, `_` and `-`, at most four deep."""
    return 0 < len(path) <= 4 and all(KEY.match(k) for k in path)


class DataField(ColumnElement[Any]):
    """`data.<path>` of a task as text (or as a number with `numeric`): JSON_EXTRACT on SQLite, `->>` on
    PostgreSQL. The path must pass `valid_path`; it is written into the SQL, not bound."""

    inherit_cache = True
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("path", InternalTraversal.dp_plain_obj),
        ("numeric", InternalTraversal.dp_plain_obj),
    ]

    def __init__(self, column: ColumnClause[Any], path: tuple[str, ...], *, numeric: bool = False) -> None:
        if not valid_path(path):
            raise ValueError(f"data path {'.'.join(path)!r} cannot be used in a query")
        self.column = column
        self.path = path
        self.numeric = numeric
        self.type = Float() if numeric else String()


@compiles(DataField, "sqlite")
def _sqlite(element: DataField, compiler: SQLCompiler, **kw: Any) -> str:
    col = compiler.process(element.column, **kw)
    text = f"json_extract({col}, '$.{'.'.join(element.path)}')"
    if not element.numeric:
        return text
    # As on PostgreSQL, text that does not read as a number is NULL (a plain CAST would make it 0).
    bare = f"trim({text})"
    return (
        f"(CASE WHEN typeof({text}) IN ('integer', 'real') THEN {text} "
        f"WHEN typeof({text}) = 'text' AND {bare} GLOB '*[0-9]*' AND {bare} NOT GLOB '*[^0-9.eE+-]*' "
        f"THEN CAST({bare} AS REAL) END)"
    )


@compiles(DataField, "postgresql")
def _postgresql(element: DataField, compiler: SQLCompiler, **kw: Any) -> str:
    col = compiler.process(element.column, **kw)
    if len(element.path) == 1:
        text = f"({col} ->> '{element.path[0]}')"
    else:
        text = f"({col} #>> '{{{','.join(element.path)}}}')"
    if not element.numeric:
        return text
    # A value that does not read as a number is NULL, not an error that would fail the whole query.
    return f"(CASE WHEN {text} ~ '{NUMBER}' THEN ({text})::float8 END)"


class ContainsText(ColumnElement[bool]):
    """Case-insensitive substring test: `LIKE` on SQLite (already case-insensitive for ASCII, as `lower()`
    is there), `ILIKE` on PostgreSQL. `pattern` is escaped with a backslash by the caller."""

    inherit_cache = True
    _traverse_internals = [
        ("expr", InternalTraversal.dp_clauseelement),
        ("pattern", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, expr: ColumnElement[Any], pattern: ColumnElement[Any]) -> None:
        self.expr = expr
        self.pattern = pattern
        self.type = Boolean()  # a predicate: `not_()` of it is NOT (…), for "not_contains"


def like_pattern(text: str) -> str:
    """A `ContainsText` pattern for `text` anywhere: its backslash, % and _ escaped."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def holds_json_string(json_column: ColumnElement[Any], value: str) -> ContainsText:
    """Whether a JSON column's text holds `value` as a JSON string (quotes included), e.g. a label or choice
    anywhere in an annotation's result. Case-insensitive, as `ContainsText`."""
    return ContainsText(cast(json_column, Text), literal(like_pattern(json.dumps(value, ensure_ascii=False))))


@compiles(ContainsText, "sqlite")
def _contains_sqlite(element: ContainsText, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.expr, **kw)} LIKE {compiler.process(element.pattern, **kw)} ESCAPE '\\'"


@compiles(ContainsText, "postgresql")
def _contains_postgresql(element: ContainsText, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.expr, **kw)} ILIKE {compiler.process(element.pattern, **kw)} ESCAPE '\\'"


class DataContains(ColumnElement[bool]):
    """`ContainsText` of a `DataField` (a text filter or search on `data.<path>`). On SQLite, when the text
    sought `raw_text_may_hold` it, the stored JSON text is tested first with a plain `LIKE` (no JSON parsing):
    a task whose field holds the text holds it in its stored text too, so most rows are passed over without
    `json_extract` (about three times fewer microseconds a row). PostgreSQL's `->>` reads `jsonb` directly."""

    inherit_cache = True
    _traverse_internals = [
        ("field", InternalTraversal.dp_clauseelement),
        ("pattern", InternalTraversal.dp_clauseelement),
        ("prefilter", InternalTraversal.dp_plain_obj),
    ]

    def __init__(self, field: DataField, text: str) -> None:
        self.field = field
        self.pattern = literal(like_pattern(text))
        self.prefilter = raw_text_may_hold(text)
        self.type = Boolean()


_NUMBER_CHARS = frozenset("0123456789.+-eE")


def raw_text_may_hold(text: str) -> bool:
    """Whether a field's value that holds `text` (ASCII case aside) must show it in the task's stored JSON text
    as well: printable ASCII that no JSON writer escapes (no quote, backslash or "/"), and not only characters
    of a number (SQLite gives numbers, true and false as numbers, spelled its own way: `1.0e+16`, `1`)."""
    return bool(text) and all(" " <= c <= "~" and c not in '"\\/' for c in text) and not _NUMBER_CHARS.issuperset(text)


@compiles(DataContains, "sqlite")
def _data_contains_sqlite(element: DataContains, compiler: SQLCompiler, **kw: Any) -> str:
    pattern = compiler.process(element.pattern, **kw)
    field = f"{compiler.process(element.field, **kw)} LIKE {pattern} ESCAPE '\\'"
    if not element.prefilter:
        return field
    return f"({compiler.process(element.field.column, **kw)} LIKE {pattern} ESCAPE '\\' AND {field})"


@compiles(DataContains, "postgresql")
def _data_contains_postgresql(element: DataContains, compiler: SQLCompiler, **kw: Any) -> str:
    pattern = compiler.process(element.pattern, **kw)
    return f"{compiler.process(element.field, **kw)} ILIKE {pattern} ESCAPE '\\'"


class UtcDay(ColumnElement[str]):
    """The UTC calendar day of a stored time as `YYYY-MM-DD` text: the first ten characters of SQLite's stored
    text (times are stored in UTC), `to_char` of the time at UTC on PostgreSQL."""

    inherit_cache = True
    _traverse_internals = [("expr", InternalTraversal.dp_clauseelement)]

    def __init__(self, expr: ColumnElement[Any]) -> None:
        self.expr = expr
        self.type = String()

    @property
    def _from_objects(self) -> list[Any]:
        return self.expr._from_objects


@compiles(UtcDay, "sqlite")
def _day_sqlite(element: UtcDay, compiler: SQLCompiler, **kw: Any) -> str:
    return f"substr({compiler.process(element.expr, **kw)}, 1, 10)"


@compiles(UtcDay, "postgresql")
def _day_postgresql(element: UtcDay, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char({compiler.process(element.expr, **kw)} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
