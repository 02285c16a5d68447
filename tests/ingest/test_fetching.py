"""Fetching: the SSRF guard refuses every non-public address, before connecting and on every
redirect, and the fetch refuses wrong schemes, big or non-text bodies and slow servers.

Nothing here leaves the machine: refused addresses are refused before any connection, and the
pages that are fetched come from a server on loopback that only these tests' policy allows.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest

from factcheck.ingest.fetching import AddressPolicy, Fetcher, FetchError, address_problem

ARTICLE_HTML = b"""<html><head><title>Bridge opens</title></head><body>
<article><h1>Bridge opens</h1><p>The mayor opened the bridge on Monday.</p></article>
</body></html>"""


class PageHandler(BaseHTTPRequestHandler):
    """Serves a few fixed paths: a page, redirects, big, binary and slow answers."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        routes = {
            "/page": (200, "text/html; charset=utf-8", ARTICLE_HTML),
            "/text": (200, "text/plain", b"Title line\n\nBody text."),
            "/image": (200, "image/png", b"\x89PNG"),
            "/big": (200, "text/html", b"x" * 2048),
        }
        if self.path in routes:
            status, content_type, body = routes[self.path]
            self._answer(status, content_type, body)
        elif self.path.startswith("/redirect-to?"):
            self.send_response(302)
            self.send_header("Location", unquote(self.path.split("?", 1)[1]))
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/loop":
            self.send_response(301)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/unsized":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"y" * 4096)
            self.close_connection = True
        elif self.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(10):
                self.wfile.write(b"z")
                self.wfile.flush()
                time.sleep(0.2)
        else:
            self._answer(404, "text/plain", b"no")

    def _answer(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args) -> None:
        """Keep test output quiet."""


