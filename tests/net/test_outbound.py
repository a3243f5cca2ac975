"""The outbound client against real servers on loopback; DNS is played by an injected resolver.

Nothing here connects anywhere but 127.0.0.0/8 or ::1: every other address in these tests must be refused
before a socket is opened, and `no_dns` fails the test if a literal address ever reaches the resolver.
"""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from tessera.domain.errors import Blocked
from tessera.net.outbound import OutboundClient, parse_allowlist


class FakeDNS:
    """Resolver with scripted answers: `answers[host]` lists successive answers, the last one repeating."""

    def __init__(self, answers: dict[str, list[list[str]]] | None = None) -> None:
        self.answers = answers or {}
        self.calls: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, f"{host} is not in the fake DNS")
        answers = self.answers[host]
        return answers[min(self.calls.count(host), len(answers)) - 1]


def no_dns(host: str, port: int) -> list[str]:
    raise AssertionError(f"{host} should have been refused before any DNS lookup")


# --- the guard is on by default, and the allowlist opens it ---------------------------------------------


def test_loopback_server_is_blocked_by_default(server):
    with OutboundClient(resolver=no_dns) as client, pytest.raises(Blocked, match="non-public"):
        client.request("GET", server.origin)
    assert server.hits == []


@pytest.mark.parametrize("entry", ["127.0.0.1", "127.0.0.0/8", " 127.0.0.1/32 "])
def test_allowlisted_address_is_reached(server, entry):
    with OutboundClient([entry], resolver=no_dns) as client:
        response = client.request("POST", f"{server.origin}/echo", json={"a": 1}, headers={"X-Test": "yes"})
    assert response.status_code == 200
    echo = response.json()
    assert (echo["method"], echo["body"], echo["headers"]["x-test"]) == ("POST", '{"a":1}', "yes")


def test_allowlisted_name_is_matched_case_insensitively(server):
    dns = FakeDNS({"models.internal": [["127.0.0.1"]]})
    with OutboundClient(["Models.Internal"], resolver=dns) as client:
        response = client.request("GET", f"http://MODELS.internal:{server.port}/")
    assert response.json()["headers"]["host"] == f"models.internal:{server.port}"


def test_allowlisted_name_does_not_open_other_names_to_the_same_address(server):
    dns = FakeDNS({"models.internal": [["127.0.0.1"]], "other.internal": [["127.0.0.1"]]})
    with OutboundClient(["models.internal"], resolver=dns) as client, pytest.raises(Blocked):
        client.request("GET", f"http://other.internal:{server.port}/")
    assert server.hits == []


def test_parse_allowlist():
    assert parse_allowlist(None) == []
    assert parse_allowlist(" ") == []
    assert parse_allowlist("127.0.0.1, localhost,,10.0.0.0/8 ,models.internal") == [
        "127.0.0.1",
        "localhost",
        "10.0.0.0/8",
        "models.internal",
    ]


# --- URLs refused before anything is sent ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "ftp://example.com/file",
        "gopher://127.0.0.1:6379/_INFO",
        "dict://127.0.0.1:11211/stat",
        "data:text/plain,hello",
        "javascript:alert(1)",
        "ws://example.com/",
        "//example.com/path",
        "/relative/path",
        "example.com:80",
        "http:///no-host",
        "",
    ],
)
def test_other_schemes_and_relative_urls_are_refused(url):
    with OutboundClient(resolver=no_dns) as client, pytest.raises(Blocked):
        client.request("GET", url)


def test_credentials_in_the_url_are_refused(server):
    with OutboundClient(["127.0.0.1"], resolver=no_dns) as client, pytest.raises(Blocked, match="credential"):
        client.request("GET", f"http://user:pw@127.0.0.1:{server.port}/")


FORBIDDEN_HOSTS = [
    # IPv4: loopback, "this network", RFC 1918, link-local and cloud metadata, shared space, special use
    "127.0.0.1", "127.255.255.254", "0.0.0.0", "0.1.2.3", "10.0.0.1", "172.16.0.1", "172.31.255.255",
    "192.168.1.1", "169.254.169.254", "169.254.0.1", "100.64.0.1", "100.127.255.254", "192.0.0.8",
    "192.0.2.1", "198.18.0.1", "198.51.100.1", "203.0.113.1", "224.0.0.1", "239.255.255.250", "240.0.0.1",
    "255.255.255.255",
    # IPv6: loopback, unspecified, IPv4-mapped/compatible/NAT64/6to4 forms of forbidden IPv4, ULA,
    # link-local (with a zone), site-local, multicast, documentation, Teredo, discard, AWS metadata
    "[::1]", "[::]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:127.0.0.1]",
    "[::ffff:169.254.169.254]", "[::ffff:10.0.0.1]", "[::127.0.0.1]", "[64:ff9b::127.0.0.1]",
    "[64:ff9b::a9fe:a9fe]", "[64:ff9b:1::1]", "[2002:7f00:1::1]", "[2002:a9fe:a9fe::]", "[fe80::1]",
    "[fe80::1%25eth0]", "[fc00::1]", "[fd12:3456::1]", "[fd00:ec2::254]", "[fec0::1]", "[ff02::1]",
    "[ff05::1:3]", "[2001:db8::1]", "[2001::1]", "[100::1]",
    # IPv4 spelled so that the C resolver (inet_aton) reads 127.0.0.1, 0.0.0.0 or 169.254.169.254
    "2130706433", "0x7f000001", "017700000001", "0x7f.1", "127.1", "127.0.1", "0x7f.0x0.0x0.0x1", "0",
    "0x0", "2852039166", "0xa9fea9fe", "127.0.0.1.", "0177.0.0.1", "127.000.000.001",
    "0251.0376.0251.0376", "127。0。0。1", "①②⑦.0.0.1", "%31%32%37.0.0.1",
]  # fmt: skip


