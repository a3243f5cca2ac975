"""Signing in and out through the login form: cookies, one answer for every failure, the rate limit."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tessera.db.tables import BrowserSession
from tessera.server import create_app
from tessera.services.secrets import hash_key
from tessera.settings import load_settings
from tests.web.conftest import (
    CSRF_COOKIE,
    PASSWORD,
    SESSION_COOKIE,
    Person,
    World,
    error_of,
    login,
    only_session,
    open_form,
    set_cookie,
    signed_in,
)


def sessions(world: World) -> int:
    with world.db.reader() as s:
        return s.scalar(select(func.count()).select_from(BrowserSession)) or 0


def test_right_password_sets_an_httponly_lax_session_cookie(world: World, manager: Person) -> None:
    r = login(world.client, "Manager@Example.com ")
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = set_cookie(r, SESSION_COOKIE)
    assert cookie is not None
    attributes = [a.strip().lower() for a in cookie.split(";")]
    assert "httponly" in attributes and "samesite=lax" in attributes and "path=/" in attributes
    assert "secure" not in attributes  # plain HTTP unless TESSERA_SECURE_COOKIES
    csrf = set_cookie(r, CSRF_COOKIE)
    assert csrf is not None and "httponly" not in csrf.lower()  # the page's script must read it
    assert "samesite=lax" in csrf.lower()

    key = world.client.cookies[SESSION_COOKIE]
    with world.db.reader() as s:
        stored = list(s.scalars(select(BrowserSession.key_hash)))
    assert stored == [hash_key(key)]  # only the hash of the cookie is kept
    home = world.client.get("/")
    assert home.status_code == 200 and "manager@example.com" in home.text
    me = world.client.get("/api/current-user/whoami")
    assert me.status_code == 200 and me.json()["id"] == manager.id


def test_secure_cookies_setting_marks_cookies_secure(world: World, manager: Person, tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, database_url=world.db.url, env={"TESSERA_SECURE_COOKIES": "true"})
    with TestClient(create_app(settings, database=world.db), base_url="https://testserver") as client:
        r = login(client, manager.email)
    assert r.status_code == 303
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        header = set_cookie(r, name)
        assert header is not None and "secure" in [a.strip().lower() for a in header.split(";")]


def test_wrong_password_and_unknown_email_get_the_same_answer(world: World, manager: Person) -> None:
    wrong = login(world.client, manager.email, "not-the-password")
    unknown = login(world.client, "nobody@example.com", PASSWORD)
    assert wrong.status_code == unknown.status_code == 400
    assert error_of(wrong.text) == error_of(unknown.text) == "wrong e-mail or password"
    assert set_cookie(wrong, SESSION_COOKIE) is None and set_cookie(unknown, SESSION_COOKIE) is None
    assert sessions(world) == 0


def test_too_many_failures_for_an_email_lock_out_even_the_right_password(world: World, manager: Person) -> None:
    limit = world.settings.login_attempts_per_minute
    assert limit == 10
    for _ in range(limit):
        assert login(world.client, manager.email, "guess-guess").status_code == 400
    r = login(world.client, manager.email, PASSWORD)
    assert r.status_code == 429
    assert "too many login attempts" in error_of(r.text)
    assert set_cookie(r, SESSION_COOKIE) is None and sessions(world) == 0


def test_too_many_failures_from_one_client_lock_out_other_emails(world: World, manager: Person) -> None:
    for i in range(world.settings.login_attempts_per_minute):
        assert login(world.client, f"nobody{i}@example.com", "guess-guess").status_code == 400
    assert login(world.client, manager.email, PASSWORD).status_code == 429


def test_a_good_login_below_the_limit_still_works(world: World, manager: Person) -> None:
    for _ in range(world.settings.login_attempts_per_minute - 1):
        login(world.client, manager.email, "guess-guess")
    assert login(world.client, manager.email, PASSWORD).status_code == 303


def test_login_without_the_form_token_is_refused(world: World, manager: Person) -> None:
    token = open_form(world.client, "/user/login")
    creds = {"email": manager.email, "password": PASSWORD}
    missing = world.client.post("/user/login", data=creds, follow_redirects=False)
    forged = world.client.post("/user/login", data={**creds, "form_token": token + "x"}, follow_redirects=False)
    world.client.cookies.clear()  # the field, but no cookie to match it
    no_cookie = world.client.post("/user/login", data={**creds, "form_token": token}, follow_redirects=False)
    for r in (missing, forged, no_cookie):
        assert r.status_code == 400, r.text
        assert "form expired" in error_of(r.text)
        assert set_cookie(r, SESSION_COOKIE) is None
    assert sessions(world) == 0


def test_logout_ends_the_session(world: World, manager: Person) -> None:
    key, _csrf = signed_in(world.client, manager.email)
    token = world.client.cookies["tessera_form"]
    r = world.client.post("/user/logout", data={"form_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/user/login"
    assert SESSION_COOKIE not in world.client.cookies
    assert sessions(world) == 0
    # The old cookie, replayed, no longer signs anyone in.
    world.client.cookies.clear()
    r = world.client.get("/api/current-user/whoami", headers=only_session(key))
    assert r.status_code == 401
    r = world.client.get("/", headers=only_session(key), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/user/login"


def test_logout_without_the_form_token_keeps_the_session(world: World, manager: Person) -> None:
    key, _csrf = signed_in(world.client, manager.email)
    world.client.cookies.clear()
    r = world.client.post("/user/logout", headers=only_session(key), follow_redirects=False)
    assert r.status_code == 303
    assert sessions(world) == 1  # a cross-site form cannot sign the user out


def test_deactivated_user_gets_the_same_answer_and_loses_sessions(world: World, admin: Person, manager: Person) -> None:
    key, _csrf = signed_in(world.client, manager.email)
    world.client.cookies.clear()
    r = world.client.patch(f"/api/users/{manager.id}", json={"is_active": False}, headers=admin.headers)
    assert r.status_code == 200, r.text
    assert world.client.get("/api/current-user/whoami", headers=only_session(key)).status_code == 401
    r = login(world.client, manager.email)
    assert r.status_code == 400 and error_of(r.text) == "wrong e-mail or password"


def test_failures_count_whatever_the_case_of_the_email(world: World, manager: Person) -> None:
    for i in range(world.settings.login_attempts_per_minute):
        email = manager.email.upper() if i % 2 else f" {manager.email}"
        assert login(world.client, email, "guess-guess").status_code == 400
    assert login(world.client, manager.email, PASSWORD).status_code == 429
