"""Label Studio's data-manager query (filters, ordering, selected items) compiled to SQL over an allowlist:
task columns by name, and `data.<key>` JSON paths. Anything else is refused with the item named."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    cast,
    exists,
    false,
    func,
    literal,
    not_,
    null,
    or_,
    select,
)

from tessera.db.expressions import ContainsText, DataContains, DataField, holds_json_string, like_pattern, valid_path
from tessera.db.tables import Annotation, Task
from tessera.domain.errors import InvalidInput
from tessera.domain.ids import as_row_id, is_row_id
from tessera.services.filter_values import filter_value


def _of_task(*conds: ColumnElement[bool], author: int | None) -> list[ColumnElement[bool]]:
    """The task's annotations meeting `conds`; only `author`'s when the caller may not see others' work
    (otherwise a filter or a sort would tell an annotator which tasks others did and how they were reviewed)."""
    mine = [Annotation.completed_by == author] if author is not None else []
    return [Annotation.task_id == Task.id, *conds, *mine]


def _count_of(*conds: ColumnElement[bool], author: int | None) -> Any:
    where = _of_task(*conds, author=author)
    return select(func.count()).select_from(Annotation).where(*where).correlate(Task).scalar_subquery()


COLUMNS: dict[str, Any] = {
    "id": Task.id,
    "inner_id": Task.inner_id,
    "total_annotations": Task.total_annotations,
    "cancelled_annotations": Task.cancelled_annotations,
    "total_predictions": Task.total_predictions,
    "is_labeled": Task.is_labeled,
    "created_at": Task.created_at,
    "updated_at": Task.updated_at,
}
# Columns computed from the task's annotations, so from those the caller may see: when the last completed one
# was made (NULL for a task nobody has completed), and how many a review accepted, rejected, or has yet to see
# (one indexed count each).
ANNOTATION_COLUMNS: dict[str, Callable[[int | None], Any]] = {
    "completed_at": lambda author: (
        select(func.max(Annotation.created_at))
        .where(*_of_task(Annotation.was_cancelled.is_(False), author=author))
        .correlate(Task)
        .scalar_subquery()
    ),
    "reviews_accepted": lambda author: _count_of(Annotation.review_status == "accepted", author=author),
    "reviews_rejected": lambda author: _count_of(Annotation.review_status == "rejected", author=author),
    "reviews_pending": lambda author: _count_of(
        Annotation.review_status.is_(None), Annotation.was_cancelled.is_(False), author=author
    ),
    # How much the annotators agree tells of others' work: for an annotator who may not see it, nothing.
    "agreement": lambda author: Task.agreement if author is None else null(),
}
NUMERIC = {
    "id",
    "inner_id",
    "total_annotations",
    "cancelled_annotations",
    "total_predictions",
    "reviews_accepted",
    "reviews_rejected",
    "reviews_pending",
    "agreement",
}
OPERATORS = {
    "equal",
    "not_equal",
    "contains",
    "not_contains",
    "less",
    "greater",
    "less_or_equal",
    "greater_or_equal",
    "in",
    "not_in",
    "empty",
    "regex",
}


def parse_query(raw: str | dict | None) -> dict[str, Any]:
    if raw is None or raw == "":
        return {}
    if isinstance(raw, dict):
        return raw
    try:
        query = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"query is not valid JSON: {exc.msg}", field_errors={"query": [exc.msg]}) from exc
    if not isinstance(query, dict):
        raise InvalidInput("query must be a JSON object", field_errors={"query": ["must be an object"]})
    return query


def task_key(name: str) -> str | None:
    """`id` of `tasks:id` or `filter:tasks:id`, `data.text` of `tasks:data.text`; None for other names."""
    return name.split(":", 2)[-1] if name.startswith(("filter:tasks:", "tasks:")) else None


def _column(name: str, where: str, *, numeric: bool = False, author: int | None = None) -> ColumnElement[Any]:
    key = task_key(name)
    if key is None:
        raise InvalidInput(f"{where}: unknown column {name!r}", field_errors={"query": [f"unknown column {name!r}"]})
    if key.startswith("data."):
        path = tuple(key[5:].split("."))
        if not all(path):
            raise InvalidInput(f"{where}: bad data path {key!r}")
        if valid_path(path):  # written into the SQL, so that an expression index can serve it
            return DataField(Task.__table__.c.data, path, numeric=numeric)
        element = Task.data[path] if len(path) > 1 else Task.data[path[0]]
        return element.as_float() if numeric else element.as_string()
    if key in ANNOTATION_COLUMNS:
        return ANNOTATION_COLUMNS[key](author)
    if key not in COLUMNS:
        raise InvalidInput(
            f"{where}: column {key!r} cannot be filtered or ordered",
            field_errors={"query": [f"unsupported column {key!r}"]},
        )
    return COLUMNS[key]


def _filter(item: Any, i: int, author: int | None) -> ColumnElement[bool]:
    where = f"query.filters.items[{i}]"
    if not isinstance(item, dict):
        raise InvalidInput(f"{where} must be an object")
    op = item.get("operator")
    if not isinstance(op, str) or op not in OPERATORS:
        raise InvalidInput(f"{where}: unknown operator {op!r}", field_errors={"query": [f"unknown operator {op!r}"]})
    name = str(item.get("filter", ""))
    kind = str(item.get("type", "String"))
    value = item.get("value")
    key = name.split(":")[-1]
    numeric = kind in ("Number", "Datetime") or key in NUMERIC
    if name.endswith(":annotators"):
        return _annotators(op, value, where, author)
    if name.endswith(":annotations_results"):
        return _labelled(op, value, where, author)
    col = _column(name, where, numeric=numeric and kind == "Number" and key.startswith("data."), author=author)
    if op == "empty":
        is_empty = or_(col.is_(None), col == "") if not numeric else col.is_(None)
        return is_empty if _truthy(value) else not_(is_empty)
    if op in ("contains", "not_contains"):
        if isinstance(col, DataField):
            cond: ColumnElement[bool] = DataContains(col, str(value))
        else:  # a number or a time is searched in its text, as SQLite does by itself
            text = col if issubclass(col.type._type_affinity or String, String) else cast(col, String)
            cond = ContainsText(text, literal(like_pattern(str(value))))
        return cond if op == "contains" else or_(not_(cond), col.is_(None))
    if op == "regex":
        raise InvalidInput(f"{where}: the regex operator is not supported; use contains")
    if op in ("in", "not_in"):
        if not isinstance(value, dict) or "min" not in value or "max" not in value:
            raise InvalidInput(f"{where}: 'in' needs a value {{min, max}}")
        cond = and_(col >= filter_value(value["min"], col, where), col <= filter_value(value["max"], col, where))
        return cond if op == "in" else not_(cond)
    if kind == "Boolean" or key == "is_labeled":
        value = _truthy(value)
    if value is None and op not in ("equal", "not_equal"):
        raise InvalidInput(f"{where}: {op} needs a value", field_errors={"query": [f"{op} needs a value"]})
    value = filter_value(value, col, where)
    return {
        "equal": lambda: col == value,
        "not_equal": lambda: col != value,
        "less": lambda: col < value,
        "greater": lambda: col > value,
        "less_or_equal": lambda: col <= value,
        "greater_or_equal": lambda: col >= value,
    }[op]()


def _annotators(op: str, value: Any, where: str, author: int | None) -> ColumnElement[bool]:
    ids = value if isinstance(value, list) else [value]
    if not all(is_row_id(v) for v in ids):
        raise InvalidInput(f"{where}: annotators take user ids")
    cond = exists().where(*_of_task(Annotation.completed_by.in_(ids), author=author))
    if op in ("contains", "equal", "in"):
        return cond
    if op in ("not_contains", "not_equal", "not_in"):
        return not_(cond)
    raise InvalidInput(f"{where}: operator {op!r} does not apply to annotators")


def _labelled(op: str, value: Any, where: str, author: int | None) -> ColumnElement[bool]:
    """Tasks with an annotation (one the caller may see) that gives the label or choice `value`: the value
    appears in the stored result as a JSON string, quotes included."""
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{where}: a label filter takes a label or choice value")
    cond = exists().where(*_of_task(holds_json_string(Annotation.result, value), author=author))
    if op in ("contains", "equal"):
        return cond
    if op in ("not_contains", "not_equal"):
        return not_(cond)
    raise InvalidInput(f"{where}: operator {op!r} does not apply to labels")


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1", "yes")


def apply_query(
    q: Select[Any], query: dict[str, Any], *, ids: list[int] | None = None, author: int | None = None
) -> Select[Any]:
    """Add the query's filters and selected items to `q` (ordering is separate: see `order_by`). With `author`,
    filters on annotations look only at that user's (see `_of_task`)."""
    filters = query.get("filters") or {}
    items = filters.get("items") if isinstance(filters, dict) else None
    if items is not None and not isinstance(items, list):
        raise InvalidInput("query.filters.items must be a list", field_errors={"query": ["filters.items: not a list"]})
    if items:
        conds = [_filter(item, i, author) for i, item in enumerate(items)]
        conj = filters.get("conjunction", "and")
        if conj not in ("and", "or"):
            raise InvalidInput("query.filters.conjunction must be 'and' or 'or'")
        q = q.where(and_(*conds) if conj == "and" else or_(*conds))
    selected = query.get("selectedItems")
    if isinstance(selected, dict):
        if selected.get("all"):
            excluded = _selected_ids(selected, "excluded")
            if excluded:
                q = q.where(Task.id.not_in(excluded))
        else:
            included = _selected_ids(selected, "included")
            q = q.where(Task.id.in_(included) if included else false())
    if ids is not None:
        q = q.where(Task.id.in_(ids) if ids else false())
    return q


