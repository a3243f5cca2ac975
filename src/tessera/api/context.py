"""Per-request context: a database session (write transactions for unsafe methods) and the actor behind the
credentials (`Token`, `Bearer` JWT or the session cookie with its CSRF token)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from tessera.db.engine import Database
from tessera.domain.errors import InvalidInput, NotAuthenticated, PermissionDenied
from tessera.io.json_values import NonFiniteNumber, decode, problem_in
from tessera.net.outbound import OutboundClient
from tessera.services import auth, tokens
from tessera.services.actors import Actor
from tessera.services.secrets import same
from tessera.settings import Settings

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SESSION_COOKIE = "tessera_session"
CSRF_HEADER = "x-csrftoken"
NO_CREDENTIALS = "Authentication credentials were not provided."


@dataclass
class Ctx:
    session: Session
    actor: Actor
    settings: Settings
    request: Request

    def commit(self) -> None:
        self.session.commit()


def database(request: Request) -> Database:
    return request.app.state.db


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def outbound_client(request: Request) -> OutboundClient:
    """The app's one guarded client for URLs users give (built in `create_app` from the allowlist setting)."""
    return request.app.state.outbound


async def db_session(request: Request) -> AsyncIterator[Session]:
    # Async, so that FastAPI runs it on the event loop rather than hopping to a worker thread to open the
    # session and again to close it: making a Session touches no database, and closing one after a commit
    # has nothing to send (after an error, one ROLLBACK).
    db = database(request)
    session = db.reader() if request.method in SAFE_METHODS else db.writer()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def _credentials_actor(request: Request, session: Session) -> Actor | None:
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, value = header.partition(" ")
        value = value.strip()
        if scheme.lower() == "token" and value:
            if tokens.looks_like_jwt(value):
                # The SDK sends a personal access token this way only after refreshing; accept both.
                return auth.actor_for(tokens.user_for_access(session, value))
            return tokens.actor_for_token(session, value)
        if scheme.lower() == "bearer" and value:
            return auth.actor_for(tokens.user_for_access(session, value))
        raise NotAuthenticated("Invalid token header.")
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = auth.resolve_session(session, cookie)
        if found is None:
            return None
        user, browser = found
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER) or ""
            if not sent or not same(sent, browser.csrf_token):
                raise PermissionDenied("CSRF token missing or wrong: send the X-CSRFToken header")
        return auth.actor_for(user)
    return None


def _actor(request: Request, session: Session) -> Actor | None:
    """A read request checks the credentials in its own session; a write request in a read transaction of
    their own, so that it holds its write transaction (on SQLite, the one writer slot) only for the work."""
    if request.method in SAFE_METHODS:
        return _credentials_actor(request, session)
    with database(request).reader() as reader:
        try:
            return _credentials_actor(request, reader)
        finally:
            reader.rollback()


def optional_actor(request: Request, session: Session = Depends(db_session)) -> Actor | None:
    return _actor(request, session)


def context(request: Request, session: Session = Depends(db_session)) -> Ctx:
    actor = _actor(request, session)
    if actor is None:
        raise NotAuthenticated(NO_CREDENTIALS)
    return Ctx(session, actor, settings_of(request), request)


def write_context(request: Request) -> Iterator[Ctx]:
    """A write transaction for a GET that writes (Label Studio's `GET .../next` claims a task): credentials
    checked in a read transaction first, as for any write."""
    with database(request).reader() as reader:
        try:
            actor = _credentials_actor(request, reader)
        finally:
            reader.rollback()
    if actor is None:
        raise NotAuthenticated(NO_CREDENTIALS)
    session = database(request).writer()
    try:
        yield Ctx(session, actor, settings_of(request), request)
    finally:
        session.rollback()
        session.close()


def admin_context(ctx: Ctx = Depends(context)) -> Ctx:
    if not ctx.actor.is_admin:
        raise PermissionDenied("only an instance admin can do this")
    return ctx


async def json_body(request: Request) -> Any:
    """The request body as JSON, with a 400 that says what is wrong (never a 422 or a 500)."""
    return parse_json(await request.body())


def parse_json(raw: bytes) -> Any:
    """JSON bytes as a value, or None when blank; a 400 that says what is wrong."""
    return parse_json_plain(raw)[0]


def parse_json_plain(raw: bytes, max_fast: int = 0) -> tuple[Any, bool]:
    """`parse_json`, and whether orjson parsed it (see `json_values.decode`): bodies up to `max_fast`
    characters may go to orjson, the same value and the same refusals."""
    if not raw.strip():
        return None, False
    try:
        text = raw.decode("utf-8-sig")
        value, plain = decode(text, max_fast)
    except UnicodeDecodeError as exc:
        raise InvalidInput("the body is not UTF-8 text") from exc
    except RecursionError as exc:
        raise InvalidInput("the body is nested too deeply") from exc
    except NonFiniteNumber as exc:
        raise InvalidInput(f"the body is not valid JSON: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"the body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    if problem := problem_in(value, text, 0, len(text)):  # what no database column can hold
        raise InvalidInput(f"the body cannot be stored: {problem}")
    return value, plain


def query_bool(value: str | None, default: bool = False) -> bool:
    """Query booleans arrive as true/false, True/False or 1/0."""
    if value is None or value == "":
        return default
    return value.strip().lower() in ("true", "1", "yes", "on")
