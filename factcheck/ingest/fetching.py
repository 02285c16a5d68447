"""Fetching: download one web page for a reviewer, without letting the server be turned on itself.

A URL a reviewer types is untrusted: it may name (or resolve to, or redirect to) the machine's
loopback, a private network or a cloud metadata service. :class:`Fetcher` refuses, each with its
own :class:`FetchError` reason:

* schemes other than ``http`` and ``https``, and URLs carrying a user name or password;
* hosts whose DNS answer holds any address that is not public: loopback, private, link-local
  (which covers the 169.254.169.254 metadata service), shared (carrier-grade NAT), multicast,
  reserved or unspecified, in IPv4 and IPv6, IPv4 addresses embedded in IPv6 (mapped, 6to4,
  NAT64) unwrapped first;
* the same on every redirect, which is followed by hand (at most :data:`MAX_REDIRECTS`);
* bodies over :data:`MAX_BYTES` (by ``Content-Length`` and while streaming), content that is not
  HTML or text, and servers slower than :data:`DEADLINE_SECONDS` in all.

The check happens before any connection is opened, and again inside the connection itself: the
socket connects to the very address that was vetted, so a DNS answer that changes between the
check and the connection (DNS rebinding) cannot slip through. Proxies from the environment are
ignored for the same reason. Nothing here imports Flask.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, HTTPError, NewConnectionError, ReadTimeoutError

from factcheck.errors import FetchRefused

MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
DEADLINE_SECONDS = 10.0
CONNECT_TIMEOUT = 5.0
CHUNK_BYTES = 64 * 1024
ALLOWED_SCHEMES = ("http", "https")
ACCEPTED_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
USER_AGENT = "factcheck-reviewer-fetch/1 (+curation of news sources)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., list[Any]]

# Named so a refusal can say what the address is; anything else not global is refused too.
_CLOUD_METADATA = (
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack
    ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class FetchError(FetchRefused):
    """A page that was not fetched; ``reason`` says why in words a reviewer understands.

    A :class:`~factcheck.errors.FetchRefused`: a view that lets it propagate answers 422
    ``fetch_refused`` with the reason against the ``url`` field. ``detail`` is for the
    operator's log only (``str(error)`` ends with it): a resolved address told to a client would
    map the internal network for them.
    """

    def __init__(self, reason: str, url: str | None = None, *, detail: str | None = None) -> None:
        super().__init__(reason)
        self.url = url
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.reason} ({self.detail})" if self.detail else self.reason


@dataclass(frozen=True)
class FetchedPage:
    """A page as downloaded: where it ended up, its type and its bytes."""

    url: str  # after redirects
    content_type: str  # "text/html", without parameters
    charset: str | None
    body: bytes

    def text(self) -> str:
        """The body decoded with its declared charset (UTF-8 if none or unknown)."""
        try:
            return self.body.decode(self.charset or "utf-8", errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_problem(address: IPAddress) -> str | None:
    """Why an address may not be fetched from, or ``None`` if it is a public one."""
    inner = embedded_ipv4(address)
    if inner is not None:
        problem = address_problem(inner)
        return f"{problem} (inside the IPv6 address {address})" if problem else None
    if address in _CLOUD_METADATA:
        return "a cloud metadata address"
    checks = (
        ("is_unspecified", "an unspecified address"),
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_multicast", "a multicast address"),
        ("is_reserved", "a reserved address"),
        ("is_private", "a private network address"),
    )
    for attribute, words in checks:
        if getattr(address, attribute):
            return words
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "a site-local address"
    if not address.is_global:
        return "an address that is not public"
    return None


@dataclass
class AddressPolicy:
    """Which addresses may be fetched from, and how host names are resolved.

    ``allowed_networks`` lets a test reach its own server on loopback; the service never sets it.
    """

    allowed_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    resolve: Resolver = field(default=socket.getaddrinfo)

    def vet_host(self, host: str, port: int) -> list[tuple[int, str]]:
        """Resolve ``host`` and return its (family, address) pairs if every one is allowed."""
        try:
            literal = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [literal]
        else:
            try:
                answers = self.resolve(host, port, type=socket.SOCK_STREAM)
            except (socket.gaierror, UnicodeError) as error:
                raise FetchError(f"The host name {host!r} could not be resolved.") from error
            addresses = _unique(
                ipaddress.ip_address(str(answer[4][0]).split("%", 1)[0]) for answer in answers
            )
            if not addresses:
                raise FetchError(f"The host name {host!r} has no address.")
        for address in addresses:
            if any(address in network for network in self.allowed_networks):
                continue
            problem = address_problem(address)
            if problem and literal is not None:  # the client wrote the address: say what it is
                raise FetchError(f"Refused: {host} is {problem}, not a public web server.")
            if problem:
                raise FetchError(
                    f"Refused: {host} resolves to an address that is not allowed "
                    "(only public web servers are fetched).",
                    detail=f"{address} is {problem}",
                )
        return [
            (socket.AF_INET6 if address.version == 6 else socket.AF_INET, str(address))
            for address in addresses
        ]


def _unique(addresses: Iterable[IPAddress]) -> list[IPAddress]:
    seen: list[IPAddress] = []
    for address in addresses:
        if address not in seen:
            seen.append(address)
    return seen


def _guarded_connection(base: type[HTTPConnection], policy: AddressPolicy) -> type[Any]:
    """A urllib3 connection class that connects only to an address ``policy`` allows."""

    class GuardedConnection(base):  # type: ignore[valid-type, misc]
        def _new_conn(self) -> socket.socket:
            vetted = policy.vet_host(self._dns_host, self.port)
            timeout = self.timeout if isinstance(self.timeout, int | float) else None
            last_error: OSError | None = None
            for family, address in vetted:
                sock = socket.socket(family, socket.SOCK_STREAM)
                sock.settimeout(timeout)
                try:
                    sock.connect((address, self.port))
                except TimeoutError as error:
                    sock.close()
                    raise ConnectTimeoutError(self, f"connecting to {address} timed out") from error
                except OSError as error:
                    sock.close()
                    last_error = error
                    continue
                return sock
            raise NewConnectionError(self, f"could not connect: {last_error}")

    return GuardedConnection


class _GuardedAdapter(HTTPAdapter):
    """A requests adapter whose connection pools use guarded connections."""

    def __init__(self, policy: AddressPolicy) -> None:
        self._policy = policy
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        http_connection = _guarded_connection(HTTPConnection, self._policy)
        https_connection = _guarded_connection(HTTPSConnection, self._policy)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type(
                "GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_connection}
            ),
            "https": type(
                "GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_connection}
            ),
        }


class Fetcher:
    """Downloads single pages under the rules in this module's docstring."""

    def __init__(
        self,
        policy: AddressPolicy | None = None,
        *,
        max_bytes: int = MAX_BYTES,
        deadline: float = DEADLINE_SECONDS,
        max_redirects: int = MAX_REDIRECTS,
    ) -> None:
        self.policy = policy or AddressPolicy()
        self.max_bytes = max_bytes
        self.deadline = deadline
        self.max_redirects = max_redirects

    def fetch(self, url: str) -> FetchedPage:
        """Download ``url``, or raise :class:`FetchError` saying why not."""
        started = time.monotonic()
        with requests.Session() as session:
            session.trust_env = False  # an environment proxy would connect where we did not vet
            adapter = _GuardedAdapter(self.policy)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            current = url.strip()
            for _hop in range(self.max_redirects + 1):
                self._vet_url(current)
                response = self._get(session, current, started)
                with response:
                    if response.status_code in REDIRECT_STATUSES:
                        location = response.headers.get("Location")
                        if not location:
                            raise FetchError("The server redirected without saying where.", current)
                        current = urljoin(current, location)
                        continue
                    return self._read(response, current, started)
            raise FetchError(f"Too many redirects (more than {self.max_redirects}).", url)

    def _vet_url(self, url: str) -> None:
        """Refuse a URL by its scheme, credentials or host's addresses, before connecting."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise FetchError(f"Not a valid URL: {error}.", url) from error
        if parts.scheme.lower() not in ALLOWED_SCHEMES:
            raise FetchError(
                f"Only http and https URLs can be fetched, not {parts.scheme or 'this'!r}.", url
            )
        if parts.username or parts.password:
            raise FetchError("URLs with a user name or password are not fetched.", url)
        if not parts.hostname:
            raise FetchError("The URL names no host.", url)
        default_port = 443 if parts.scheme.lower() == "https" else 80
        self.policy.vet_host(parts.hostname, port or default_port)

    def _remaining(self, started: float, url: str) -> float:
        remaining = self.deadline - (time.monotonic() - started)
        if remaining <= 0:
            raise FetchError(self._too_slow(), url)
        return remaining

    def _get(self, session: requests.Session, url: str, started: float) -> requests.Response:
        remaining = self._remaining(started, url)
        try:
            return session.get(
                url,
                stream=True,
                allow_redirects=False,
                timeout=(min(CONNECT_TIMEOUT, remaining), remaining),
                headers={"User-Agent": USER_AGENT, "Accept": ", ".join(ACCEPTED_TYPES)},
            )
        except FetchError:
            raise
        except requests.Timeout as error:
            raise FetchError(self._too_slow(), url) from error
        except requests.RequestException as error:
            # A refusal raised inside the guarded connection arrives wrapped by urllib3.
            inner = _find_fetch_error(error)
            if inner is not None:
                raise inner from error
            raise FetchError(f"The page could not be fetched: {_describe(error)}.", url) from error

    def _read(self, response: requests.Response, url: str, started: float) -> FetchedPage:
        if response.status_code != 200:
            raise FetchError(f"The server answered {response.status_code}, not the page.", url)
        content_type, charset = _content_type(response.headers.get("Content-Type", ""))
        if content_type not in ACCEPTED_TYPES:
            raise FetchError(
                f"The page is {content_type or 'of no stated type'}, not HTML or text.", url
            )
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(self._too_large(), url)
        body = bytearray()
        raw = response.raw
        while True:
            remaining = self._remaining(started, url)
            # Each read may wait only for what is left of the deadline, so a server that
            # drips a byte at a time, or stalls part way, cannot hold the fetch past it.
            sock = getattr(getattr(raw, "connection", None), "sock", None)
            if sock is not None:
                sock.settimeout(remaining)
            try:
                chunk = raw.read1(CHUNK_BYTES, decode_content=True)
            except (ReadTimeoutError, TimeoutError) as error:
                raise FetchError(self._too_slow(), url) from error
            except (HTTPError, OSError) as error:
                raise FetchError(f"The download failed: {_describe(error)}.", url) from error
            if not chunk:
                break
            body.extend(chunk)
            if len(body) > self.max_bytes:
                raise FetchError(self._too_large(), url)
        return FetchedPage(url=url, content_type=content_type, charset=charset, body=bytes(body))

    def _too_slow(self) -> str:
        return f"The server took longer than {self.deadline:g} s to answer."

    def _too_large(self) -> str:
        return f"The page is larger than {self.max_bytes // (1024 * 1024)} MB."


def _content_type(header: str) -> tuple[str, str | None]:
    """The media type and charset of a Content-Type header."""
    media_type, _separator, parameters = header.partition(";")
    charset = None
    for parameter in parameters.split(";"):
        name, _equals, value = parameter.strip().partition("=")
        if name.lower() == "charset" and value:
            charset = value.strip().strip('"')
    return media_type.strip().lower(), charset


def _find_fetch_error(error: BaseException | None) -> FetchError | None:
    """A :class:`FetchError` somewhere in an exception's chain of causes and arguments."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, FetchError):
            return error
        nested = next((arg for arg in error.args if isinstance(arg, BaseException)), None)
        reason = getattr(error, "reason", None)
        error = (
            (reason if isinstance(reason, BaseException) else nested)
            or error.__cause__
            or error.__context__
        )
    return None


def _describe(error: BaseException) -> str:
    """A short description of a network error, without a traceback."""
    return type(error).__name__
