"""`upgrade_database` on a database already at the newest migration answers without Alembic (every command and
server start calls it); one migration behind, Alembic still upgrades it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from tessera.db import migrate
from tessera.db.engine import Database


def _version(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        return list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def test_the_head_is_the_newest_migration_file() -> None:
    assert migrate.head_revision() == max(
        line.split('"')[1]
        for path in (migrate.MIGRATIONS / "versions").glob("*.py")
        for line in path.read_text().splitlines()
        if line.startswith("revision")
    )


def test_an_up_to_date_database_is_not_handed_to_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    db = Database(url)
    migrate.upgrade_database(db.engine)
    assert _version(db) == [migrate.head_revision()]
    db.dispose()
    script = (
        "import sys\n"
        "from tessera.db.engine import Database\n"
        "from tessera.db.migrate import upgrade_database\n"
        f"upgrade_database(Database({url!r}).engine)\n"
        "print('alembic' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == ["False"]


def test_a_database_one_migration_behind_is_upgraded(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    head = migrate.head_revision()
    assert head is not None
    migrate.upgrade_database(db.engine, f"{int(head) - 1:04d}")
    assert _version(db) == [f"{int(head) - 1:04d}"]
    migrate.upgrade_database(db.engine)
    assert _version(db) == [head]
    db.dispose()


def test_two_heads_are_left_to_alembic(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True)
    for name, parent in (("a", "0001"), ("b", "0001")):
        (versions / f"{name}.py").write_text(f'revision: str = "{name}"\ndown_revision: str | None = "{parent}"\n')
    monkeypatch.setattr(migrate, "MIGRATIONS", tmp_path / "migrations")
    assert migrate.head_revision() is None
