"""Two nodes on one PostgreSQL, Redis for the rate limit, nginx in front (issue 13).

One fresh PostgreSQL database; two ``factcheck serve`` nodes (2 workers each), each with its own
index directory, started as operators start them (environment variables only); Redis for the
shared rate limit (``FACTCHECK_RATE_LIMIT_STORAGE``, the default limit of 60 checks a minute);
and nginx running ``docs/nginx/factcheck.conf``, the configuration ``docs/deploy.md`` gives,
with both nodes as its upstream. Node A imports the seed sources on its first start; node B
starts on the filled catalog and builds its own index. Then:

* the 61st check in a minute is refused whichever node answers;
* a reviewer signed in through one node is signed in on the other, and signed out everywhere;
* node B killed among a stream of checks and page requests: nginx answers every one, through A
  once B is gone, with no 5xx;
* edits through node A (add a source, correct a passage, exclude it) show in node B's answers:
  the delay over 100 edits is printed (p50, p95) and its p95 must be at most 1 s;
* node B killed with ``kill -9`` during a burst of edits catches up when it starts again, with
  no step by hand: ``factcheck index check`` finds no drift and every acknowledged edit is in
  its answers.

Checks sent to a node directly carry an ``X-Forwarded-For`` address of their own, as nginx
would for a client (the nodes trust one proxy), so polling node B a few hundred times is not
refused by the rate limit: each poll is another client of the 198.18.0.0/15 benchmarking range.
The nodes run with dense retrieval and the background re-check off, to keep this 2-core
machine's load to what is measured (both follow the same feed; they add CPU, not propagation).
Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from cluster_nodes import REPOSITORY, FreshDatabase, Nginx, nginx_available
from live_server import HOST, LiveServer, environment, run_command

POSTGRES_URL_VARIABLE = "FACTCHECK_TEST_DATABASE_URL"
DEFAULT_LIMIT = 60  # FACTCHECK_RATE_LIMIT's default, "60/minute"
PROPAGATION_EDITS = 100
PROPAGATION_P95_SECONDS = 1.0
POLL_SECONDS = 0.02
VISIBLE_WITHIN_SECONDS = 15.0  # a change not on node B by then is counted as lost
PASSWORD = "cluster test passphrase"  # alice's

pytestmark = [
    pytest.mark.timeout(900),
    pytest.mark.skipif(not nginx_available(), reason="needs Debian's nginx"),
]

_client_numbers = itertools.count()


def new_client_address() -> str:
    """Another client's address (198.18.0.0/15 is set aside for benchmarks)."""
    number = next(_client_numbers)
    return f"198.{18 + number // 62500}.{number // 250 % 250}.{number % 250 + 1}"


@dataclass
class Cluster:
    """The running system and what a test needs to drive it."""

    node_a: LiveServer
    node_b: LiveServer
    nginx: Nginx
    redis_url: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        """A curation API call's headers (alice's token)."""
        return {"Authorization": f"Bearer {self.token}"}

    def empty_rate_limit(self) -> None:
        """Give every client a full budget again."""
        import redis

        client = redis.Redis.from_url(self.redis_url)
        client.flushdb()
        client.close()

    def restart_b(self, timeout: float = 180) -> float:
        """Start node B again on its index directory; seconds until its health says 200."""
        started = time.monotonic()
        self.node_b.start()
        self.node_b.wait_ready(timeout=timeout)
        return time.monotonic() - started


def health(base_url: str) -> requests.Response:
    return requests.get(base_url + "/api/v1/health", timeout=10)


def check(base_url: str, claim: str, client: str | None = None) -> requests.Response:
    """``POST /api/v1/verify``; ``client`` is the address a proxy would forward."""
    headers = {"X-Forwarded-For": client} if client else {}
    return requests.post(
        base_url + "/api/v1/verify", json={"claim": claim}, headers=headers, timeout=30
    )


def excerpts(base_url: str, claim: str) -> list[dict[str, Any]]:
    """The excerpts a node cites for ``claim`` (asked as a new client each time)."""
    response = check(base_url, claim, new_client_address())
    assert response.status_code == 200, response.text
    body = response.json()
    return body["supporting"] + body["conflicting"]


