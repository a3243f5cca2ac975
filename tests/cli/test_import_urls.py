"""`tessera import` with URLs: fetched through the guarded outbound client, as the server's URL imports are
(loopback refused unless TESSERA_OUTBOUND_ALLOWLIST opens it), and imported with the files, all or nothing."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from tests.api.local_http import Reply, local_server
from tests.cli.conftest import Cli, last_line
from tests.cli.test_import_export import exported, make_project, write

JSONL = b'{"text": "from the web 1"}\n{"text": "from the web 2"}\n'


def test_a_url_on_loopback_is_refused_without_the_allowlist(cli: Cli, tmp_path: Path) -> None:
    project = make_project(cli, tmp_path)
    local = write(tmp_path / "a.json", json.dumps([{"text": "local"}]))
    with local_server({"/tasks.jsonl": Reply(200, JSONL)}) as web:
        done = cli.run("import", project, local, web.url("/tasks.jsonl"))
        assert web.hits == []  # refused before any connection
    assert done.returncode == 1, done.stdout
    assert "error:" in done.stderr and "127.0.0.1" in done.stderr, done.stderr
    assert exported(cli, project, tmp_path) == []


def test_files_and_urls_import_together_when_allowed(cli: Cli, tmp_path: Path) -> None:
    allowed = replace(cli, env={**cli.env, "TESSERA_OUTBOUND_ALLOWLIST": "127.0.0.1"})
    project = make_project(allowed, tmp_path)
    local = write(tmp_path / "a.json", json.dumps([{"text": "local"}]))
    with local_server({"/tasks.jsonl": Reply(200, JSONL, {"Content-Type": "application/x-ndjson"})}) as web:
        out = allowed.ok("import", project, local, web.url("/tasks.jsonl"))
    assert re.match(r"imported 3 tasks, 0 annotations, 0 predictions in [\d.]+ s$", last_line(out)), out
    texts = sorted(t["data"]["text"] for t in exported(allowed, project, tmp_path))
    assert texts == ["from the web 1", "from the web 2", "local"]


def test_a_url_that_fails_imports_nothing(cli: Cli, tmp_path: Path) -> None:
    allowed = replace(cli, env={**cli.env, "TESSERA_OUTBOUND_ALLOWLIST": "127.0.0.1"})
    project = make_project(allowed, tmp_path)
    local = write(tmp_path / "a.json", json.dumps([{"text": "local"}]))
    with local_server({}) as web:  # every path is a 404
        done = allowed.run("import", project, local, web.url("/gone.jsonl"))
    assert done.returncode == 1
    assert "404" in done.stderr and "/gone.jsonl" in done.stderr, done.stderr
    assert exported(allowed, project, tmp_path) == []
