"""Users and tokens: whoami, users list/create/get, JWT personal access tokens (the SDK refreshes them through
`/api/token/refresh/`), and resetting the legacy token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError

from tests.sdk.support import ADMIN_EMAIL


@pytest.fixture
def clients() -> Iterator[Any]:
    """Make more `LabelStudio` clients; their HTTP pools are closed after the test."""
    made: list[Any] = []

    def make(base_url: str, api_key: str) -> Any:
        client = LabelStudio(base_url=base_url, api_key=api_key)
        made.append(client)
        return client

    yield make
    for client in made:
        client._client_wrapper.httpx_client.httpx_client.close()


def test_whoami(ls: Any) -> None:
    me = ls.users.whoami()
    assert me.email == ADMIN_EMAIL
    assert isinstance(me.id, int)
    current = ls.users.get_current_user()
    assert (current.id, current.email) == (me.id, ADMIN_EMAIL)


def test_users_list_create_get(ls: Any) -> None:
    me = ls.users.whoami()
    assert me.id in [u.id for u in ls.users.list()]

    user = ls.users.create(
        email="ann@example.com", username="ann", first_name="Ann", last_name="Lee", password="ann-password-123"
    )
    assert isinstance(user.id, int)
    assert (user.email, user.first_name, user.last_name) == ("ann@example.com", "Ann", "Lee")
    assert "password" not in user.model_dump()

    listed = {u.id: u for u in ls.users.list()}
    assert {me.id, user.id} <= set(listed)
    assert listed[user.id].email == "ann@example.com"
    got = ls.users.get(user.id)
    assert (got.id, got.email, got.first_name) == (user.id, "ann@example.com", "Ann")

    with pytest.raises(ApiError) as excinfo:  # the e-mail is taken
        ls.users.create(email="ann@example.com", username="ann2", password="ann-password-123")
    assert excinfo.value.status_code == 400


def test_legacy_token_is_not_a_jwt(live_server: Any) -> None:
    with pytest.raises(jwt.DecodeError):
        jwt.decode(live_server.token, options={"verify_signature": False})


def test_personal_access_token_is_a_jwt_the_sdk_refreshes(ls: Any, live_server: Any, clients: Any) -> None:
    created = ls.tokens.create()
    refresh = created.token
    claims = jwt.decode(refresh, options={"verify_signature": False})
    assert claims["token_type"] == "refresh"
    assert isinstance(claims["exp"], int)

    pat_client = clients(live_server.base_url, refresh)
    assert pat_client._client_wrapper._tokens_client._use_legacy_token is False
    me = pat_client.users.whoami()  # makes the SDK call POST /api/token/refresh/ first
    assert me.email == ADMIN_EMAIL
    access = pat_client._client_wrapper._tokens_client._access_token
    assert access and access != refresh
    assert jwt.decode(access, options={"verify_signature": False})["token_type"] == "access"
    project = pat_client.projects.create(
        title="made with a PAT",
        label_config='<View><Text name="t" value="$t"/>'
        '<Choices name="c" toName="t"><Choice value="a"/></Choices></View>',
    )
    assert ls.projects.get(project.id).title == "made with a PAT"
    pat_client.projects.delete(project.id)

    refreshed = ls.tokens.refresh(refresh=refresh)
    assert jwt.decode(refreshed.access, options={"verify_signature": False})["token_type"] == "access"
    with httpx.Client(base_url=live_server.base_url) as http:
        r = http.get("/api/current-user/whoami", headers={"Authorization": f"Bearer {refreshed.access}"})
        assert r.status_code == 200 and r.json()["email"] == ADMIN_EMAIL
        # a refresh token is not an access token
        r = http.get("/api/current-user/whoami", headers={"Authorization": f"Bearer {refresh}"})
        assert r.status_code == 401

    assert len(ls.tokens.list()) >= 1


def test_blacklisted_refresh_token_stops_working(ls: Any, live_server: Any, clients: Any) -> None:
    refresh = ls.tokens.create().token
    ls.tokens.blacklist(refresh=refresh)
    with pytest.raises(ApiError) as excinfo:
        ls.tokens.refresh(refresh=refresh)
    assert excinfo.value.status_code == 401
    with pytest.raises(ApiError) as excinfo:
        clients(live_server.base_url, refresh).users.whoami()
    assert excinfo.value.status_code == 401


def test_reset_token_replaces_the_old_one(live_server: Any, clients: Any) -> None:
    """`POST /api/current-user/reset-token`: a new legacy token that works; the old one is refused with 401."""
    old = live_server.create_user_with_token("resetter@example.com")
    with live_server.http(old) as http:
        assert http.get("/api/current-user/whoami").json()["email"] == "resetter@example.com"
        r = http.post("/api/current-user/reset-token")
        assert r.status_code in (200, 201)
        new = r.json()["token"]
    assert new and new != old
    with pytest.raises(jwt.DecodeError):
        jwt.decode(new, options={"verify_signature": False})

    with live_server.http(new) as http:
        r = http.get("/api/current-user/whoami")
        assert r.status_code == 200 and r.json()["email"] == "resetter@example.com"
    assert clients(live_server.base_url, new).users.whoami().email == "resetter@example.com"

    with live_server.http(old) as http:
        r = http.get("/api/current-user/whoami")
        assert r.status_code == 401
        assert r.json()["detail"] == "Invalid token."
    with pytest.raises(ApiError) as excinfo:
        clients(live_server.base_url, old).users.whoami()
    assert excinfo.value.status_code == 401


def test_sdk_reset_token(live_server: Any, clients: Any) -> None:
    old = live_server.create_user_with_token("sdk-resetter@example.com")
    new = clients(live_server.base_url, old).users.reset_token().token
    assert new and new != old
    assert clients(live_server.base_url, new).users.whoami().email == "sdk-resetter@example.com"
    with pytest.raises(ApiError) as excinfo:
        clients(live_server.base_url, old).users.whoami()
    assert excinfo.value.status_code == 401


def test_bad_token_is_401(live_server: Any, clients: Any) -> None:
    with live_server.http("not-a-real-token") as http:
        r = http.get("/api/projects/")
        assert r.status_code == 401
        assert r.json()["detail"] == "Invalid token."
    with httpx.Client(base_url=live_server.base_url) as http:
        assert http.get("/api/projects/").status_code == 401  # no credentials at all
    with pytest.raises(ApiError) as excinfo:
        clients(live_server.base_url, "not-a-real-token").projects.get(1)
    assert excinfo.value.status_code == 401


def test_non_admin_cannot_create_users(live_server: Any, clients: Any) -> None:
    token = live_server.create_user_with_token("plain@example.com")
    plain = clients(live_server.base_url, token)
    assert plain.users.whoami().email == "plain@example.com"
    with pytest.raises(ApiError) as excinfo:
        plain.users.create(email="sneaky@example.com", username="sneaky", password="sneaky-password-1")
    assert excinfo.value.status_code == 403