def require_feed(cluster: Cluster) -> None:
    """Skip where the change feed (issue 13's core) is not in this tree yet."""
    if "feed" not in health(cluster.node_a.base_url).json():
        pytest.skip("needs the catalog's change feed: /api/v1/health has no 'feed'")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Cluster]:
    server_url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not server_url:
        pytest.skip(f"{POSTGRES_URL_VARIABLE} is not set")
    root = tmp_path_factory.mktemp("cluster")
    database = FreshDatabase(server_url).create()
    nodes: list[LiveServer] = []
    nginx: Nginx | None = None
    try:
        settings = {
            "DATABASE_URL": database.url,
            "RATE_LIMIT": "60/minute",  # the default, said aloud: environment() turns it off
            "RATE_LIMIT_STORAGE": redis_url,
            "TRUSTED_PROXIES": "1",
            "DENSE_RETRIEVAL": "false",
            "RECHECK_DAYS": "0",
        }
        environments = [
            environment(root / name, REPOSITORY / "sources", **settings) for name in ("a", "b")
        ]
        for arguments, given in (
            (("reviewer", "add", "alice", "--admin", "--password-stdin"), PASSWORD + "\n"),
            (("reviewer", "token", "alice"), None),
        ):
            result = run_command(root / "a", *arguments, env=environments[0], input=given)
            assert result.returncode == 0, result.stderr
        token = result.stdout.strip().splitlines()[-1]
        # A imports the seed sources into the empty catalog; B then builds its own index.
        for name, env in zip(("a", "b"), environments, strict=True):
            node = LiveServer(root / name, env=env)
            nodes.append(node)
            node.start().wait_ready(timeout=300)
        upstreams = [f"{HOST}:{node.port}" for node in nodes]
        nginx = Nginx(root / "nginx", upstreams).start()
        yield Cluster(nodes[0], nodes[1], nginx, redis_url, token)
    finally:
        if nginx is not None:
            nginx.stop()
        for node in nodes:
            node.stop()
        database.drop()


# The rate limit and the load balancer -------------------------------------------------------


def test_the_61st_check_in_a_minute_is_refused_whichever_node_answers(cluster: Cluster) -> None:
    cluster.empty_rate_limit()
    first_line = len(cluster.nginx.answered_by())
    claims = itertools.cycle(["Russia invaded Ukraine", "China urged peace", "Mali voted"])
    allowed = [check(cluster.nginx.base_url, next(claims)).status_code for _ in range(60)]
    assert allowed == [200] * DEFAULT_LIMIT
    refused = [check(cluster.nginx.base_url, next(claims)) for _ in range(4)]
    assert [response.status_code for response in refused] == [429] * 4
    assert all(int(response.headers["Retry-After"]) > 0 for response in refused)
    answered = cluster.nginx.answered_by()[first_line:]
    nodes = {f"{HOST}:{cluster.node_a.port}", f"{HOST}:{cluster.node_b.port}"}
    assert set(answered[:DEFAULT_LIMIT]) == nodes  # both nodes counted the 60
    assert set(answered[DEFAULT_LIMIT:]) == nodes  # and both refused the rest

    # A forged X-Forwarded-For only adds an entry before the one nginx appends.
    forged = requests.post(
        cluster.nginx.base_url + "/api/v1/verify",
        json={"claim": "Mali voted"},
        headers={"X-Forwarded-For": "203.0.113.50"},
        timeout=30,
    )
    assert forged.status_code == 429
    # Another client (as nginx would forward it to either node) still has its whole budget.
    other = new_client_address()
    assert check(cluster.node_a.base_url, "Mali voted", other).status_code == 200
    assert check(cluster.node_b.base_url, "Mali voted", other).status_code == 200


