"""Accounts through the browser flow: the `world` of the API tests, and helpers that fill the server-rendered
forms as a browser would (the form token from the `tessera_form` cookie, no redirects followed)."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient

from tests.api.conftest import CONFIG, Person, World, admin, manager, world  # noqa: F401

PASSWORD = "password123"  # what World.person gives everyone
FORM_COOKIE = "tessera_form"
SESSION_COOKIE = "tessera_session"
CSRF_COOKIE = "tessera_csrf"


def open_form(client: TestClient, path: str) -> str:
    """GET a page with a form; return its form token, checking the page and the cookie carry the same one."""
    r = client.get(path)
    assert r.status_code == 200, r.text
    token = client.cookies[FORM_COOKIE]
    assert f'name="form_token" value="{token}"' in r.text
    return token


def login(client: TestClient, email: str, password: str = PASSWORD) -> httpx.Response:
    token = open_form(client, "/user/login")
    return client.post(
        "/user/login", data={"email": email, "password": password, "form_token": token}, follow_redirects=False
    )


def signed_in(client: TestClient, email: str) -> tuple[str, str]:
    """Log in; return (session cookie, CSRF token)."""
    r = login(client, email)
    assert r.status_code == 303, r.text
    return client.cookies[SESSION_COOKIE], client.cookies[CSRF_COOKIE]


def error_of(html: str) -> str:
    found = re.search(r'<p class="error" role="alert">(.*?)</p>', html, re.S)
    assert found, html
    return found.group(1).strip()


def set_cookie(response: httpx.Response, name: str) -> str | None:
    """The raw Set-Cookie header for `name`, if the response sets it."""
    return next((h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")), None)


def only_session(session_key: str, csrf: str | None = None) -> dict[str, str]:
    """Headers of a request that carries the session cookie alone (and the CSRF header when given)."""
    headers = {"Cookie": f"{SESSION_COOKIE}={session_key}"}
    if csrf is not None:
        headers["X-CSRFToken"] = csrf
    return headers
