"""Shared material for the format tests: the recorded Label Studio samples and a reader shortcut."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tessera.domain.errors import ImportFormatError
from tessera.io.readers import read_tasks

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "ls_samples"


def schema_of(config_xml: str) -> dict[str, dict[str, Any]]:
    """Controls of a (trusted, test) config as `parsed_label_config` lists them: name -> {"type": tag}."""
    root = ET.fromstring(config_xml)
    return {
        el.attrib["name"]: {"type": el.tag, "to_name": el.attrib["toName"].split(",")}
        for el in root.iter()
        if "name" in el.attrib and "toName" in el.attrib
    }


@pytest.fixture(scope="session")
def all_tags_tasks() -> list[dict[str, Any]]:
    return json.loads((SAMPLES / "all_tags_export_JSON.json").read_bytes())


@pytest.fixture(scope="session")
def all_tags_config() -> str:
    return (SAMPLES / "all_tags_config.xml").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def all_tags_schema(all_tags_config: str) -> dict[str, dict[str, Any]]:
    return schema_of(all_tags_config)


def read(content: bytes, filename: str, **options: Any) -> list[tuple[int, dict[str, Any]]]:
    """(line, item) of every task `read_tasks` yields for `content`."""
    return [(task.line, task.item) for task in read_tasks(io.BytesIO(content), filename, **options)]


def read_error(content: bytes, filename: str, **options: Any) -> ImportFormatError:
    """The ImportFormatError reading `content` raises (failing the test when it reads fine)."""
    with pytest.raises(ImportFormatError) as caught:
        read(content, filename, **options)
    return caught.value
