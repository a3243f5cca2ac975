"""PostgreSQL statements run on psycopg's libpq connection directly (`raw_sql.RawStatement`): prepared once
per connection under a name of their own, their values made text by psycopg's dumpers and their row read by
its loaders, so that they are converted exactly as a cursor converts them, without the cursor's bookkeeping
around each statement (a statement cost 78 µs of CPU through a cursor and about 30 µs so, 2026-11-29).

psycopg prepares statements of its own (those run five times on a connection) and drops them all with
`DEALLOCATE ALL` after a rollback, and after a statement that may change what they refer to (DROP, ALTER):
that takes these away too. `follow_deallocations`, on each new connection, has psycopg's clearing make this
module forget what it prepared there, so the next statement prepares again.

A transaction: psycopg looks at the connection's status, which libpq keeps, to know whether it must send
`BEGIN` before a statement. `opening` tells when it would (a connection not in autocommit, idle, without
transaction settings); `first_row` then sends that `BEGIN` with the statement, in libpq's pipeline mode, in one
round trip instead of two, and leaves the rest to a cursor; the driver's COMMIT and ROLLBACK then follow as
usual. An error is raised as the psycopg exception of its SQLSTATE, as a cursor raises it.
"""

from __future__ import annotations

import itertools
import math
import re
import select
import threading
from contextlib import suppress
from dataclasses import dataclass
from enum import Enum
from typing import Any
from weakref import WeakKeyDictionary

_PLACEHOLDER = re.compile(r"%%|%\(([^)]+)\)s")
_numbers = itertools.count(1)
_numbers_lock = threading.Lock()


@dataclass(frozen=True)
class Prepared:
    name: bytes  # the prepared statement's name, the same on every connection
    sql: bytes  # with $1, $2… for the parameters
    names: tuple[str, ...]  # the bind parameter of each $n