def _selected_ids(selected: dict[str, Any], key: str) -> list[int]:
    """The task ids of `selectedItems.included` or `.excluded`: integers, or their digits as text."""
    values = selected.get(key) or []
    ids = [as_row_id(x) for x in values] if isinstance(values, list) else [None]
    if None in ids:
        raise InvalidInput(
            f"selectedItems.{key} must be a list of task ids", field_errors={f"selectedItems.{key}": ["not task ids"]}
        )
    return ids  # type: ignore[return-value]


def ordering_names(query: dict[str, Any]) -> list[str]:
    """The column names of the query's `ordering` (a name, or a list of names), each "-" prefixed if descending."""
    ordering = query.get("ordering") or []
    if isinstance(ordering, str):
        return [ordering]
    if not isinstance(ordering, list):
        raise InvalidInput("query.ordering must be a list of column names", field_errors={"ordering": ["not a list"]})
    return [str(name) for name in ordering]


@dataclass(frozen=True)
class SortKey:
    """One ordering term: the expression, its direction, and where NULLs fall in it (as the database puts
    them, or last for agreement), which a keyset cursor needs to know."""

    expr: ColumnElement[Any]
    desc: bool
    nulls_last: bool
    name: str


def sort_keys(query: dict[str, Any], *, dialect: str, author: int | None = None) -> list[SortKey]:
    """The query's ordering terms, without the final tie-break on the task id (which follows the direction of
    the last term). NULLs sort as the smallest value on SQLite and as the largest on PostgreSQL."""
    out = []
    for i, name in enumerate(ordering_names(query)):
        desc = name.startswith("-")
        key = name.lstrip("-")
        col = _column(key, f"query.ordering[{i}]", author=author)
        nulls_last = task_key(key) == "agreement" or (desc if dialect == "sqlite" else not desc)
        out.append(SortKey(col, desc, nulls_last, task_key(key) or key))
    return out