def csrf_token_of(page: str) -> str:
    """The CSRF token a page's forms carry."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match is not None
    return match.group(1)


def test_a_reviewer_signed_in_on_one_node_is_signed_in_on_the_other(cluster: Cluster) -> None:
    # Session and CSRF cookies are signed with the one SECRET_KEY the nodes share; the session
    # epoch is in the catalog. The cookie jar sends 127.0.0.1's cookies to either port.
    browser = requests.Session()
    node_a, node_b = cluster.node_a.base_url, cluster.node_b.base_url
    token = csrf_token_of(browser.get(node_a + "/login", timeout=10).text)
    signed_in = browser.post(
        node_a + "/login",
        data={"name": "alice", "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert signed_in.status_code == 302
    assert browser.get(node_b + "/review/", allow_redirects=False, timeout=10).status_code == 200
    # A form from node A is accepted by node B: signing out there ends the session everywhere.
    token = csrf_token_of(browser.get(node_a + "/logout", timeout=10).text)
    signed_out = browser.post(
        node_b + "/logout", data={"csrf_token": token}, allow_redirects=False, timeout=10
    )
    assert signed_out.status_code == 302
    browser.cookies.clear()
    browser.cookies.update(signed_in.cookies)  # the cookie as it was, copied before sign-out
    assert browser.get(node_a + "/review/", allow_redirects=False, timeout=10).status_code == 302


def test_nginx_answers_through_node_a_while_node_b_is_down(cluster: Cluster) -> None:
    cluster.empty_rate_limit()
    base = cluster.nginx.base_url
    first_line = len(cluster.nginx.answered_by())
    statuses: list[int] = []
    requests_made = threading.Semaphore(0)

    def stream() -> None:
        """Checks and pages through nginx, back to back, while B dies and stays dead."""
        for _ in range(45):
            statuses.append(check(base, "Belarus backed Russia").status_code)
            statuses.append(requests.get(base + "/sources", timeout=10).status_code)
            statuses.append(health(base).status_code)
            requests_made.release()

    client = threading.Thread(target=stream)
    client.start()
    try:
        for _ in range(5):  # a few rounds on both nodes, then kill -9 B among the requests
            requests_made.acquire(timeout=60)
        cluster.node_b.kill()
        killed_at_line = len(cluster.nginx.answered_by())
        client.join(timeout=300)
        assert [status for status in statuses if status >= 500] == []
        assert set(statuses) == {200}
        answered = cluster.nginx.answered_by()
        assert {f"{HOST}:{cluster.node_b.port}"} <= set(answered[first_line:killed_at_line])
        assert set(answered[killed_at_line + 3 :]) == {f"{HOST}:{cluster.node_a.port}"}
    finally:
        client.join(timeout=300)
        took = cluster.restart_b()
    print(f"\nnode B restarted and healthy in {took:.1f} s")
    assert health(base).status_code == 200


# Propagation and catch-up: these need the change feed ---------------------------------------


def pseudo_word(prefix: str, number: int) -> str:
    """A made-up place name no seed source has (``Quka``, ``Qukalo``...)."""
    syllables = ["ka", "lo", "mi", "ru", "ze", "ta", "vo", "ni", "pe", "su"]
    return prefix + "".join(syllables[int(digit)] for digit in f"{number:03d}")


def harbour_text(place: str, ships: int) -> str:
    return f"The port of {place} handled {ships:,} ships in 2022, the harbour authority said."


def harbour_claim(place: str, ships: int) -> str:
    return f"{place} handled {ships:,} ships in 2022"


@dataclass
class Edit:
    """One acknowledged edit, and how to see it in a node's answers."""

    kind: str  # "add", "correct" or "exclude"
    claim: str
    passage_id: str
    text: str
    version: int

    def shows_on(self, base_url: str) -> bool:
        """Whether the node at ``base_url`` answers ``claim`` as this edit requires."""
        cited = excerpts(base_url, self.claim)
        if self.kind == "exclude":
            return all(excerpt["passage_id"] != self.passage_id for excerpt in cited)
        return any(
            excerpt["passage_id"] == self.passage_id and excerpt["text"] == self.text
            for excerpt in cited
        )


