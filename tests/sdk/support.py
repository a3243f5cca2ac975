"""Shared constants and helpers of the SDK tests: the fixture files, the label configs, the spam data."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
ADMIN_EMAIL = "admin@example.com"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def fixture_json(name: str) -> Any:
    return json.loads(fixture_text(name))


def spam_rows() -> list[dict[str, Any]]:
    """200 real e-mails (SpamAssassin corpus): `id`, `group`, `subject`, `text`, `label` (ham/spam)."""
    with gzip.open(FIXTURES / "spam_200.jsonl.gz", "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


NER_CONFIG = fixture_text("ner_sentiment.xml")  # Labels `label` + Choices `sentiment` over Text `text`
SENTIMENT_CONFIG = fixture_text("text_classification.xml")  # Choices `sentiment` over Text `text`
SPAM_CONFIG = fixture_text("spam.xml")  # Choices `label` (ham/spam) over Text `text`


def val(obj: Any, name: str) -> Any:
    """A field of an SDK answer that may be a dict or a parsed model (the SDK types some nested items)."""
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


def strip_item(item: Any) -> dict[str, Any]:
    """A result item without what a server may add to it (region `id`, `origin`, ...)."""
    return {k: val(item, k) for k in ("from_name", "to_name", "type", "value")}
