"""Per-request context: a database session (write transactions for unsafe methods) and the actor behind the
credentials (`Token`, `Bearer` JWT or the session cookie with its CSRF token).

Every router of the API is a `context_router`: its routes check the credentials on the thread that runs the
endpoint, before the endpoint's body, and the dependencies that make the context run on the event loop without
touching the database. A request then leaves the event loop once, not twice: the route's endpoint is a
coroutine that hands the sync body to an endpoint thread (`endpoint_threads`)."""

from __future__ import annotations

import functools
import inspect
import json
import logging
from collections.abc import Callable, Coroutine, MutableMapping
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from tessera.api.endpoint_threads import run_off_loop
from tessera.api.id_params import refuse_wide_ints
from tessera.api.lean_handler import lean_handler, lean_steps
from tessera.db.engine import Database
from tessera.domain.errors import InvalidInput, NotAuthenticated, PermissionDenied
from tessera.io.json_values import NonFiniteNumber, decode, problem_in
from tessera.net.outbound import OutboundClient
from tessera.services import auth, tokens
from tessera.services.actors import Actor
from tessera.services.secrets import same
from tessera.settings import Settings

log = logging.getLogger("tessera.api")

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SESSION_COOKIE = "tessera_session"
CSRF_HEADER = "x-csrftoken"
NO_CREDENTIALS = "Authentication credentials were not provided."


class Ctx:
    """A request's context: its database session, the actor behind its credentials, the settings, the request.

    The dependency that makes it (`context`) is async and touches no database, so FastAPI runs it on the event
    loop. The credentials are checked on the thread that runs the endpoint: before its body (`ContextRoute`),
    or at the first use of any of its fields. A sync dependency that checked them ran on a worker thread of its
    own: a second hop off the event loop for every request, the endpoint's being the first."""

    __slots__ = ("_session", "_request", "_admin_only", "_actor")

    def __init__(self, session: Session, request: Request, *, admin_only: bool = False) -> None:
        self._session = session
        self._request = request
        self._admin_only = admin_only
        self._actor: Actor | None = None

    def check(self) -> Actor:
        """The actor, checked once: NotAuthenticated without live credentials, PermissionDenied for a
        context of an admin's route and an actor who is not one."""
        if self._actor is None:
            actor = request_actor(self._request, self._session)
            if actor is None:
                raise NotAuthenticated(NO_CREDENTIALS)
            if self._admin_only and not actor.is_admin:
                raise PermissionDenied("only an instance admin can do this")
            self._actor = actor
        return self._actor

    @property
    def actor(self) -> Actor:
        return self._actor or self.check()

    @property
    def session(self) -> Session:
        self.check()
        return self._session

    @property
    def settings(self) -> Settings:
        self.check()
        return settings_of(self._request)

    @property
    def request(self) -> Request:
        self.check()
        return self._request

    def commit(self) -> None:
        self.session.commit()

    def abort(self) -> None:
        """Roll the request's transaction back (its session is closed after the response is sent)."""
        self._session.rollback()


def database(request: Request) -> Database:
    return request.app.state.db


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def outbound_client(request: Request) -> OutboundClient:
    """The app's one guarded client for URLs users give (built in `create_app` from the allowlist setting)."""
    return request.app.state.outbound


SESSIONS = "tessera.sessions"  # the scope's list of the request's sessions, made by `closing_sessions`


def _open_session(request: Request, *, write: bool) -> Session:
    db = database(request)
    session = db.writer() if write else db.reader()
    request.scope[SESSIONS].append(session)
    return session


def _close_session(session: Session) -> None:
    """End a request's session once its response has gone: an error here can reach nobody but the log (a
    connection the database closed meanwhile: the pool replaces it)."""
    try:
        session.rollback()
    except Exception as error:
        log.warning("could not roll back a finished request's session: %s", error)
    finally:
        session.close()


def closing_sessions(scope: MutableMapping[str, Any]) -> Callable[[], None]:
    """Give the request a list of its sessions and return what closes them. The app's outermost middleware
    calls it when the response has been sent (a streamed export reads through its session until then): a
    session closed there, not by a dependency with a `yield`, spares FastAPI's solver an exit stack on the
    event loop for every request. After an error the endpoint's thread has rolled back already."""
    sessions: list[Session] = []
    scope[SESSIONS] = sessions

    def close() -> None:
        for session in sessions:
            _close_session(session)

    return close


