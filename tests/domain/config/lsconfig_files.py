"""Where the config tests find their files: the gallery fixtures in the repo and the shared LS samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
TEMPLATES = REPO / "tests" / "fixtures" / "templates"
SHARED = REPO / ".." / "shared"
SAMPLES = SHARED / "label-studio" / "samples"


def template_paths() -> list[Path]:
    """The 69 gallery configs copied from Label Studio 1.23.2, as `<group>/<name>/config.yml`."""
    return sorted(TEMPLATES.glob("*/*/config.yml"))


def template_id(path: Path) -> str:
    return f"{path.parent.parent.name}/{path.parent.name}"


def template_xml(path: Path) -> str:
    """The `config: |` block of a gallery file (a literal YAML block; no YAML library needed)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.rstrip() == "config: |") + 1
    block = []
    for line in lines[start:]:
        if line.strip() and not line.startswith(" "):
            break
        block.append(line)
    first = next(line for line in block if line.strip())
    indent = len(first) - len(first.lstrip(" "))
    return "\n".join(line[indent:] for line in block).strip("\n") + "\n"


def sample(name: str):
    """A JSON sample recorded from a real Label Studio server; skips when ../shared is absent."""
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"{name} needs the shared Label Studio samples folder")
    return json.loads(path.read_text(encoding="utf-8"))