@pytest.fixture
def page_server() -> Iterator[str]:
    """A page server on 127.0.0.1 (an ephemeral port); yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), PageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


LOOPBACK_ONLY = AddressPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),))


def resolver_to(*addresses: str):
    """A resolver that answers every name with ``addresses`` (and records the names asked)."""

    def resolve(host, port, **_kwargs):
        resolve.asked.append(host)
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    resolve.asked = []
    return resolve


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "loopback"),
        ("http://127.1.2.3:8080/admin", "loopback"),
        ("http://localhost/", "loopback"),
        ("http://10.0.0.1/", "private"),
        ("http://10.255.1.2/internal", "private"),
        ("http://192.168.1.1/", "private"),
        ("http://172.16.0.1/", "private"),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("http://[fd00:ec2::254]/", "cloud metadata"),
        ("http://[::1]/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://[::ffff:169.254.169.254]/", "cloud metadata"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[fc00::1]/", "private"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
        ("http://240.0.0.1/", "reserved"),
        ("http://100.64.0.1/", "not public"),
        ("http://2130706433/", "loopback"),  # 127.0.0.1 written as one number
    ],
)
def test_non_public_addresses_are_refused(url: str, reason: str) -> None:
    with pytest.raises(FetchError, match=reason):
        Fetcher().fetch(url)


@pytest.mark.parametrize(
    ("address", "reason"),
    [("127.0.0.1", "loopback"), ("10.1.2.3", "private"), ("169.254.169.254", "metadata")],
)
def test_a_public_name_resolving_to_a_private_address_is_refused(address, reason) -> None:
    resolve = resolver_to(address)
    with pytest.raises(FetchError, match=reason):
        Fetcher(AddressPolicy(resolve=resolve)).fetch("https://news.example.com/story")
    assert resolve.asked == ["news.example.com"]


def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    resolve = resolver_to("93.184.216.34", "10.0.0.7")
    with pytest.raises(FetchError, match="10.0.0.7"):
        Fetcher(AddressPolicy(resolve=resolve)).fetch("http://mixed.example.com/")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.org/file", "Only http and https"),
        ("file:///etc/passwd", "Only http and https"),
        ("gopher://example.org/", "Only http and https"),
        ("http://user:secret@example.org/", "user name or password"),
        ("http:///nohost", "names no host"),
    ],
)
def test_urls_refused_by_their_form(url: str, reason: str) -> None:
    with pytest.raises(FetchError, match=reason):
        Fetcher().fetch(url)


def test_a_page_on_an_allowed_address_is_fetched(page_server: str) -> None:
    page = Fetcher(LOOPBACK_ONLY).fetch(page_server + "/page")
    assert page.content_type == "text/html" and page.charset == "utf-8"
    assert b"The mayor opened the bridge" in page.body


def test_loopback_is_refused_without_the_test_policy(page_server: str) -> None:
    with pytest.raises(FetchError, match="loopback"):
        Fetcher().fetch(page_server + "/page")


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/secret",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://127.0.0.2/",  # loopback outside the one address this test allows
    ],
)
def test_a_redirect_to_a_private_address_is_refused(page_server: str, target: str) -> None:
    with pytest.raises(FetchError, match="Refused"):
        Fetcher(LOOPBACK_ONLY).fetch(f"{page_server}/redirect-to?{target}")


def test_a_redirect_to_another_scheme_is_refused(page_server: str) -> None:
    with pytest.raises(FetchError, match="Only http and https"):
        Fetcher(LOOPBACK_ONLY).fetch(f"{page_server}/redirect-to?file:///etc/passwd")


def test_a_redirect_within_the_allowed_server_is_followed(page_server: str) -> None:
    page = Fetcher(LOOPBACK_ONLY).fetch(f"{page_server}/redirect-to?/page")
    assert page.url == page_server + "/page"


def test_redirects_stop_after_five(page_server: str) -> None:
    with pytest.raises(FetchError, match="Too many redirects"):
        Fetcher(LOOPBACK_ONLY).fetch(page_server + "/loop")


def test_content_that_is_not_html_or_text_is_refused(page_server: str) -> None:
    with pytest.raises(FetchError, match="image/png, not HTML or text"):
        Fetcher(LOOPBACK_ONLY).fetch(page_server + "/image")


@pytest.mark.parametrize("path", ["/big", "/unsized"])
def test_bodies_over_the_cap_are_refused(page_server: str, path: str) -> None:
    with pytest.raises(FetchError, match="larger than"):
        Fetcher(LOOPBACK_ONLY, max_bytes=1024).fetch(page_server + path)


def test_the_default_cap_is_five_megabytes() -> None:
    assert Fetcher().max_bytes == 5 * 1024 * 1024
    assert Fetcher().deadline == 10


def test_a_slow_server_runs_out_of_time(page_server: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="longer than 0.5 s"):
        Fetcher(LOOPBACK_ONLY, deadline=0.5).fetch(page_server + "/slow")
    assert time.monotonic() - started < 2


def test_an_error_status_is_refused(page_server: str) -> None:
    with pytest.raises(FetchError, match="answered 404"):
        Fetcher(LOOPBACK_ONLY).fetch(page_server + "/missing")


def test_the_connection_itself_rechecks_the_address() -> None:
    """A name that resolves to a public address when vetted, then to loopback when the
    connection is opened (DNS rebinding), is refused by the connection's own check."""
    answers = iter(["93.184.216.34", "127.0.0.1"])

    def rebinding(host, port, **_kwargs):
        address = next(answers, "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    with pytest.raises(FetchError, match="loopback"):
        Fetcher(AddressPolicy(resolve=rebinding)).fetch("http://rebind.example.com/")


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("::ffff:10.0.0.1", False),
        ("2002:7f00:1::", False),  # 6to4 wrapping 127.0.0.1
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 wrapping 169.254.169.254
    ],
)
def test_address_problem(address: str, public: bool) -> None:
    assert (address_problem(ipaddress.ip_address(address)) is None) is public


def test_a_refusal_shown_to_people_never_names_the_resolved_address() -> None:
    """Issue 12, finding 8: the refusal said "evil-private.test (10.1.2.3)", exposing DNS."""
    resolve = resolver_to("10.1.2.3")
    with pytest.raises(FetchError) as refused:
        Fetcher(AddressPolicy(resolve=resolve)).fetch("http://evil-private.test/")
    assert "10.1.2.3" not in refused.value.reason
    assert "evil-private.test" in refused.value.reason and "not allowed" in refused.value.reason
