"""Keyset (cursor) paging for the task list: a page starts after the last row of the page before, found by its
sort key values and id in an index, so that the thousandth page costs what the first does (an OFFSET walks
every row before the page).

A cursor is the last row's sort key values and id, with the project and a digest of the query (filters,
selection, ordering, author) it belongs to, signed with the install's secret: a cursor that was altered, or
that belongs to another project or query, is refused."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, literal, or_, true
from sqlalchemy.orm import Session

from tessera.db.tables import Task
from tessera.domain.errors import InvalidInput
from tessera.services.secrets import instance_secret
from tessera.services.task_query import SortKey, id_desc

Row = tuple[Any, ...]  # (task id, sort key values...)


def scope_of(project_id: int, query: dict[str, Any], ids: list[int] | None, author: int | None) -> str:
    """What a cursor is good for: this project and this query (its ordering, filters and selection)."""
    what = {
        "p": project_id,
        "f": query.get("filters"),
        "s": query.get("selectedItems"),
        "o": query.get("ordering"),
        "i": ids,
        "a": author,
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _plain(value: Any) -> Any:
    return {"dt": value.isoformat()} if isinstance(value, datetime) else value


def _typed(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"dt"} and isinstance(value["dt"], str):
        return datetime.fromisoformat(value["dt"])
    if isinstance(value, (dict, list)):
        raise ValueError("a sort value is a scalar")
    return value


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(session: Session, body: str) -> str:
    key = instance_secret(session).encode()
    return _b64(hmac.new(key, b"tessera task cursor v1:" + body.encode(), hashlib.sha256).digest()[:16])


def encode_cursor(session: Session, scope: str, row: Row) -> str:
    payload = {"s": scope, "k": [_plain(v) for v in row[1:]], "id": row[0]}
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    return f"{body}.{_signature(session, body)}"


def _bad(why: str) -> InvalidInput:
    return InvalidInput(f"cursor is not valid: {why}", field_errors={"cursor": [why]})


def decode_cursor(session: Session, scope: str, cursor: str, n_keys: int) -> Row:
    """The row a cursor points after: (id, sort key values...). Refused with the parameter named when it was
    not made by this server, or not for this project and query."""
    body, _, signature = cursor.partition(".")
    if not body or not hmac.compare_digest(signature.encode(), _signature(session, body).encode()):
        raise _bad("not a cursor this server gave, or altered")
    try:
        payload = json.loads(_unb64(body))
        values = [_typed(v) for v in payload["k"]]
        last_id = payload["id"]
        if payload["s"] != scope:
            raise _bad("it belongs to another project, view or query; start again from the first page")
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise _bad("it cannot be read") from exc
    if not isinstance(last_id, int) or len(values) != n_keys:
        raise _bad("it cannot be read")
    return (last_id, *values)


def _after(key: SortKey, value: Any) -> ColumnElement[bool]:
    """Rows strictly after `value` in `key`'s order, NULLs where the order puts them."""
    if value is None:
        return key.expr.is_not(None) if not key.nulls_last else false()
    beyond = key.expr < value if key.desc else key.expr > value
    return or_(beyond, key.expr.is_(None)) if key.nulls_last else beyond


def _same(key: SortKey, value: Any) -> ColumnElement[bool]:
    return key.expr.is_(None) if value is None else key.expr == value


def keyset_after(keys: list[SortKey], row: Row) -> ColumnElement[bool]:
    """The general condition for rows after `row` in the order of `keys` then id: for some term, every term
    before it equal and that one beyond."""
    last_id, values = row[0], row[1:]
    id_beyond = Task.id < last_id if id_desc(keys) else Task.id > last_id
    terms = [and_(*[_same(k, v) for k, v in zip(keys[:i], values[:i], strict=True)], _after(keys[i], values[i]))
             for i in range(len(keys))]  # fmt: skip
    terms.append(and_(true(), *[_same(k, v) for k, v in zip(keys, values, strict=True)], id_beyond))
    return or_(*terms)


def rows_after(
    session: Session,
    base: Select[Any],
    keys: list[SortKey],
    order: list[Any],
    row: Row | None,
    limit: int,
    columns: tuple[Any, ...] = (),
) -> list[Row]:
    """Up to `limit` rows of `base` (a select of the project's matching tasks) after `row`, each (id, sort
    values..., `columns`...). With one sort term (as the data manager asks), the rows come in parts that each
    read straight along an index: the rest of the last row's ties (by id), the values beyond it, and the NULLs
    (by id), in the order the sort puts them. (Neither database gives a row comparison such as
    `(expr, id) > (v, i)` to the index in every case: SQLite does not on an expression index.)"""
    select_ = base.with_only_columns(Task.id, *[k.expr for k in keys], *columns)
    if len(keys) != 1:
        q = select_.where(keyset_after(keys, row)) if row is not None else select_
        return [tuple(r) for r in session.execute(q.order_by(*order).limit(limit))]
    key = keys[0]
    by_id = Task.id.desc() if key.desc else Task.id.asc()
    by_key = key.expr.desc() if key.desc else key.expr.asc()

    def valued(*cond: ColumnElement[bool]) -> Select[Any]:
        return select_.where(key.expr.is_not(None), *cond).order_by(by_key, by_id)

    def ties(value: Any, *cond: ColumnElement[bool]) -> Select[Any]:
        # Ordered by the (here constant) key too, so that the planner reads the key's index, not the id's.
        same = key.expr.is_(None) if value is None else key.expr == literal(value, key.expr.type)
        return select_.where(same, *cond).order_by(by_key, by_id)

    if row is None:  # the first page: the part the order puts first, then the other
        parts = [valued(), ties(None)] if key.nulls_last else [ties(None), valued()]
    else:
        last_id, value = row
        after_id = Task.id < last_id if key.desc else Task.id > last_id
        if value is None:
            parts = [ties(None, after_id)] + ([] if key.nulls_last else [valued()])
        else:
            bound = literal(value, key.expr.type)
            parts = [ties(value, after_id), valued(key.expr < bound if key.desc else key.expr > bound)]
            parts += [ties(None)] if key.nulls_last else []
    out: list[Row] = []
    for part in parts:
        out += [tuple(r) for r in session.execute(part.limit(limit - len(out)))]
        if len(out) >= limit:
            break
    return out
