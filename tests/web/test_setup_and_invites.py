"""The one-time setup link that makes the first admin, and invites for new users."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from argon2 import PasswordHasher
from sqlalchemy import select

from tessera.db.tables import User
from tessera.services import invites
from tests.web.conftest import CSRF_COOKIE, SESSION_COOKIE, Person, World, open_form, set_cookie


def setup_key(world: World) -> str | None:
    with world.db.writer() as s:
        key = invites.create_setup_link_key(s)
        s.commit()
    return key


def sign_up(world: World, path: str, email: str, password: str = "a long passphrase", **extra: str) -> httpx.Response:
    token = open_form(world.client, path)
    form = {"email": email, "password": password, "first_name": "Ada", "last_name": "L", "form_token": token}
    return world.client.post(path, data={**form, **extra}, follow_redirects=False)


def sign_up_without_get(world: World, path: str, email: str) -> httpx.Response:
    """POST the form of a page that answered 404: the form cookie is still there from that answer."""
    token = world.client.cookies["tessera_form"]
    form = {"email": email, "password": "a long passphrase", "form_token": token}
    return world.client.post(path, data=form, follow_redirects=False)


def whoami(world: World) -> dict:
    r = world.client.get("/api/current-user/whoami")
    assert r.status_code == 200, r.text
    return r.json()


def test_setup_link_makes_the_first_admin_once(world: World) -> None:
    key = setup_key(world)
    assert key
    path = f"/user/setup/{key}"
    page = world.client.get(path)
    assert page.status_code == 200
    assert "<form" in page.text and "first administrator" in page.text
    r = sign_up(world, path, "Root@Example.com")
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert world.client.cookies[SESSION_COOKIE] and world.client.cookies[CSRF_COOKIE]
    me = whoami(world)  # by the session cookie alone
    assert me["email"] == "root@example.com" and me["is_superuser"] is True
    assert "root@example.com" in world.client.get("/").text

    world.client.cookies.clear()
    again = world.client.get(path)
    assert again.status_code == 404 and "invalid, used or expired" in again.text
    r = sign_up_without_get(world, path, "second@example.com")
    assert r.status_code == 404
    with world.db.reader() as s:
        assert list(s.scalars(select(User.email))) == ["root@example.com"]


def test_no_setup_key_once_a_user_exists(world: World, manager: Person) -> None:
    assert setup_key(world) is None


def test_setup_link_dies_when_a_user_is_made_another_way(world: World) -> None:
    key = setup_key(world)
    world.person("cli-made@example.com", admin=True)
    assert world.client.get(f"/user/setup/{key}").status_code == 404


def test_setup_form_needs_its_form_token(world: World) -> None:
    key = setup_key(world)
    path = f"/user/setup/{key}"
    open_form(world.client, path)
    form = {"email": "root@example.com", "password": "a long passphrase"}
    r = world.client.post(path, data={**form, "form_token": "forged"}, follow_redirects=False)
    assert r.status_code == 400 and set_cookie(r, SESSION_COOKIE) is None
    assert sign_up(world, path, "root@example.com").status_code == 303  # the link was not used up


def test_unknown_link_is_404(world: World) -> None:
    assert world.client.get("/user/setup/deadbeef").status_code == 404
    assert world.client.get("/user/invite/deadbeef").status_code == 404


def test_refused_setup_form_stays_the_setup_page(world: World) -> None:
    path = f"/user/setup/{setup_key(world)}"
    r = sign_up(world, path, "root@example.com", password="short")
    assert r.status_code == 400 and "8 characters" in r.text
    assert "first administrator" in r.text


def invite(world: World, admin: Person, **body: object) -> str:
    r = world.client.post("/api/invites", json=body, headers=admin.headers)
    assert r.status_code == 201, r.text
    url = urlsplit(r.json()["invite_url"])
    assert url.path.startswith("/user/invite/") and url.netloc == "testserver"
    return url.path


def test_invite_makes_a_user_who_is_not_admin(world: World, admin: Person) -> None:
    path = invite(world, admin)
    page = world.client.get(path)
    assert page.status_code == 200 and "Create your account." in page.text
    r = sign_up(world, path, "new@example.com")
    assert r.status_code == 303 and r.headers["location"] == "/"
    me = whoami(world)
    assert me["email"] == "new@example.com" and me["is_superuser"] is False
    assert me["first_name"] == "Ada"
    world.client.cookies.clear()
    assert world.client.get(path).status_code == 404  # used


def test_invite_for_an_email_refuses_another(world: World, admin: Person) -> None:
    path = invite(world, admin, email="bob@example.com")
    assert 'value="bob@example.com"' in world.client.get(path).text
    r = sign_up(world, path, "mallory@example.com")
    assert r.status_code == 400 and "another e-mail" in r.text
    assert sign_up(world, path, "BOB@example.com").status_code == 303


def test_admin_invite_makes_an_admin(world: World, admin: Person) -> None:
    path = invite(world, admin, is_admin=True)
    assert sign_up(world, path, "second-admin@example.com").status_code == 303
    assert whoami(world)["is_superuser"] is True


def test_only_an_admin_invites(world: World, manager: Person) -> None:
    r = world.client.post("/api/invites", json={}, headers=manager.headers)
    assert r.status_code == 403
    assert world.client.post("/api/invites", json={}).status_code == 401


def test_invite_for_a_taken_email_is_refused(world: World, admin: Person) -> None:
    path = invite(world, admin)
    r = sign_up(world, path, "admin@example.com")
    assert r.status_code == 400 and "exists" in r.text
    assert sign_up(world, path, "fresh@example.com").status_code == 303  # still usable


def test_passwords_are_stored_as_argon2_hashes(world: World, admin: Person) -> None:
    sign_up(world, invite(world, admin), "hashed@example.com", password="correct horse battery")
    with world.db.reader() as s:
        hashes = {email: h for email, h in s.execute(select(User.email, User.password_hash))}
    assert set(hashes) == {"admin@example.com", "hashed@example.com"}
    for value in hashes.values():
        assert value.startswith("$argon2id$"), value
    assert "correct horse battery" not in hashes["hashed@example.com"]


def test_production_passwords_cost_64_mib_and_3_passes(production_hasher: PasswordHasher) -> None:
    # The tests hash at a cheap cost (tests/conftest.py); what a server uses is argon2id at its full default cost.
    stored = production_hasher.hash("correct horse battery")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$"), stored
    assert production_hasher.verify(stored, "correct horse battery")