def id_desc(keys: list[SortKey]) -> bool:
    return bool(keys) and keys[-1].desc


def order_by(query: dict[str, Any], *, author: int | None = None) -> list[ColumnElement[Any]]:
    keys = sort_keys(query, dialect="", author=author)
    out: list[ColumnElement[Any]] = []
    for key in keys:
        ordered = key.expr.desc() if key.desc else key.expr.asc()
        # Tasks without an agreement come last either way, on both databases (their NULL order differs).
        out.append(ordered.nulls_last() if key.name == "agreement" else ordered)
    out.append(Task.id.desc() if id_desc(keys) else Task.id.asc())
    return out


def ordering_data_paths(query: dict[str, Any]) -> list[tuple[str, ...]]:
    """The `data.<path>` keys the query orders by that an expression index can serve."""
    keys = [task_key(name.lstrip("-")) or "" for name in ordering_names(query)]
    paths = [tuple(key[5:].split(".")) for key in keys if key.startswith("data.")]
    return [path for path in paths if valid_path(path)]


def ordering_task_columns(query: dict[str, Any]) -> list[str]:
    """The task columns the query orders by (counters, times): each gets an index on first use."""
    keys = [task_key(name.lstrip("-")) or "" for name in ordering_names(query)]
    return [key for key in keys if key in COLUMNS]


def project_tasks(project_id: int) -> Select[Any]:
    return select(Task).where(Task.project_id == project_id)
