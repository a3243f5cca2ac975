"""`tessera --help`, and README.md documents every command, subcommand and `TESSERA_*` setting."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer

from tessera import settings
from tessera.cli.main import app
from tests.cli.conftest import Cli

README = Path(__file__).resolve().parents[2] / "README.md"
COMMANDS = ["start", "db", "user", "token", "project", "import", "export"]


def readme_table(heading: str) -> list[str]:
    """The first cells of the table under `## heading`, without backticks."""
    text = README.read_text(encoding="utf-8")
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")][2:]  # past the header and rule
    return [row.split("|")[1].strip().strip("`") for row in rows]


def command_paths() -> list[str]:
    """`tessera start`, `tessera db upgrade`, …: every leaf command of the CLI."""
    found: list[str] = []

    def walk(group: Any, prefix: str) -> None:
        for name, command in group.commands.items():
            if hasattr(command, "commands"):  # a group (typer vendors its own click)
                walk(command, f"{prefix} {name}")
            else:
                found.append(f"{prefix} {name}")

    walk(typer.main.get_command(app), "tessera")
    return found


def test_help_lists_every_command(cli: Cli) -> None:
    done = cli.run("--help", data_dir=False)
    assert done.returncode == 0, done.stderr
    listed = re.findall(r"^\W*(\w+)\s{2,}", done.stdout, re.M)
    for name in COMMANDS:
        assert name in listed, done.stdout


def test_every_command_is_in_the_readme() -> None:
    cells = readme_table("Commands")
    paths = command_paths()
    assert len(paths) >= len(COMMANDS)
    for path in paths:
        assert any(cell == path or cell.startswith(path + " ") for cell in cells), f"{path} not in README.md"
    for cell in cells:  # and the README names no command that is gone
        assert any(cell == path or cell.startswith(path + " ") for path in paths), f"README.md: {cell}"


def test_every_setting_is_in_the_readme() -> None:
    source = Path(settings.__file__).read_text(encoding="utf-8")
    variables = set(re.findall(r"\bTESSERA_[A-Z0-9_]+\b", source))
    assert {"TESSERA_DATA_DIR", "TESSERA_DATABASE_URL"} <= variables
    documented = set(readme_table("Settings"))
    assert variables - documented == set()