@pytest.mark.parametrize("host", FORBIDDEN_HOSTS)
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_forbidden_addresses_are_refused_without_dns(scheme, host):
    with OutboundClient(resolver=no_dns, timeout=1) as client, pytest.raises(Blocked):
        client.request("GET", f"{scheme}://{host}/latest/meta-data/")


@pytest.mark.parametrize(
    "answer",
    [
        ["127.0.0.1"],
        ["::1"],
        ["10.0.0.1"],
        ["169.254.169.254"],
        ["::ffff:169.254.169.254"],
        ["fe80::1%eth0"],
        ["93.184.215.14", "10.0.0.1"],  # one public address does not vouch for the others
        ["2606:4700::6810:84e5", "::1"],
        ["not-an-address"],
    ],
)
def test_names_that_resolve_to_forbidden_addresses_are_refused(answer):
    dns = FakeDNS({"innocent.example": [answer]})
    with OutboundClient(resolver=dns, timeout=1) as client, pytest.raises(Blocked, match="innocent.example"):
        client.request("GET", "http://innocent.example/")
    assert dns.calls == ["innocent.example"]


def test_unresolvable_name_is_a_connect_error():
    with OutboundClient(resolver=FakeDNS()) as client, pytest.raises(httpx.ConnectError, match="resolve"):
        client.request("GET", "http://nowhere.example/")


# --- pinning ------------------------------------------------------------------------------------------


def test_dns_rebinding_cannot_move_the_connection(serve):
    """The name is resolved once; the connection goes to that answer, not to a second, rebound one.

    Only 127.0.0.1 is allowlisted (it plays the public address); 127.0.0.2 plays the internal target, and a
    second server listens there on the same port. A client that checked one answer and connected by name
    would reach the second server (or nothing, or the fake name would not resolve at all).
    """
    pinned = serve("127.0.0.1", name="pinned")
    try:
        serve("127.0.0.2", pinned.port, name="internal")
    except OSError:
        pass  # without 127.0.0.2 (e.g. macOS), a second lookup would reach nothing at all
    dns = FakeDNS({"rebind.example": [["127.0.0.1"], ["127.0.0.2"]]})
    with OutboundClient(["127.0.0.1/32"], resolver=dns) as client:
        response = client.request("GET", f"http://rebind.example:{pinned.port}/")
    assert response.json()["server"] == "pinned"
    assert response.json()["headers"]["host"] == f"rebind.example:{pinned.port}"
    assert dns.calls == ["rebind.example"]


def test_https_is_pinned_yet_verified_against_the_host_name(serve, certificate):
    """TLS goes to the pinned address with SNI and certificate checks for the name, not the IP."""
    server = serve(tls=certificate.server_context())
    dns = FakeDNS({"pinned.test": [["127.0.0.1"]], "other.test": [["127.0.0.1"]]})
    verify = certificate.client_context()
    with OutboundClient(["127.0.0.1"], resolver=dns, verify=verify) as client:
        response = client.request("GET", f"https://pinned.test:{server.port}/")
        assert response.json()["headers"]["host"] == f"pinned.test:{server.port}"
        assert server.sni == ["pinned.test"]
        with pytest.raises(httpx.ConnectError, match="(?i)certificate|hostname"):
            client.request("GET", f"https://other.test:{server.port}/")  # same address, wrong name
    assert dns.calls == ["pinned.test", "other.test"]


def test_ipv6_loopback_when_allowlisted(serve):
    try:
        server = serve("::1")
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    with OutboundClient(["::1"], resolver=no_dns) as client:
        assert client.request("GET", f"{server.origin}/").status_code == 200
    with OutboundClient(["127.0.0.0/8"], resolver=no_dns) as client, pytest.raises(Blocked):
        client.request("GET", f"{server.origin}/")


# --- redirects ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://[::ffff:169.254.169.254]/",
        "http://2130706433/",
        "//169.254.169.254/latest/meta-data/",
        "https://[fd00:ec2::254]/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
        "http://user:pw@127.0.0.1/",
    ],
)
def test_redirect_to_a_forbidden_target_is_blocked(server, target):
    with OutboundClient(["127.0.0.1"], resolver=no_dns, timeout=1) as client, pytest.raises(Blocked):
        client.request("GET", f"{server.origin}/redirect?to={target}")
    assert len(server.hits) == 1


