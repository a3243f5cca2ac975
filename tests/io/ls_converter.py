"""Run `label_studio_sdk.converter` and Tessera's writer on the same tasks, for the oracle tests."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tessera.domain.config import cached_config
from tessera.io.writers import write_export

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "exports"

converter = pytest.importorskip("label_studio_sdk.converter")
# Label Studio's server hands the converter `project.get_parsed_config()`, made by this parse_config.
label_config = pytest.importorskip("label_studio_sdk._extensions.label_studio_tools.core.label_config")


def image_tasks() -> list[dict[str, Any]]:
    return json.loads((FIXTURES / "image_tasks.json").read_text(encoding="utf-8"))


def theirs(tasks: list[dict[str, Any]], fmt: str, config: str, tmp_path: Path) -> Path:
    """The folder the converter writes (no downloads: Tessera does not fetch media either)."""
    source = tmp_path / "tasks.json"
    source.write_text(json.dumps(tasks), encoding="utf-8")
    out_dir = tmp_path / fmt
    schema = label_config.parse_config(config)
    run = converter.Converter(config=schema, project_dir=str(tmp_path), download_resources=False)
    run.convert(str(source), str(out_dir), fmt, is_dir=False)
    return out_dir


def ours(tasks: list[dict[str, Any]], fmt: str, config: str) -> bytes:
    """Tessera's file, with the config parsed as Tessera parses it."""
    out = io.BytesIO()
    write_export(fmt, tasks, out, schema=cached_config(config).parsed_label_config())
    return out.getvalue()


def unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}