class Editor:
    """Makes the three kinds of edit through one base URL with alice's token."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        self.base_url = base_url
        self.headers = headers

    def add_source(self, place: str, ships: int) -> Edit | None:
        response = requests.post(
            self.base_url + "/api/v1/sources",
            json={
                "title": f"Harbour traffic in {place}",
                "text": harbour_text(place, ships),
                "publisher": "The Cluster Test Gazette",
            },
            headers=self.headers,
            timeout=30,
        )
        if response.status_code != 201:
            return None
        passage_id = response.json()["passages"][0]["id"]
        passage = requests.get(
            f"{self.base_url}/api/v1/passages/{passage_id}", headers=self.headers, timeout=30
        ).json()
        claim = harbour_claim(place, ships)
        return Edit("add", claim, passage_id, passage["text"], passage["version"])

    def correct(self, edit: Edit, place: str, ships: int) -> Edit | None:
        text = harbour_text(place, ships)
        body = self._patch(edit, {"text": text})
        if body is None:
            return None
        return Edit("correct", harbour_claim(place, ships), edit.passage_id, text, body["version"])

    def exclude(self, edit: Edit) -> Edit | None:
        body = self._patch(edit, {"excluded": True, "reason": "cluster test"})
        if body is None:
            return None
        return Edit("exclude", edit.claim, edit.passage_id, edit.text, body["version"])

    def _patch(self, edit: Edit, changes: dict[str, Any]) -> dict[str, Any] | None:
        response = requests.patch(
            f"{self.base_url}/api/v1/passages/{edit.passage_id}",
            json={"version": edit.version, **changes},
            headers=self.headers,
            timeout=30,
        )
        return response.json() if response.status_code == 200 else None


def seconds_until(condition: Callable[[], bool], timeout: float) -> float | None:
    """Poll ``condition`` until it holds: the seconds it took, or None if it never did."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(POLL_SECONDS)
    return None


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` 0.95 for p95)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def test_edits_through_node_a_reach_node_b_within_a_second(cluster: Cluster) -> None:
    require_feed(cluster)
    editor = Editor(cluster.node_a.base_url, cluster.headers)
    delays: dict[str, list[float]] = {"add": [], "correct": [], "exclude": []}
    not_at_once_on_a: list[str] = []
    lost: list[str] = []

    def measure(edit: Edit | None) -> Edit:
        assert edit is not None, "node A refused an edit"
        acknowledged = time.monotonic()
        if not edit.shows_on(cluster.node_a.base_url):  # read-your-writes on the editing node
            not_at_once_on_a.append(f"{edit.kind} {edit.passage_id}")
        shown = seconds_until(
            lambda: edit.shows_on(cluster.node_b.base_url), VISIBLE_WITHIN_SECONDS
        )
        if shown is None:
            lost.append(f"{edit.kind} {edit.passage_id}")
        else:
            delays[edit.kind].append(time.monotonic() - acknowledged)
        return edit

    def made() -> int:
        return sum(map(len, delays.values())) + len(lost)

    number = 0
    while made() < PROPAGATION_EDITS:  # a source added, its passage corrected, then excluded
        place = pseudo_word("Qu", number)
        edit = measure(editor.add_source(place, 1000 + number))
        if made() < PROPAGATION_EDITS:
            edit = measure(editor.correct(edit, place, 5000 + number))
        if made() < PROPAGATION_EDITS:
            measure(editor.exclude(edit))
        number += 1

    every = [delay for kind in delays.values() for delay in kind]
    p50, p95 = statistics.median(every), percentile(every, 0.95)
    by_kind = ", ".join(
        f"{kind} {len(values)}: p50 {statistics.median(values):.3f} s"
        for kind, values in delays.items()
    )
    print(
        f"\npropagation A -> B over {len(every)} edits: p50 {p50:.3f} s, p95 {p95:.3f} s, "
        f"max {max(every):.3f} s ({by_kind}; lost {len(lost)})"
    )
    assert lost == []
    assert not_at_once_on_a == []
    assert p95 <= PROPAGATION_P95_SECONDS


def test_node_b_killed_during_a_burst_catches_up_and_loses_no_edit(cluster: Cluster) -> None:
    require_feed(cluster)
    # The burst goes through nginx, so node B takes its share of the edits until it dies.
    editor = Editor(cluster.nginx.base_url, cluster.headers)
    sources = 20
    final: dict[str, Edit | None] = {}  # place -> its last edit, None if its state is unknown
    made = threading.Semaphore(0)
    failures: list[str] = []

    def burst() -> None:
        for number in range(sources):
            place = pseudo_word("Ze", number)
            added = editor.add_source(place, 3000 + number)
            made.release()
            if added is None:  # not acknowledged: it may or may not be in the catalog
                final[place] = None
                failures.append(f"add {place}")
                continue
            corrected = editor.correct(added, place, 7000 + number)
            made.release()
            final[place] = corrected
            if corrected is None:
                failures.append(f"correct {place}")

    writer = threading.Thread(target=burst)
    writer.start()
    for _ in range(12):  # kill -9 node B (master, workers, follower) a third of the way in
        made.acquire(timeout=120)
    cluster.node_b.kill()
    killed = time.monotonic()
    writer.join(timeout=600)
    assert not writer.is_alive()
    burst_ended = time.monotonic()
    catalog_position = health(cluster.node_a.base_url).json()["feed"]["catalog_position"]

    restarted = time.monotonic()
    healthy_after = cluster.restart_b()
    caught_up_after = seconds_until(
        lambda: health(cluster.node_b.base_url).json()["feed"]["node_position"] >= catalog_position,
        60,
    )
    assert caught_up_after is not None, health(cluster.node_b.base_url).text
    caught_up = time.monotonic() - restarted
    print(
        f"\nkill -9 of node B {burst_ended - killed:.1f} s before the burst ended "
        f"({len(failures)} edits not acknowledged: {failures}); restarted: healthy in "
        f"{healthy_after:.1f} s, caught up with feed position {catalog_position} in "
        f"{caught_up:.1f} s"
    )

    result = run_command(
        cluster.node_b.data_dir, "index", "check", "--json", env=cluster.node_b.env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["before"]["clean"] is True

    acknowledged = [edit for edit in final.values() if edit is not None]
    assert len(acknowledged) >= sources // 2  # most edits went through, A alone or not
    missing = [
        f"{edit.kind} {edit.passage_id}"
        for edit in acknowledged
        for node in (cluster.node_b, cluster.node_a)
        if not edit.shows_on(node.base_url)
    ]
    assert missing == []