def test_redirect_to_a_name_resolving_to_loopback_never_reaches_it(serve):
    """The redirect target is a real server that would answer: the guard must stop before connecting."""
    entry, internal = serve(name="entry"), serve(name="internal")
    dns = FakeDNS({"entry.example": [["127.0.0.1"]], "internal.example": [["127.0.0.1"]]})
    with OutboundClient(["entry.example"], resolver=dns) as client, pytest.raises(Blocked):
        target = f"http://internal.example:{internal.port}/"
        client.request("GET", f"http://entry.example:{entry.port}/redirect?to={target}")
    assert len(entry.hits) == 1
    assert internal.hits == []


def test_allowed_redirects_are_followed_with_history(server):
    with OutboundClient(["127.0.0.1"], resolver=no_dns) as client:
        response = client.request("POST", f"{server.origin}/redirect?code=303&to=/done", content=b"payload")
    assert response.json()["method"] == "GET"  # 303 turns the POST into a GET, as httpx does
    assert response.json()["path"] == "/done"
    assert [hop.status_code for hop in response.history] == [303]


def test_redirect_loop_stops(server):
    with OutboundClient(["127.0.0.1"], resolver=no_dns, max_redirects=3) as client:
        with pytest.raises(Blocked, match="redirects"):
            client.request("GET", f"{server.origin}/loop")
    assert len(server.hits) == 4


def test_caller_headers_and_auth_stay_with_the_first_origin(serve):
    first, second = serve(name="first"), serve(name="second")
    secrets = {"headers": {"X-Api-Key": "k"}, "auth": ("user", "pw")}
    with OutboundClient(["127.0.0.1"], resolver=no_dns) as client:
        same = client.request("GET", f"{first.origin}/redirect?to=/echo", **secrets).json()
        other = client.request("GET", f"{first.origin}/redirect?to={second.origin}/echo", **secrets).json()
    assert same["server"] == "first"
    assert same["headers"]["x-api-key"] == "k" and same["headers"]["authorization"].startswith("Basic ")
    assert other["server"] == "second"
    assert "x-api-key" not in other["headers"] and "authorization" not in other["headers"]


# --- size and time bounds -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/bytes?n=5000", "/unsized?n=5000", "/gzip?n=1000000"])
def test_bodies_over_max_bytes_are_refused(server, path):
    with OutboundClient(["127.0.0.1"], resolver=no_dns, max_bytes=4096) as client:
        with pytest.raises(Blocked, match="larger than 4096"):
            client.request("GET", f"{server.origin}{path}")
        assert client.request("GET", f"{server.origin}{path}", max_bytes=1_000_000).status_code == 200


def test_body_at_max_bytes_is_read(server):
    with OutboundClient(["127.0.0.1"], resolver=no_dns, max_bytes=4096) as client:
        assert client.request("GET", f"{server.origin}/unsized?n=4096").content == b"x" * 4096


def test_stream_yields_chunks_within_its_limit(server):
    with OutboundClient(["127.0.0.1"], resolver=no_dns, max_bytes=10) as client:
        with client.stream("GET", f"{server.origin}/unsized?n=300000", max_bytes=300_000) as response:
            received = sum(len(chunk) for chunk in response.iter_bytes())
        assert received == 300_000
        with client.stream("GET", f"{server.origin}/unsized?n=300000", max_bytes=200_000) as response:
            with pytest.raises(Blocked):
                for _ in response.iter_bytes():
                    pass


def test_read_timeout(server):
    started = time.monotonic()
    with OutboundClient(["127.0.0.1"], resolver=no_dns, timeout=0.2) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.request("GET", f"{server.origin}/slow?s=5")
    assert time.monotonic() - started < 2


def test_total_timeout_bounds_a_dripping_body(server):
    """Each byte comes well within the read timeout, but the whole body would take 5 s."""
    started = time.monotonic()
    with OutboundClient(["127.0.0.1"], resolver=no_dns, timeout=1, total_timeout=0.5) as client:
        with pytest.raises(httpx.TimeoutException, match="total"):
            client.request("GET", f"{server.origin}/drip?n=100&every=0.05")
    assert time.monotonic() - started < 2


def test_total_timeout_can_be_shortened_per_call(server):
    started = time.monotonic()
    with OutboundClient(["127.0.0.1"], resolver=no_dns, timeout=1, total_timeout=60) as client:
        with pytest.raises(httpx.TimeoutException, match="total"):
            client.request("GET", f"{server.origin}/drip?n=100&every=0.05", total_timeout=0.5)
    assert time.monotonic() - started < 2


def test_cookies_are_not_carried_between_calls(server):
    with OutboundClient(["127.0.0.1"], resolver=no_dns) as client:
        client.request("GET", f"{server.origin}/cookie")
        assert "cookie" not in client.request("GET", f"{server.origin}/").json()["headers"]
