"""Which URLs and addresses the outbound client may reach: the SSRF policy, free of HTTP machinery.

A user can hand Tessera a URL (an import source, an ML backend, a webhook). Without a guard, the server
would fetch whatever that URL names — its own admin port on 127.0.0.1, a database on 10.x, the cloud metadata
service on 169.254.169.254 — on the user's behalf. The rule here is deny by default: only plainly public
unicast addresses are reachable, and an operator opens more with an explicit allowlist.

Two checks, at two moments:

* `AddressPolicy.check_url` looks at the URL before anything is sent: scheme, credentials, and hosts whose
  spelling could hide an address (`http://2130706433/`, `http://0x7f.1/` are 127.0.0.1 to the C resolver).
* `AddressPolicy.addresses_for` resolves a host once and vets every address it got. The transport calls it
  at the moment it opens a socket and connects only to what it returned, so the address checked is the
  address used (see `outbound.py`).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable

import httpx

from tessera.domain.errors import Blocked

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]
"""`(host, port) -> addresses as strings`; injectable so tests can play DNS without a network."""

ALLOWED_SCHEMES = frozenset({"http", "https"})

# Ranges that `ipaddress` (as of Python 3.11) reports as global, or that deserve saying out loud.
_ALSO_FORBIDDEN: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(cidr)
    for cidr in (
        "100.64.0.0/10",  # shared address space (carrier-grade NAT)
        "192.0.0.0/24",  # IETF protocol assignments
        "64:ff9b:1::/48",  # NAT64 local-use prefix (RFC 8215): maps to addresses of this network
        "fec0::/10",  # deprecated site-local
        "3fff::/20",  # documentation (RFC 9637)
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # well-known prefix (RFC 6052): the last 32 bits are IPv4

_HOST_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")
# WHATWG URL: a host whose last label is a number is an IPv4 address, in whatever base or dot count.
_NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+")


def parse_allowlist(value: str | None) -> list[str]:
    """Split the `TESSERA_OUTBOUND_ALLOWLIST` setting (comma-separated hosts and CIDRs) into entries."""
    return [entry.strip() for entry in (value or "").split(",") if entry.strip()]


def resolve_host(host: str, port: int) -> list[str]:
    """The default resolver: the system's, TCP results only, in its order, without repeats."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, NAT64, 6to4), since that is where packets go."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def is_forbidden(address: IPAddress) -> bool:
    """True unless the address is plainly public unicast.

    `is_global` alone is not enough: Python counts multicast and a few special ranges as global, and judges
    `::ffff:127.0.0.1` or `64:ff9b::7f00:1` by their IPv6 form rather than by the IPv4 host they reach.
    """
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None and is_forbidden(inner):
            return True
        if address.ipv4_mapped is not None or address in _NAT64:
            return False  # judged by the IPv4 address (the NAT64 prefix itself sits in reserved ::/8)
        if address.is_site_local:
            return True
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or any(address in network for network in _ALSO_FORBIDDEN)
    )


def _ip_or_none(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


class AddressPolicy:
    """Deny-by-default policy with an operator's allowlist of host names and CIDR ranges.

    A name entry (`models.internal`, `localhost`) opens a host as the URL spells it, whatever it resolves to;
    a CIDR or address entry (`10.0.0.0/8`, `127.0.0.1`) opens addresses, whatever name led there.
    """

    def __init__(self, allowlist: Iterable[str] = (), resolver: Resolver = resolve_host) -> None:
        self._names: set[str] = set()
        self._networks: list[IPNetwork] = []
        for entry in allowlist:
            try:
                self._networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                self._names.add(entry.strip().lower().rstrip("."))
        self._resolver = resolver

    def check_url(self, url: httpx.URL) -> None:
        """Refuse a URL before any connection: scheme, credentials, hosts that are not plain names or IPs."""
        if url.scheme not in ALLOWED_SCHEMES:
            raise Blocked(f"Only http and https URLs are allowed, not {url.scheme or 'a relative URL'}.")
        if url.userinfo:
            # Credentials in a URL end up in logs and in the Referer of the next hop; `auth=` is the way.
            raise Blocked("URLs with credentials (user:password@) are not allowed.")
        host = url.raw_host.decode("ascii").lower()
        if not host:
            raise Blocked("The URL has no host.")
        if _ip_or_none(host) is not None:
            return
        if not _HOST_NAME.fullmatch(host):
            raise Blocked(f"Invalid host name: {host}")
        if _NUMERIC_LABEL.fullmatch(host.rstrip(".").rsplit(".", 1)[-1]):
            raise Blocked(f"Write IP addresses in dotted-decimal form, not {host}.")

    def addresses_for(self, host: str, port: int) -> list[IPAddress]:
        """Resolve `host` once and return the addresses to connect to, in order.

        Raises `Blocked` if ANY resolved address is forbidden and not allowlisted: a name that resolves to one
        public and one private address is refused, not trimmed, as it is either misconfigured or hostile.
        """
        literal = _ip_or_none(host)
        if literal is not None:
            found: list[IPAddress] = [literal]
        else:
            found = []
            for text in self._resolver(host, port):
                address = _ip_or_none(text)
                if address is None:
                    raise Blocked(f"{host} resolved to something that is not an IP address.")
                found.append(address)
        # An IPv4-mapped address is an IPv4 peer: connect to (and match CIDRs against) the IPv4 form.
        addresses = [a.ipv4_mapped if isinstance(a, ipaddress.IPv6Address) and a.ipv4_mapped else a for a in found]
        if host.lower().rstrip(".") in self._names:
            return addresses
        for address in addresses:
            if is_forbidden(address) and not any(address in network for network in self._networks):
                # The resolved address is not named: that would make this error an oracle for internal DNS.
                what = "is" if literal is not None else "resolves to"
                raise Blocked(f"{host} {what} a private, loopback or otherwise non-public address.")
        return addresses
