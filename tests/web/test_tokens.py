"""API tokens: legacy tokens shown once and stored hashed, and JWT personal access tokens."""

from __future__ import annotations

from sqlalchemy import select

from tessera.db.tables import ApiToken, BrowserSession
from tessera.services.secrets import hash_key
from tessera.services.tokens import looks_like_jwt
from tests.web.conftest import Person, World, only_session, signed_in

INVALID = {"detail": "Invalid token."}


def token(value: str) -> dict[str, str]:
    return {"Authorization": f"Token {value}"}


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def whoami(world: World, headers: dict[str, str]):
    return world.client.get("/api/current-user/whoami", headers=headers)


def assert_invalid(r) -> None:
    assert r.status_code == 401, r.text
    assert r.json()["detail"] == INVALID["detail"]


def new_token(world: World, person: Person, name: str = "laptop") -> dict:
    r = world.client.post("/api/current-user/tokens", json={"name": name}, headers=person.headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_new_token_is_shown_once_works_and_can_be_revoked(world: World, manager: Person) -> None:
    made = new_token(world, manager)
    assert made["name"] == "laptop" and made["kind"] == "legacy" and made["prefix"] == made["token"][:6]
    assert whoami(world, token(made["token"])).json()["id"] == manager.id
    listed = world.client.get("/api/current-user/tokens", headers=manager.headers).json()
    assert {t["id"] for t in listed} >= {made["id"]}
    assert all("token" not in t for t in listed)  # never shown again

    r = world.client.delete(f"/api/current-user/tokens/{made['id']}", headers=manager.headers)
    assert r.status_code == 204
    assert_invalid(whoami(world, token(made["token"])))
    assert whoami(world, manager.headers).status_code == 200  # the other token lives on
    assert world.client.delete(f"/api/current-user/tokens/{made['id']}", headers=manager.headers).status_code == 404


def test_nobody_revokes_another_users_token(world: World, manager: Person, admin: Person) -> None:
    made = new_token(world, manager)
    assert world.client.delete(f"/api/current-user/tokens/{made['id']}", headers=admin.headers).status_code == 404
    assert whoami(world, token(made["token"])).status_code == 200


def test_database_keeps_only_hashes(world: World, manager: Person) -> None:
    legacy = new_token(world, manager)["token"]
    refresh = world.client.post("/api/token", headers=manager.headers).json()["token"]
    key, _csrf = signed_in(world.client, manager.email)
    with world.db.reader() as s:
        rows = [[str(v) for v in row] for row in s.execute(select(*ApiToken.__table__.columns))]
        hashes = set(s.scalars(select(ApiToken.key_hash)))
        session_rows = [[str(v) for v in row] for row in s.execute(select(*BrowserSession.__table__.columns))]
    assert hash_key(legacy) in hashes and hash_key(manager.token) in hashes
    stored = " ".join(v for row in rows + session_rows for v in row)
    for secret in (legacy, manager.token, refresh, key):
        assert secret not in stored


def test_current_token_endpoint_shows_only_a_prefix(world: World, manager: Person) -> None:
    r = world.client.get("/api/current-user/token", headers=manager.headers)
    assert r.status_code == 200
    assert r.json()["token"] is None and r.json()["prefix"] == manager.token[:6]


def test_reset_token_revokes_old_legacy_tokens(world: World, manager: Person) -> None:
    other = new_token(world, manager)["token"]
    refresh = world.client.post("/api/token", headers=manager.headers).json()["token"]
    r = world.client.post("/api/current-user/reset-token", headers=manager.headers)
    assert r.status_code == 200, r.text
    fresh = r.json()["token"]
    assert fresh not in (other, manager.token) and not looks_like_jwt(fresh)
    assert_invalid(whoami(world, manager.headers))
    assert_invalid(whoami(world, token(other)))
    assert whoami(world, token(fresh)).json()["id"] == manager.id
    r = world.client.get("/api/current-user/token", headers=token(fresh))
    assert r.json()["prefix"] == fresh[:6]
    # Personal access tokens are another kind and survive the reset.
    assert world.client.post("/api/token/refresh", json={"refresh": refresh}).status_code == 200


def test_legacy_tokens_never_look_like_jwts(world: World, manager: Person) -> None:
    made = [new_token(world, manager, f"t{i}")["token"] for i in range(20)] + [manager.token]
    for value in made:
        assert not looks_like_jwt(value) and "." not in value and len(value) == 40
    refresh = world.client.post("/api/token", headers=manager.headers).json()["token"]
    assert looks_like_jwt(refresh)


def test_personal_access_token_flow(world: World, manager: Person) -> None:
    r = world.client.post("/api/token", headers=manager.headers)
    assert r.status_code == 201, r.text
    refresh = r.json()["token"]
    r = world.client.post("/api/token/refresh", json={"refresh": refresh})
    assert r.status_code == 200, r.text
    access = r.json()["access"]
    assert whoami(world, bearer(access)).json()["id"] == manager.id
    assert whoami(world, token(access)).json()["id"] == manager.id  # the SDK sends it this way too
    listed = world.client.get("/api/token", headers=manager.headers).json()
    assert [t["kind"] for t in listed] == ["pat"]

    # A refresh token is not an access token, and an access token does not refresh.
    assert_invalid(whoami(world, bearer(refresh)))
    assert_invalid(world.client.post("/api/token/refresh", json={"refresh": access}))

    r = world.client.post("/api/token/blacklist", json={"refresh": refresh}, headers=manager.headers)
    assert r.status_code == 204, r.text
    assert_invalid(world.client.post("/api/token/refresh", json={"refresh": refresh}))
    assert_invalid(whoami(world, bearer(access)))


def test_nobody_blacklists_another_users_token(world: World, manager: Person, admin: Person) -> None:
    refresh = world.client.post("/api/token", headers=manager.headers).json()["token"]
    r = world.client.post("/api/token/blacklist", json={"refresh": refresh}, headers=admin.headers)
    assert r.status_code == 404
    assert world.client.post("/api/token/refresh", json={"refresh": refresh}).status_code == 200


def test_garbage_credentials_are_401(world: World) -> None:
    assert_invalid(whoami(world, token("0" * 40)))
    assert_invalid(whoami(world, bearer("eyJ.not.valid")))
    assert_invalid(world.client.post("/api/token/refresh", json={"refresh": "eyJ.not.valid"}))
    assert world.client.post("/api/token/refresh", json={}).status_code == 400
    assert whoami(world, {"Authorization": "Basic abc"}).status_code == 401


def test_cookie_session_can_make_a_token_with_its_csrf_token(world: World, manager: Person) -> None:
    key, csrf = signed_in(world.client, manager.email)
    world.client.cookies.clear()
    assert world.client.post("/api/current-user/tokens", json={}, headers=only_session(key)).status_code == 403
    r = world.client.post("/api/current-user/tokens", json={}, headers=only_session(key, csrf))
    assert r.status_code == 201 and whoami(world, token(r.json()["token"])).status_code == 200


def test_rotate_replaces_a_personal_access_token(world: World, manager: Person) -> None:
    old = world.client.post("/api/token", headers=manager.headers).json()["token"]
    r = world.client.post("/api/token/rotate", json={"refresh": old}, headers=manager.headers)
    assert r.status_code == 200, r.text
    new = r.json()["refresh"]
    assert_invalid(world.client.post("/api/token/refresh", json={"refresh": old}))
    access = world.client.post("/api/token/refresh", json={"refresh": new}).json()["access"]
    assert whoami(world, bearer(access)).json()["id"] == manager.id


def test_token_name_is_checked(world: World, manager: Person) -> None:
    r = world.client.post("/api/current-user/tokens", json={"name": "x" * 201}, headers=manager.headers)
    assert r.status_code == 400
    assert world.client.post("/api/current-user/tokens", json={"name": 5}, headers=manager.headers).status_code == 400
