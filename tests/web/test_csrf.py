"""A session cookie authenticates API calls; unsafe ones need the session's CSRF token in `X-CSRFToken`."""

from __future__ import annotations

from tests.web.conftest import CONFIG, Person, World, only_session, signed_in

PROJECT = {"title": "From the browser", "label_config": CONFIG}


def cookie_only(world: World, email: str) -> tuple[str, str]:
    key, csrf = signed_in(world.client, email)
    world.client.cookies.clear()  # from here on, each request carries exactly the headers it is given
    return key, csrf


def test_unsafe_request_needs_the_csrf_header(world: World, manager: Person) -> None:
    key, csrf = cookie_only(world, manager.email)
    r = world.client.post("/api/projects", json=PROJECT, headers=only_session(key))
    assert r.status_code == 403, r.text
    assert "X-CSRFToken" in r.json()["detail"]
    r = world.client.post("/api/projects", json=PROJECT, headers=only_session(key, csrf[:-1] + "x"))
    assert r.status_code == 403, r.text
    r = world.client.post("/api/projects", json=PROJECT, headers=only_session(key, ""))
    assert r.status_code == 403, r.text
    assert world.client.get("/api/projects", headers=only_session(key)).json()["count"] == 0

    r = world.client.post("/api/projects", json=PROJECT, headers=only_session(key, csrf))
    assert r.status_code == 201, r.text
    assert r.json()["title"] == "From the browser"


def test_safe_requests_need_no_csrf_header(world: World, manager: Person) -> None:
    pid = world.project(manager)
    key, _csrf = cookie_only(world, manager.email)
    for path in ("/api/current-user/whoami", "/api/projects", f"/api/projects/{pid}"):
        r = world.client.get(path, headers=only_session(key))
        assert r.status_code == 200, (path, r.text)


def test_every_unsafe_method_is_checked(world: World, manager: Person) -> None:
    pid = world.project(manager)
    key, csrf = cookie_only(world, manager.email)
    h = only_session(key)
    assert world.client.patch(f"/api/projects/{pid}", json={"title": "X"}, headers=h).status_code == 403
    assert world.client.delete(f"/api/projects/{pid}", headers=h).status_code == 403
    assert world.client.get(f"/api/projects/{pid}", headers=h).json()["title"] == "P"
    r = world.client.patch(f"/api/projects/{pid}", json={"title": "X"}, headers=only_session(key, csrf))
    assert r.status_code == 200 and r.json()["title"] == "X"


def test_csrf_token_of_another_session_is_refused(world: World, manager: Person) -> None:
    key, _mine = cookie_only(world, manager.email)
    _other_key, other_csrf = cookie_only(world, manager.email)
    r = world.client.post("/api/projects", json=PROJECT, headers=only_session(key, other_csrf))
    assert r.status_code == 403


def test_token_auth_needs_no_csrf_header(world: World, manager: Person) -> None:
    assert world.client.post("/api/projects", json=PROJECT, headers=manager.headers).status_code == 201


def test_logged_out_session_cookie_is_401(world: World, manager: Person) -> None:
    key, csrf = signed_in(world.client, manager.email)
    form = world.client.cookies["tessera_form"]
    assert world.client.post("/user/logout", data={"form_token": form}, follow_redirects=False).status_code == 303
    world.client.cookies.clear()
    r = world.client.get("/api/projects", headers=only_session(key))
    assert r.status_code == 401
    assert r.json()["detail"] == "Authentication credentials were not provided."
    assert world.client.post("/api/projects", json=PROJECT, headers=only_session(key, csrf)).status_code == 401


def test_made_up_session_cookie_is_401(world: World) -> None:
    assert world.client.get("/api/projects", headers=only_session("not-a-session")).status_code == 401
