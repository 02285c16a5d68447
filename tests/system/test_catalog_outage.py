"""A node cut off from PostgreSQL (issue 13): checks go on from its index; the rest recovers.

One ``factcheck serve`` node on a fresh PostgreSQL database, reaching it through a TCP link the
test can cut (:class:`cluster_nodes.CuttableLink`), as a database outage or a partition between
the node and the database looks to the node. ``docs/deploy.md`` describes what this holds it to:
while the catalog is unreachable ``POST /api/v1/verify`` is still answered from the node's own
index and health stays 200, everything that needs the catalog fails at once (no hang), and
every request works again as soon as the link is back.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
import requests
from cluster_nodes import REPOSITORY, CuttableLink, FreshDatabase
from live_server import LiveServer, environment
from sqlalchemy import make_url

POSTGRES_URL_VARIABLE = "FACTCHECK_TEST_DATABASE_URL"
CLAIM = {"claim": "Russia invaded Ukraine"}
FAST_SECONDS = 3.0  # connect_timeout is 2 s; a refused connection answers at once

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def node_and_link(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LiveServer, CuttableLink]]:
    server_url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not server_url:
        pytest.skip(f"{POSTGRES_URL_VARIABLE} is not set")
    database = FreshDatabase(server_url).create()
    direct = make_url(database.url)
    link = CuttableLink((direct.host or "127.0.0.1", direct.port or 5432)).restore()
    through_link = direct.set(host="127.0.0.1", port=link.port).update_query_dict(
        {"connect_timeout": "2"}
    )
    root = tmp_path_factory.mktemp("outage")
    env = environment(
        root,
        REPOSITORY / "sources",
        DATABASE_URL=through_link.render_as_string(hide_password=False),
        DENSE_RETRIEVAL="false",
        RECHECK_DAYS="0",
    )
    node = LiveServer(root, env=env)
    try:
        node.start().wait_ready(timeout=300)
        yield node, link
    finally:
        node.stop()
        link.cut()
        database.drop()


def timed(method: str, url: str, **kwargs: object) -> tuple[int, float]:
    """A request's status and how long it took."""
    started = time.monotonic()
    response = requests.request(method, url, timeout=30, **kwargs)  # type: ignore[arg-type]
    return response.status_code, time.monotonic() - started


def test_checks_go_on_without_the_catalog_and_the_rest_recovers(node_and_link) -> None:
    node, link = node_and_link
    base = node.base_url
    catalog_reads = [("GET", "/sources"), ("GET", "/check?claim=Russia+invaded+Ukraine")]
    assert [timed(method, base + path)[0] for method, path in catalog_reads] == [200] * 2
    assert timed("GET", base + "/api/v1/health")[0] == 200

    link.cut()
    try:
        for _ in range(3):
            status, took = timed("POST", base + "/api/v1/verify", json=CLAIM)
            assert status == 200 and took < FAST_SECONDS
        # Health stays 200 (the last feed state read, the node's own position): a catalog
        # outage alone must not make a load balancer take out nodes that answer checks.
        status, took = timed("GET", base + "/api/v1/health")
        assert status == 200 and took < FAST_SECONDS
        for method, path in catalog_reads:
            status, took = timed(method, base + path)
            assert status == 503, path  # an outage the client may retry, not a server bug
            assert took < FAST_SECONDS, path
    finally:
        link.restore()

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if timed("GET", base + "/sources")[0] == 200:
            break
        time.sleep(0.1)
    assert [timed(method, base + path)[0] for method, path in catalog_reads] == [200] * 2
    assert timed("POST", base + "/api/v1/verify", json=CLAIM)[0] == 200
