"""The account page: an API token is made and shown once, works against the API, and is revoked."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.sdk.conftest import LiveServer


def test_create_copy_and_revoke_a_token(page: Page, live_server: LiveServer) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page)
    page.get_by_role("link", name="Signed in as").click()
    page.wait_for_url("**/user/account")
    page.get_by_label("Token name").fill("laptop")
    page.get_by_role("button", name="Create token").click()
    value = page.locator("#token-value")
    expect(value).not_to_be_empty()
    key = value.text_content() or ""
    row = page.locator("#tokens tr", has_text="laptop")
    expect(row).to_contain_text(key[:6])
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("#toast")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == key
    whoami = httpx.get(f"{live_server.base_url}/api/current-user/whoami", headers={"Authorization": f"Token {key}"})
    assert whoami.status_code == 200

    page.reload()  # shown once: after a reload only the prefix is left
    expect(page.locator("#token-once")).to_be_hidden()
    expect(page.get_by_text(key)).to_have_count(0)
    page.get_by_role("button", name="Revoke laptop").click()
    expect(page.locator("#tokens tr", has_text="laptop")).to_have_count(0)
    whoami = httpx.get(f"{live_server.base_url}/api/current-user/whoami", headers={"Authorization": f"Token {key}"})
    assert whoami.status_code == 401
