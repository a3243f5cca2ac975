"""The app matches its routers in the order `server.create_app` includes them, the labeling loop's first. That
order may decide nothing else: no route of one router may match a path that a route of another one does."""

from __future__ import annotations

from pathlib import Path

from fastapi.routing import APIRoute

from tessera.server import create_app
from tessera.settings import load_settings


def _overlap(a: list[str], b: list[str]) -> bool:
    """Whether some path matches both templates: the same segment count, each segment equal or a parameter."""
    return len(a) == len(b) and all(x == y or x.startswith("{") or y.startswith("{") for x, y in zip(a, b, strict=True))


def test_no_two_routers_match_the_same_path(tmp_path: Path) -> None:
    app = create_app(load_settings(data_dir=tmp_path, env={}))
    routes = [
        (route.path.split("/"), route.methods, router.original_router)
        for router in app.router.routes
        if hasattr(router, "original_router")
        for route in router.original_router.routes
        if isinstance(route, APIRoute)
    ]
    assert len({id(owner) for _path, _methods, owner in routes}) > 20  # every router was read
    clashes = [
        ("/".join(a), "/".join(b))
        for i, (a, methods_a, owner_a) in enumerate(routes)
        for b, methods_b, owner_b in routes[i + 1 :]
        if owner_a is not owner_b and methods_a & methods_b and _overlap(a, b)
    ]
    assert clashes == []
