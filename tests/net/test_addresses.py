"""The address policy on its own: what counts as public, how the allowlist matches, the URL pre-check."""

from __future__ import annotations

import ipaddress
import socket

import httpx
import pytest

from tessera.domain.errors import Blocked
from tessera.net.addresses import AddressPolicy, is_forbidden


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "93.184.215.14",
        "100.128.0.1",  # just past the shared address space
        "2606:4700:4700::1111",
        "2001:4860:4860::8888",
        "64:ff9b::808:808",  # NAT64 of a public IPv4 address (IPv6-only networks with DNS64)
        "2002:808:808::1",  # 6to4 of a public IPv4 address
    ],
)
def test_public_addresses_are_allowed(address):
    assert not is_forbidden(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "224.0.0.251",
        "::ffff:10.0.0.1",
        "64:ff9b::7f00:1",
        "fec0::1",
    ],
)
def test_non_public_addresses_are_forbidden(address):
    assert is_forbidden(ipaddress.ip_address(address))


def inet_aton_resolver(host: str, port: int) -> list[str]:
    """What the C resolver does with a numeric host: any base, any number of dots."""
    return [socket.inet_ntoa(socket.inet_aton(host))]


@pytest.mark.parametrize("host", ["2130706433", "0x7f.1", "017700000001", "127.1", "0"])
def test_numeric_hosts_are_refused_by_address_too(host):
    """Even if a numeric spelling slipped past `check_url`, the address it resolves to is checked."""
    with pytest.raises(Blocked):
        AddressPolicy(resolver=inet_aton_resolver).addresses_for(host, 80)


def test_every_resolved_address_must_pass():
    policy = AddressPolicy(resolver=lambda host, port: ["8.8.8.8", "192.168.0.10"])
    with pytest.raises(Blocked, match="resolves to a private"):
        policy.addresses_for("mixed.example", 443)


def test_the_error_does_not_reveal_the_resolved_address():
    policy = AddressPolicy(resolver=lambda host, port: ["10.11.12.13"])
    with pytest.raises(Blocked) as raised:
        policy.addresses_for("db.internal", 5432)
    assert "10.11.12.13" not in raised.value.detail


def test_addresses_keep_the_resolver_order_and_unmap_ipv4():
    policy = AddressPolicy(resolver=lambda host, port: ["2606:4700::1", "::ffff:8.8.8.8"])
    assert policy.addresses_for("dual.example", 80) == [
        ipaddress.ip_address("2606:4700::1"),
        ipaddress.ip_address("8.8.8.8"),
    ]


def test_cidr_entries_match_resolved_addresses_including_mapped_ones():
    policy = AddressPolicy(["10.0.0.0/8", "fd00::/8"], resolver=lambda host, port: ["::ffff:10.1.2.3", "fd00::5"])
    assert [str(a) for a in policy.addresses_for("models.internal", 80)] == ["10.1.2.3", "fd00::5"]
    with pytest.raises(Blocked):
        AddressPolicy(["10.0.0.0/8"], resolver=lambda host, port: ["172.16.0.1"]).addresses_for("x.internal", 80)


def test_name_entries_match_the_host_whatever_it_resolves_to():
    policy = AddressPolicy(["Models.Internal."], resolver=lambda host, port: ["10.0.0.7"])
    assert [str(a) for a in policy.addresses_for("models.internal", 80)] == ["10.0.0.7"]
    assert [str(a) for a in policy.addresses_for("MODELS.INTERNAL.", 80)] == ["10.0.0.7"]
    with pytest.raises(Blocked):
        policy.addresses_for("models.internal.evil.example", 80)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/", "not ftp"),
        ("http://u:p@example.com/", "credentials"),
        ("http://exa mple.com/", "Invalid host"),
        ("http://127.1/", "dotted-decimal"),
        ("http://example.0x10/", "dotted-decimal"),
    ],
)
def test_check_url_refusals(url, message):
    with pytest.raises(Blocked, match=message):
        AddressPolicy().check_url(httpx.URL(url))


@pytest.mark.parametrize(
    "url",
    ["http://example.com/", "https://xn--bcher-kva.example:8443/x", "http://1.2.3.4/", "http://[2606::1]/"],
)
def test_check_url_accepts_plain_http_urls(url):
    AddressPolicy().check_url(httpx.URL(url))