def prepared(pyformat_sql: str) -> Prepared:
    """The libpq form of a statement compiled for psycopg (`%(name)s` parameters, `%%` for a percent sign)."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return "%"
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    sql = _PLACEHOLDER.sub(number, pyformat_sql)
    with _numbers_lock:
        name = f"tessera_raw_{next(_numbers)}".encode()
    return Prepared(name, sql.encode(), tuple(names))


class _State:
    """What a driver connection has of this module: its transformer (psycopg's adapters for it), the names
    of the statements prepared on it and the statements to send with its COMMIT (`send_with_commit`); and
    psycopg's modules, imported here, with a connection's first statement, rather than at each statement
    (an import in a function costs a lookup each time it runs)."""

    def __init__(self, driver: Any) -> None:
        # PostgreSQL only: SQLite never imports psycopg
        from psycopg import errors, pq  # noqa: PLC0415
        from psycopg.adapt import PyFormat, Transformer  # noqa: PLC0415

        self.transformer = Transformer(driver)
        self.prepared: set[bytes] = set()
        self.on_commit: list[bytes] = []
        self.errors, self.pq, self.text = errors, pq, PyFormat.TEXT
        self.pipelines = pq.version() >= PIPELINES_FROM  # the libpq psycopg runs on


_states: WeakKeyDictionary[Any, _State] = WeakKeyDictionary()
_states_lock = threading.Lock()  # a connection's first statement adds its state; the threads share the map
PIPELINES_FROM = 140000  # libpq 14
INVALID_STATEMENT_NAME = "26000"  # SQLSTATE: the prepared statement is not there


def _state(driver: Any) -> _State:
    state = _states.get(driver)
    if state is None:
        with _states_lock:
            state = _states.setdefault(driver, _State(driver))
    return state


def follow_deallocations(driver: Any) -> None:
    """Forget the statements prepared on the driver connection whenever psycopg clears its own (it then sends
    `DEALLOCATE ALL`). Where psycopg keeps that elsewhere than this version does, its preparing is turned off,
    which leaves these alone."""
    manager = getattr(driver, "_prepared", None)
    clear = getattr(manager, "clear", None)
    if clear is None:
        driver.prepare_threshold = None
        return

    def clear_both() -> bool:
        cleared = bool(clear())  # True: psycopg sends DEALLOCATE ALL next
        state = _states.get(driver)
        if cleared and state is not None:
            state.prepared.clear()
        return cleared

    manager.clear = clear_both  # type: ignore[union-attr]


class Opening(Enum):
    """How a statement run here meets the connection's transaction (`opening`)."""

    CURSOR = 0  # a failed transaction, or one with settings of its own: a cursor runs the statement
    READY = 1  # inside a transaction already, or in autocommit
    BEGIN = 2  # idle: the statement goes with the `BEGIN` psycopg would send, in one round trip


def opening(driver: Any) -> Opening:
    """What a statement run here on the driver connection needs, as a cursor would see it."""
    state = _state(driver)
    status = driver.pgconn.transaction_status
    if status == state.pq.TransactionStatus.INTRANS:
        return Opening.READY
    if status != state.pq.TransactionStatus.IDLE:
        return Opening.CURSOR
    if driver.autocommit:
        return Opening.READY
    if driver.isolation_level is not None or driver.read_only is not None or driver.deferrable is not None:
        return Opening.CURSOR
    return Opening.BEGIN


def first_row(
    driver: Any, statement: Prepared, values: dict[str, Any], opening: Opening = Opening.READY
) -> tuple[Any, ...] | None:
    """Run the statement with `values` (by bind name) on the driver connection; its first row, or None.
    With `Opening.BEGIN` the transaction's `BEGIN` (and the statement's PREPARE, the first time on this
    connection) go with it, in a pipeline; otherwise a statement not yet prepared here is prepared first."""
    state = _state(driver)
    errors, pq = state.errors, state.pq
    pgconn = driver.pgconn
    args = [values[name] for name in statement.names]
    tx = state.transformer
    params = tx.dump_sequence(args, [state.text] * len(args))
    if opening is Opening.BEGIN and state.pipelines:
        result = _begin_and_run(driver, state, statement, params)
    else:
        if opening is Opening.BEGIN:
            _check(driver, state, pgconn.exec_(b"BEGIN"))
        if statement.name not in state.prepared:
            _check(driver, state, pgconn.prepare(statement.name, statement.sql))
            state.prepared.add(statement.name)
        result = pgconn.exec_prepared(statement.name, params)
    if result.status not in (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK):
        if result.error_field(pq.DiagnosticField.SQLSTATE) == INVALID_STATEMENT_NAME.encode():
            state.prepared.discard(statement.name)  # gone some way not followed: the next use prepares it again
        raise errors.error_from_result(result, encoding=driver.info.encoding)
    if not result.ntuples or not result.nfields:
        return None
    tx.set_pgresult(result)
    row: tuple[Any, ...] = tx.load_row(0, tuple)
    tx.set_pgresult(None)
    return row


def _check(driver: Any, state: _State, result: Any) -> None:
    if result.status != state.pq.ExecStatus.COMMAND_OK:
        raise state.errors.error_from_result(result, encoding=driver.info.encoding)


def _begin_and_run(driver: Any, state: _State, statement: Prepared, params: Any) -> Any:
    """`BEGIN`, the statement's PREPARE when it is new here, and the statement, sent together in libpq's
    pipeline mode, and their results read back: the statement's, or the first that failed (the transaction
    is then as a failed statement leaves it)."""
    pq, pgconn = state.pq, driver.pgconn
    prepare = statement.name not in state.prepared
    results = []
    pgconn.enter_pipeline_mode()
    try:
        pgconn.send_query_params(b"BEGIN", None)
        if prepare:
            pgconn.send_prepare(statement.name, statement.sql)
        pgconn.send_query_prepared(statement.name, params)
        pgconn.pipeline_sync()
        _send_all(pgconn)
        while (result := _next_result(pgconn)) is None or result.status != pq.ExecStatus.PIPELINE_SYNC:
            if result is not None:  # None ends one command's results
                results.append(result)
    except BaseException:
        with suppress(Exception):  # a connection that broke half-way cannot leave the mode: the error says why
            pgconn.exit_pipeline_mode()
        raise
    pgconn.exit_pipeline_mode()
    if prepare and results[1].status == pq.ExecStatus.COMMAND_OK:
        state.prepared.add(statement.name)
    ok = (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK)
    return next((result for result in results if result.status not in ok), results[-1])


def _send_all(pgconn: Any) -> None:
    """Flush what libpq holds to send (the connection is non-blocking), reading meanwhile when the server
    answers first."""
    while pgconn.flush():
        readable, _, _ = select.select([pgconn.socket], [pgconn.socket], [])
        if readable:
            pgconn.consume_input()


def _next_result(pgconn: Any) -> Any:
    """libpq's next result, waited for on the socket: psycopg's `get_result` holds the interpreter's lock
    while it blocks, which would stop every other thread of the process for a round trip."""
    pgconn.consume_input()
    while pgconn.is_busy():
        select.select([pgconn.socket], [], [])
        pgconn.consume_input()
    return pgconn.get_result()


def literal(pyformat_sql: str, values: dict[str, Any]) -> bytes:
    """The statement with its values written in, for `send_with_commit`: integers, finite floats and NULL
    only, so that nothing a user wrote can be read as SQL."""

    def value(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return "%"
        found = values[match.group(1)]
        if found is None:
            return "NULL"
        if type(found) is int or (type(found) is float and math.isfinite(found)):
            return repr(found)
        raise TypeError(
            f"only integers, finite floats and None are written into a statement sent with COMMIT, not {found!r}"
        )

    return _PLACEHOLDER.sub(value, pyformat_sql).encode()


def send_with_commit(driver: Any, sql: bytes) -> bool:
    """Have the driver connection's COMMIT of its transaction send `sql` before it, in the same round trip
    (`follow_commits`), once however often it is given (in the place it was last given: what it writes then
    comes after whatever was given in between); a rollback forgets it. False when no transaction is open
    here: run it now instead."""
    state = _state(driver)
    if driver.pgconn.transaction_status != state.pq.TransactionStatus.INTRANS:
        return False
    if sql in state.on_commit:  # a bump per batch or per task of one transaction: one does
        state.on_commit.remove(sql)
    state.on_commit.append(sql)
    return True


def follow_commits(driver: Any) -> None:
    """On a new driver connection: its `commit` sends the statements given to `send_with_commit` and the
    COMMIT as one query (one round trip), its `rollback` forgets them. The row such a statement writes is
    locked only while the server runs the query, not also while the process gets back to committing (under
    load, waiting its turn for the interpreter)."""
    commit, rollback = driver.commit, driver.rollback

    def commit_with_statements() -> None:
        state = _states.get(driver)
        if state is None or not state.on_commit:
            commit()
            return
        statements, state.on_commit = state.on_commit, []
        if driver.pgconn.transaction_status != state.pq.TransactionStatus.INTRANS:
            commit()  # a failed transaction: psycopg's COMMIT ends it as PostgreSQL does (a rollback)
            return
        result = driver.pgconn.exec_(b";".join([*statements, b"COMMIT"]))
        if result.status != state.pq.ExecStatus.COMMAND_OK:
            # A statement failed, so the COMMIT never ran: end the transaction as a failed COMMIT ends it
            rollback()
            raise state.errors.error_from_result(result, encoding=driver.info.encoding)

    def rollback_forgetting() -> None:
        state = _states.get(driver)
        if state is not None:
            state.on_commit.clear()
        rollback()

    driver.commit, driver.rollback = commit_with_statements, rollback_forgetting
