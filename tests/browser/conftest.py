"""Browser journeys: headless Chromium (Debian's, found on PATH; never a Playwright download) driven by
Playwright against a live `tessera start` server (the SDK tests' `live_server`, shared by the modules that
need the same environment).

Every page's console errors and uncaught exceptions fail the test that caused them, unless the test takes
them with `console.expect_errors()`."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, sync_playwright

from tests.sdk.conftest import ADMIN_PASSWORD, LiveServer, live_server, live_server_env, live_servers  # noqa: F401
from tests.sdk.support import ADMIN_EMAIL


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("Chromium is not installed: scripts/test installs Debian's chromium package")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


@dataclass
class Console:
    """What the page said on its console and threw, kept for the end-of-test check."""

    errors: list[str] = field(default_factory=list)
    expected: bool = False

    def on_message(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location.get('url', '')})")

    def on_page_error(self, error: Error) -> None:
        self.errors.append(f"uncaught: {error}")

    def expect_errors(self) -> list[str]:
        self.expected = True
        return self.errors


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer, console: Console) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(base_url=live_server.base_url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("console", console.on_message)
    page.on("pageerror", console.on_page_error)
    yield page
    context.close()
    if not console.expected:
        assert not console.errors, "the page logged errors:\n" + "\n".join(console.errors)


def sign_in(page: Page, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:
    """Sign in through the login form, as a person would."""
    page.goto("/user/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/user/login" not in url)
