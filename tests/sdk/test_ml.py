"""ML backend records through the new client: create (to a URL nothing answers on), list, get, update, delete."""

from __future__ import annotations

import json
from typing import Any

import pytest
from label_studio_sdk.core.api_error import ApiError

from tests.sdk.support import SENTIMENT_CONFIG

UNREACHABLE = "http://127.0.0.1:9/"  # the discard port: nothing listens


def test_ml_backend_lifecycle(ls: Any, make_project: Any) -> None:
    project = make_project(SENTIMENT_CONFIG)
    created = ls.ml.create(
        project=project.id,
        url=UNREACHABLE,
        title="unreachable",
        description="no model here",
        is_interactive=False,
        auto_update=False,
        timeout=5,
    )
    assert isinstance(created.id, int)
    assert created.auto_update is False
    assert created.project == project.id
    assert created.url.rstrip("/") == UNREACHABLE.rstrip("/")
    assert created.title == "unreachable"
    assert created.state in ("CO", "DI", "ER", "TR")
    assert created.state != "CO"  # nothing answered its /health

    listed = ls.ml.list(project=project.id)
    assert [b.id for b in listed] == [created.id]
    got = ls.ml.get(created.id)
    assert (got.id, got.project, got.title, got.description) == (created.id, project.id, "unreachable", "no model here")

    updated = ls.ml.update(
        created.id, title="renamed", url="http://127.0.0.1:9/v2", is_interactive=True, extra_params={"threshold": 0.5}
    )
    assert updated.title == "renamed"
    assert updated.url.rstrip("/") == "http://127.0.0.1:9/v2"
    assert updated.is_interactive is True
    again = ls.ml.get(created.id)
    assert (again.title, again.is_interactive, again.extra_params) == ("renamed", True, {"threshold": 0.5})

    ls.ml.delete(created.id)
    assert ls.ml.list(project=project.id) == []
    with pytest.raises(ApiError) as excinfo:
        ls.ml.get(created.id)
    assert excinfo.value.status_code == 404


def test_list_is_per_project(ls: Any, make_project: Any) -> None:
    first, second = make_project(SENTIMENT_CONFIG), make_project(SENTIMENT_CONFIG)
    a = ls.ml.create(project=first.id, url=UNREACHABLE, title="a")
    b = ls.ml.create(project=second.id, url=UNREACHABLE, title="b")
    c = ls.ml.create(project=second.id, url="http://127.0.0.1:9/c", title="c")
    assert [x.id for x in ls.ml.list(project=first.id)] == [a.id]
    assert sorted(x.id for x in ls.ml.list(project=second.id)) == sorted([b.id, c.id])
    assert {a.id, b.id, c.id} <= {x.id for x in ls.ml.list()}


def test_basic_auth_password_is_never_shown(ls: Any, make_project: Any, live_server: Any) -> None:
    project = make_project(SENTIMENT_CONFIG)
    secret = "s3cret-basic-pass"
    created = ls.ml.create(
        project=project.id,
        url=UNREACHABLE,
        title="basic",
        auth_method="BASIC_AUTH",
        basic_auth_user="model-user",
        basic_auth_pass=secret,
    )
    assert created.auth_method == "BASIC_AUTH"
    assert created.basic_auth_user == "model-user"
    assert created.basic_auth_pass_is_set is True
    with live_server.http() as http:
        for path in (f"/api/ml/{created.id}", f"/api/ml?project={project.id}"):
            r = http.get(path)
            assert r.status_code == 200
            assert secret not in r.text
    assert secret not in json.dumps(created.model_dump(mode="json"))


def test_deleting_the_project_deletes_its_backends(ls: Any, make_project: Any) -> None:
    project = make_project(SENTIMENT_CONFIG)
    backend = ls.ml.create(project=project.id, url=UNREACHABLE, title="gone soon")
    ls.projects.delete(project.id)
    with pytest.raises(ApiError) as excinfo:
        ls.ml.get(backend.id)
    assert excinfo.value.status_code == 404


def test_create_for_a_missing_project_is_refused(ls: Any) -> None:
    with pytest.raises(ApiError) as excinfo:
        ls.ml.create(project=999_999, url=UNREACHABLE, title="orphan")
    assert excinfo.value.status_code in (400, 404)


def test_train_on_an_unreachable_backend_fails_cleanly(ls: Any, make_project: Any) -> None:
    project = make_project(SENTIMENT_CONFIG)
    backend = ls.ml.create(project=project.id, url=UNREACHABLE, title="train me")
    with pytest.raises(ApiError) as excinfo:
        ls.ml.train(backend.id)
    assert 400 <= excinfo.value.status_code < 600
    assert ls.ml.get(backend.id).id == backend.id  # the record survives
