"""A model for browser tests that talk to one: the fake OpenAI-compatible server as its own process, and the
module's live server allowed to reach it on 127.0.0.1. A test module imports both fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.fake_openai_process import FakeOpenAI, fake_openai

MODEL_KEY = "sk-browser-tests-0123456789"


@pytest.fixture(scope="module")
def live_server_env() -> dict[str, str]:
    return {"TESSERA_OUTBOUND_ALLOWLIST": "127.0.0.1"}


@pytest.fixture(scope="module")
def model() -> Iterator[FakeOpenAI]:
    with fake_openai(MODEL_KEY) as server:
        yield server
