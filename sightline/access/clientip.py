"""The address a request really came from, for the lockout and rate limits.

Behind a reverse proxy every connection comes from the proxy, so counting failed
sign-ins by ``REMOTE_ADDR`` would lock out (or spare) everyone at once. The client's
address is then in ``X-Forwarded-For``, but that header is whatever the client sent with
each proxy's addition on the right, so it is believed only as far as it was written by a
proxy we trust: ``SIGHTLINE_TRUSTED_PROXIES`` (addresses or networks, empty by default).

- The connection is not from a trusted proxy (or none is configured): ``REMOTE_ADDR``.
- Otherwise walk ``X-Forwarded-For`` from the right, past trusted proxies: the first
  address that is not one is the client. Anything to its left was written by the client
  and is ignored; an unreadable entry stops the walk at the last address vouched for.
"""

import functools
import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def parse_proxies(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """``("10.0.0.5", "10.1.0.0/16")`` -> networks; ValueError naming a bad entry."""
    networks: list[Network] = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as error:
            raise ValueError(
                f"SIGHTLINE_TRUSTED_PROXIES: {entry!r} is not an address or network"
            ) from error
    return tuple(networks)


def _address(text: str | None) -> Address | None:
    value = (text or "").strip()
    if value.startswith("["):  # [2001:db8::1]:443
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # 192.0.2.1:443
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_address(
    remote_addr: str | None, forwarded_for: str | None, trusted: Iterable[Network]
) -> str | None:
    """The client's address from the connection's and the header's (see the module)."""
    proxies = tuple(trusted)
    nearest = _address(remote_addr)
    if nearest is None:
        return remote_addr or None

    def is_proxy(address: Address) -> bool:
        return any(address in network for network in proxies)

    if not proxies or not is_proxy(nearest) or not forwarded_for:
        return str(nearest)
    for hop in reversed(forwarded_for.split(",")):
        address = _address(hop)
        if address is None:
            break
        if not is_proxy(address):
            return str(address)
        nearest = address
    return str(nearest)


class _Request(Protocol):
    """A Django request or a DRF one."""

    @property
    def META(self) -> Mapping[str, Any]: ...  # noqa: N802 - Django's name


def request_client_address(request: _Request) -> str | None:
    """For django-axes (``AXES_CLIENT_IP_CALLABLE``) and the API's anonymous rate."""
    return client_address(
        request.META.get("REMOTE_ADDR"),
        request.META.get("HTTP_X_FORWARDED_FOR"),
        parse_proxies(tuple(settings.SIGHTLINE_TRUSTED_PROXIES)),
    )
