"""The JSON writers' annotation and prediction lines made by PostgreSQL: each row of the export's annotation
and prediction queries is `(task id, the line's text)`, made by one `format()` in the query from the same
template as `export_lines` fills on SQLite. PostgreSQL makes them on its own core, and the export's thread,
which holds the GIL for every value it formats, only copies them: the server had room since it copies the
tasks' `data` (`Task.data_text`) instead of making it from `jsonb`. A JSONL export of a million tasks went
from 16.5-18.3 s to 15.1-15.9 s (2026-11-29). Parquet keeps the lines made in Python: its Python work is
lighter (no md5 of 2.4 GB), and the server's 2.5 s more made it a second slower.

The values are spelled as the JSON encoder spells them: strings escaped by `to_json` (as `json`'s
`encode_basestring`: `"`, `\\` and control characters), `result` and `presentation` as `jsonb`'s text,
timestamps as `ISO_UTC`, and floats as `float8`'s shortest text with ".0" added to a whole number below
1e15, as Python writes it (from 1e15 to 1e16 PostgreSQL writes an exponent where Python does not; the value
is the same). The JSON writers then write the exponents as ujson does (`ls_json.ujson_exponents`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text, and_, case, cast, func, literal

from tessera.db.tables import Annotation, Prediction

_A = Annotation.__table__.c
_P = Prediction.__table__.c
_NULL = "null"
WHOLE_BELOW = 1e15  # PostgreSQL writes a whole float from here on with an exponent, Python from 1e16


def sql_template(template: bytes) -> str:
    """A `%d`/`%b` bytes template of `export_lines` as `format()`'s template (`%s` for each value)."""
    text = template.decode()
    assert text.count("%") == text.count("%d") + text.count("%b"), "a % that is not a value's place"
    return text.replace("%d", "%s").replace("%b", "%s")


def json_text(column: Any) -> Any:
    """An integer or `jsonb` column as JSON text; `null` for NULL."""
    return func.coalesce(cast(column, Text), _NULL)


def json_string(column: Any) -> Any:
    return func.coalesce(cast(func.to_json(column), Text), _NULL)


def json_flag(column: Any) -> Any:
    return case((column, "true"), else_="false")


def json_float(column: Any) -> Any:
    """A float as Python writes it (see the module's doc); `NaN` and `Infinity` as `json` writes them."""
    text = cast(column, Text)
    whole = and_(column == func.floor(column), func.abs(column) < WHOLE_BELOW)
    return func.coalesce(case((whole, text + ".0"), else_=text), _NULL)


def quoted(stamp: Any) -> Any:
    return literal('"') + stamp + '"'


def annotation_line(template: bytes, stamp: Any) -> Any:
    """The line of an annotation row, its values in `export_lines._ANNOTATION`'s order; `stamp` makes the
    text of a timestamp column."""
    a = _A
    return func.format(
        sql_template(template),
        a.id,
        json_text(a.result),
        json_text(a.completed_by),
        json_flag(a.was_cancelled),
        json_flag(a.ground_truth),
        quoted(stamp(a.created_at)),
        quoted(stamp(a.updated_at)),
        json_float(a.lead_time),
        json_text(a.import_id),
        json_string(a.last_action),
        a.task_id,
        a.project_id,
        json_text(a.updated_by),
        json_text(a.parent_prediction_id),
        json_text(a.parent_annotation_id),
        json_string(a.unique_id),
        a.version,
        json_string(a.review_status),
        json_text(a.presentation),
    )


def prediction_line(template: bytes, stamp: Any) -> Any:
    """The line of a prediction row, its values in `export_lines._PREDICTION`'s order."""
    p = _P
    return func.format(
        sql_template(template),
        p.id,
        json_text(p.result),
        json_string(p.model_version),
        json_float(p.score),
        quoted(stamp(p.created_at)),
        quoted(stamp(p.updated_at)),
        p.task_id,
        p.project_id,
    )
