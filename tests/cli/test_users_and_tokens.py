"""`tessera db upgrade`, `tessera user create` and `tessera token create`."""

from __future__ import annotations

import httpx

from tests.cli.conftest import Cli, last_line


def test_db_upgrade_twice_is_fine(cli: Cli) -> None:
    kind = "postgresql" if "TESSERA_DATABASE_URL" in cli.env else "sqlite"
    assert f"database is up to date ({kind})" in cli.ok("db", "upgrade")
    assert f"database is up to date ({kind})" in cli.ok("db", "upgrade")
    assert (cli.data_dir / "tessera.db").exists() == (kind == "sqlite")


def test_user_create_and_duplicate(cli: Cli) -> None:
    out = cli.ok("user", "create", "--email", "Root@Example.com", "--password", "a long passphrase", "--admin")
    assert "root@example.com" in out and "(admin)" in out
    again = cli.run("user", "create", "--email", "root@example.com", "--password", "another passphrase")
    assert again.returncode == 1
    assert "error: a user with this e-mail exists" in again.stderr
    assert "Traceback" not in again.stderr


def test_user_create_refuses_a_short_password(cli: Cli) -> None:
    done = cli.run("user", "create", "--email", "a@example.com", "--password", "short")
    assert done.returncode == 1
    assert "password" in done.stderr and "8 characters" in done.stderr
    assert "Traceback" not in done.stderr


def test_user_create_refuses_a_bad_email(cli: Cli) -> None:
    done = cli.run("user", "create", "--email", "not-an-email", "--password", "a long passphrase")
    assert done.returncode == 1 and "e-mail" in done.stderr


def test_token_for_an_unknown_user_fails(cli: Cli) -> None:
    done = cli.run("token", "create", "--email", "nobody@example.com")
    assert done.returncode == 1 and "no user with e-mail nobody@example.com" in done.stderr


def test_token_from_the_cli_authenticates_against_the_server(cli: Cli) -> None:
    cli.ok("user", "create", "--email", "ops@example.com", "--password", "a long passphrase")
    first = last_line(cli.ok("token", "create", "--email", "ops@example.com"))
    second = last_line(cli.ok("token", "create", "--email", "ops@example.com", "--name", "ci"))
    assert first != second and len(first) == 40
    with cli.start() as server:
        assert "/user/setup/" not in server.output  # a user exists: no setup link
        for key in (first, second):
            r = httpx.get(f"{server.url}/api/current-user/whoami", headers={"Authorization": f"Token {key}"})
            assert r.status_code == 200, r.text
            assert r.json()["email"] == "ops@example.com" and r.json()["is_superuser"] is False
        wrong = first[:-1] + ("1" if first.endswith("0") else "0")  # one character off, never the same key
        r = httpx.get(f"{server.url}/api/current-user/whoami", headers={"Authorization": f"Token {wrong}"})
        assert r.status_code == 401
