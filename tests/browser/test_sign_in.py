"""Signing in through the browser; the import map runs under the enforced CSP."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.conftest import Console, sign_in


def test_sign_in_and_out(page: Page) -> None:
    sign_in(page)
    assert page.get_by_text("Signed in as").is_visible()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/user/login")


def test_wrong_password_stays_on_the_form(page: Page, console: Console) -> None:
    page.goto("/user/login")
    page.get_by_label("E-mail").fill("nobody@example.com")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()
    console.expect_errors()  # the browser logs the 400 of the form post