async def db_session(request: Request) -> Session:
    # Async, so that FastAPI runs it on the event loop rather than hopping to a worker thread: making a
    # Session touches no database. It is closed after the response (`closing_sessions`).
    return _open_session(request, write=request.method not in SAFE_METHODS)


def request_actor(request: Request, session: Session) -> Actor | None:
    """The actor behind the request's credentials (`Token`, `Bearer` JWT, or the session cookie with the CSRF
    token on writes), None without any; NotAuthenticated or PermissionDenied for bad ones. Tokens and cookies
    are looked up before the request's work (`Database.read_first`): on SQLite outside the request's
    transaction, so that a write request holds the one writer slot only for its work."""
    db = database(request)
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, value = header.partition(" ")
        value = value.strip()
        if scheme.lower() == "token" and value:
            if tokens.looks_like_jwt(value):
                # The SDK sends a personal access token this way only after refreshing; accept both.
                return _access_actor(db, value)
            return tokens.actor_for_token(db, session, value)
        if scheme.lower() == "bearer" and value:
            return _access_actor(db, value)
        raise NotAuthenticated("Invalid token header.")
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = auth.session_actor(db, session, cookie)
        if found is None:
            return None
        actor, csrf_token = found
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER) or ""
            if not sent or not same(sent, csrf_token):
                raise PermissionDenied("CSRF token missing or wrong: send the X-CSRFToken header")
        return actor
    return None


def _access_actor(db: Database, value: str) -> Actor:
    with db.reader() as reader:
        try:
            return auth.actor_for(tokens.user_for_access(reader, value))
        finally:
            reader.rollback()


async def context(request: Request) -> Ctx:
    return Ctx(_open_session(request, write=request.method not in SAFE_METHODS), request)


async def admin_context(request: Request) -> Ctx:
    return Ctx(_open_session(request, write=request.method not in SAFE_METHODS), request, admin_only=True)


async def write_context(request: Request) -> Ctx:
    """A write transaction for a GET that writes (Label Studio's `GET .../next` claims a task)."""
    return Ctx(_open_session(request, write=True), request)


def context_router(**kwargs: Any) -> APIRouter:
    """An APIRouter of `ContextRoute`s: every router of the API is made this way."""
    return APIRouter(route_class=ContextRoute, **kwargs)


class ContextRoute(APIRoute):
    """A route whose sync endpoint takes a `Ctx` has its credentials checked first, on the endpoint's thread
    (see `Ctx`): an anonymous request is a 401 before anything of the endpoint runs. Its body runs on one of
    `endpoint_threads`, handed over by a coroutine, not by FastAPI's thread pool. A route of the simplest shape
    (path parameters, the JSON body, a context; a `Response` for an answer) is served by `lean_handler`."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        checked = _checked_first(endpoint)
        steps = None if checked is endpoint else lean_steps(path, endpoint, LEAN_DEPENDENCIES)
        self.lean_steps = steps  # read by `get_route_handler`, which __init__ calls
        super().__init__(path, checked, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = refuse_wide_ints(self.dependant, super().get_route_handler())
        if self.lean_steps is None or self.dependencies:
            return handler  # type: ignore[return-value]
        return lean_handler(self.lean_steps, self.endpoint, handler)  # type: ignore[return-value]


def _checked_first(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(endpoint):
        return endpoint
    names = [
        name
        for name, param in inspect.signature(endpoint).parameters.items()
        if getattr(param.default, "dependency", None) in (context, admin_context, write_context)
    ]
    if not names:
        return endpoint

    def run(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        for name in names:
            kwargs[name].check()
        try:
            return endpoint(*args, **kwargs)
        except BaseException:
            for name in names:
                kwargs[name].abort()  # here, off the event loop: on SQLite this lets go of the writer slot
            raise

    # A coroutine, so that FastAPI awaits it on the event loop; the body runs on an endpoint thread.
    @functools.wraps(endpoint)  # FastAPI reads the signature and the annotations' module through the wrapper
    async def checked(*args: Any, **kwargs: Any) -> Any:
        at_once = getattr(kwargs[names[0]]._request.app.state, "bodies_at_once", None)  # see `server.create_app`
        return await run_off_loop(run, args, kwargs, at_once=at_once)

    return checked


async def json_body(request: Request) -> Any:
    """The request body as JSON, with a 400 that says what is wrong (never a 422 or a 500)."""
    return parse_json(await request.body())


LEAN_DEPENDENCIES = (json_body, context, admin_context, write_context)


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
