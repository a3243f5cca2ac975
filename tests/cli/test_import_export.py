"""`tessera project create`, `tessera import` (all or nothing) and `tessera export`."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from tests.api.conftest import CONFIG
from tests.cli.conftest import Cli, last_line


def make_project(cli: Cli, tmp_path: Path) -> str:
    config = tmp_path / "config.xml"
    config.write_text(CONFIG, encoding="utf-8")
    out = cli.ok("project", "create", "--title", "Sentiment", "--config", config)
    found = re.search(r"created project (\d+): Sentiment", out)
    assert found, out
    return found.group(1)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def good_files(tmp_path: Path) -> list[Path]:
    return [
        write(tmp_path / "a.json", json.dumps([{"text": "one"}, {"text": "two"}])),
        write(tmp_path / "b.csv", "text\nthree\nfour\nfive\n"),
    ]


def exported(cli: Cli, project: str, tmp_path: Path) -> list[dict]:
    out = tmp_path / "check.json"
    cli.ok("export", project, "--format", "JSON", "--out", out)
    return json.loads(out.read_text(encoding="utf-8"))


def test_import_then_export_json_and_csv(cli: Cli, tmp_path: Path) -> None:
    project = make_project(cli, tmp_path)
    out = cli.ok("import", project, *good_files(tmp_path))
    assert re.match(r"imported 5 tasks, 0 annotations, 0 predictions in [\d.]+ s$", last_line(out)), out

    target = tmp_path / "out" / "tasks.json"
    target.parent.mkdir()
    summary = cli.ok("export", project, "--format", "JSON", "--out", target)
    assert "exported 5 tasks as JSON" in summary
    tasks = json.loads(target.read_text(encoding="utf-8"))
    assert isinstance(tasks, list)
    assert [t["data"]["text"] for t in tasks] == ["one", "two", "three", "four", "five"]
    assert all(t["annotations"] == [] for t in tasks)

    target = tmp_path / "out" / "tasks.csv"
    assert "exported 5 tasks as CSV" in cli.ok("export", project, "--format", "csv", "--out", target)
    with target.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["text"] for r in rows] == ["one", "two", "three", "four", "five"]
    assert list(tmp_path.joinpath("out").iterdir()) == [tmp_path / "out" / "tasks.csv", tmp_path / "out" / "tasks.json"]


def test_bad_row_imports_nothing(cli: Cli, tmp_path: Path) -> None:
    project = make_project(cli, tmp_path)
    good = write(tmp_path / "good.json", json.dumps([{"text": "fine"}]))
    bad = write(tmp_path / "bad.csv", "text,source\nok,web\nbroken\nok again,web\n")
    done = cli.run("import", project, good, bad)
    assert done.returncode == 1, done.stdout
    assert "bad.csv, line 3" in done.stderr and "Traceback" not in done.stderr
    assert "imported" not in done.stdout
    assert exported(cli, project, tmp_path) == []


def test_bad_row_found_by_validation_imports_nothing(cli: Cli, tmp_path: Path) -> None:
    project = make_project(cli, tmp_path)
    lines = [{"text": "a"}, {"text": "b"}, {"title": "no text"}, {"text": "d"}]
    bad = write(tmp_path / "rows.jsonl", "".join(json.dumps(x) + "\n" for x in lines))
    done = cli.run("import", project, bad)
    assert done.returncode == 1
    assert "rows.jsonl, line 3" in done.stderr and "'text'" in done.stderr
    assert exported(cli, project, tmp_path) == []


def test_import_into_a_missing_project_fails(cli: Cli, tmp_path: Path) -> None:
    done = cli.run("import", "999", *good_files(tmp_path))
    assert done.returncode == 1 and "error:" in done.stderr and "Traceback" not in done.stderr


def test_export_of_an_unknown_format_fails_clearly(cli: Cli, tmp_path: Path) -> None:
    project = make_project(cli, tmp_path)
    target = tmp_path / "x.xml"
    done = cli.run("export", project, "--format", "XML", "--out", target)
    assert done.returncode == 1
    assert "unknown export format 'XML'" in done.stderr and "JSON" in done.stderr
    assert not target.exists()


def test_project_create_refuses_a_bad_config(cli: Cli, tmp_path: Path) -> None:
    config = write(tmp_path / "bad.xml", "<View><Text name='t' value='$text'></View>")
    done = cli.run("project", "create", "--title", "Broken", "--config", config)
    assert done.returncode == 1 and "error:" in done.stderr and "Traceback" not in done.stderr


def test_import_of_a_missing_file_fails_clearly(cli: Cli, tmp_path: Path) -> None:
    project = make_project(cli, tmp_path)
    done = cli.run("import", project, tmp_path / "nowhere.json")
    assert done.returncode in (1, 2)
    assert "nowhere.json" in done.stderr and "Traceback" not in done.stderr


def test_many_bad_rows_say_where_the_report_stopped(cli: Cli, tmp_path: Path) -> None:
    project = make_project(cli, tmp_path)
    rows = write(tmp_path / "rows.jsonl", '{"title": "no text"}\n' * 150)
    done = cli.run("import", project, rows)
    assert done.returncode == 1
    assert "stopped at the first 100" in done.stderr, done.stderr


def test_zip_and_parquet_import_and_dedupe_skips_what_is_there(cli: Cli, tmp_path: Path) -> None:
    import io
    import zipfile

    import pyarrow as pa
    import pyarrow.parquet as pq

    project = make_project(cli, tmp_path)
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.jsonl", '{"text": "one"}\n{"text": "two"}\n')
        z.writestr("b.csv", "text\nthree\n")
    buffer = io.BytesIO()
    pq.write_table(pa.table({"text": ["four", "one"]}), buffer)
    table = tmp_path / "c.parquet"
    table.write_bytes(buffer.getvalue())
    assert "imported 5 tasks" in cli.ok("import", project, archive, table)
    out = cli.ok("import", project, archive, table, "--dedupe")
    assert "imported 0 tasks" in out and "skipped 5 duplicates" in out, out
    assert sorted(t["data"]["text"] for t in exported(cli, project, tmp_path)) == sorted(
        ["one", "two", "three", "four", "one"]
    )
