"""Credentials are checked on the endpoint's own thread, before its body runs: every route of the API is a
`ContextRoute`, and an anonymous or badly signed request is refused before anything of the endpoint runs, even
where the endpoint would refuse its input first."""

from __future__ import annotations

import inspect
from pathlib import Path

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tessera.api.context import ContextRoute, admin_context, context, write_context
from tessera.server import create_app
from tessera.settings import load_settings


def _takes_context(endpoint: object) -> bool:
    return any(
        getattr(p.default, "dependency", None) in (context, admin_context, write_context)
        for p in inspect.signature(endpoint).parameters.values()  # type: ignore[arg-type]
    )


def test_every_route_with_a_context_checks_it_first(tmp_path: Path) -> None:
    app = create_app(load_settings(data_dir=tmp_path, env={}))
    routes = [
        route
        for router in app.router.routes
        if hasattr(router, "original_router")
        for route in router.original_router.routes
        if isinstance(route, APIRoute)
    ]
    with_context = [route for route in routes if _takes_context(route.endpoint)]
    assert len(with_context) > 100
    assert [route.path for route in with_context if not isinstance(route, ContextRoute)] == []
    unchecked = [
        route.path
        for route in with_context
        if not inspect.iscoroutinefunction(route.endpoint) and not hasattr(route.endpoint, "__wrapped__")
    ]
    assert unchecked == []


def test_refused_credentials_come_before_the_endpoints_own_checks(opened: TestClient) -> None:
    client = opened
    # The body is no JSON object: the endpoint would answer 400, but nobody is signed in.
    r = client.post("/api/tasks/1/annotations", content=b"[1, 2]")
    assert r.status_code == 401, r.text
    r = client.post("/api/tasks/1/annotations", content=b"[1]", headers={"Authorization": "Token nope"})
    assert r.status_code == 401, r.text
    r = client.post("/api/users", json={"email": "x"}, headers={"Authorization": "Token nope"})
    assert r.status_code == 401, r.text
