"""Concurrency: checks while reviewers edit passages and while the index is rebuilt.

Threads share one app, as a server's threads do: checkers post claims, editors correct the
text of passages the claims find (each editor owns its passages, so no edit should conflict),
and a rebuilder swaps in new index generations. Then: no check failed, no edit was lost (text,
version and audit trail as written), every excerpt a check returned was a text its passage
really had at some moment (never a half-applied state), and the index ends in step with the
catalog. The second test runs the same race across processes: ``factcheck serve`` on loopback,
HTTP clients, and ``factcheck index rebuild`` commands. Bounded by :data:`SECONDS` and the
tests' timeout.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections import defaultdict
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask.testing import FlaskCliRunner
from live_server import LiveServer, run_command, start_command  # tests/, on pytest's path
from sqlalchemy import func, or_, select

from factcheck.catalog.database import Database
from factcheck.catalog.models import AuditEntry, Passage
from factcheck.extensions import get_database, get_search_index
from factcheck.search.drift import find_drift
from factcheck.search.indexing import rebuild_index

SEED = Path(__file__).resolve().parents[2] / "sources"
SECONDS = 5.0
CLAIMS = (
    "Iran supplied drones to Russia",
    "China voted against the UN resolution",
    "Belarus voted for the UN resolution",
    "Russia used Iranian drones against Ukraine",
)

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def seeded(runner: FlaskCliRunner) -> None:
    """The seed articles imported into the app."""
    result = runner.invoke(args=["import", str(SEED)])
    assert result.exit_code == 0, result.output


def edited_passages(app: Flask, count: int) -> list[str]:
    """Active passages the claims are likely to find: those that edits should race with."""
    words = ("drone", "resolution", "Iran", "voted")
    with get_database(app).session() as session:
        statement = (
            select(Passage.id)
            .where(Passage.excluded.is_(False), or_(*(Passage.text.contains(w) for w in words)))
            .order_by(Passage.id)
            .limit(count)
        )
        return list(session.scalars(statement))


def revised(text: str, number: int) -> str:
    """The ``number``-th correction of a sentence: still one sentence."""
    return f"{text.rstrip('. ')}, revision {number}."


@pytest.mark.usefixtures("seeded")
def test_checks_edits_and_rebuilds_at_once(app: Flask, auth_headers: dict[str, str]) -> None:
    database, index = get_database(app), get_search_index(app)
    owned = edited_passages(app, 8)
    assert len(owned) == 8
    texts: dict[str, set[str]] = defaultdict(set)  # every text each passage has had
    with database.session() as session:
        originals = {p.id: p.text for p in session.scalars(select(Passage))}
    for passage_id, text in originals.items():
        texts[passage_id].add(text)
    edits: dict[str, int] = defaultdict(int)
    last_text: dict[str, str] = {}
    failures: list[str] = []
    answers: list[dict] = []
    stop = threading.Event()

    def checker(offset: int) -> None:
        client = app.test_client()
        number = offset
        while not stop.is_set():
            claim = CLAIMS[number % len(CLAIMS)]
            number += 1
            response = client.post("/api/v1/verify", json={"claim": claim})
            if response.status_code != 200:
                failures.append(f"check {response.status_code}: {response.get_data()[:300]!r}")
                continue
            answers.append(response.get_json())
            # A check is pure CPU: four threads checking back to back would take nearly every
            # turn of the interpreter lock, and the test is of correctness, not of fairness.
            time.sleep(0.02)

    def editor(passage_ids: list[str]) -> None:
        client = app.test_client()
        number = 0
        while not stop.is_set():
            passage_id = passage_ids[number % len(passage_ids)]
            number += 1
            current = client.get(f"/api/v1/passages/{passage_id}", headers=auth_headers)
            body = current.get_json()
            text = revised(originals[passage_id], number)
            texts[passage_id].add(text)  # before the write: a check may see it at once
            response = client.patch(
                f"/api/v1/passages/{passage_id}",
                json={"version": body["version"], "text": text},
                headers=auth_headers,
            )
            if response.status_code != 200:
                failures.append(f"edit {response.status_code}: {response.get_data()[:300]!r}")
                continue
            edits[passage_id] += 1
            last_text[passage_id] = text

    def rebuilder() -> None:
        while not stop.is_set():
            try:
                rebuild_index(database, index)
            except Exception as error:  # noqa: BLE001 - reported as a failure of the test
                failures.append(f"rebuild: {error!r}")
            time.sleep(0.2)

    # As a server does before it serves (process_tuning): lexicons loaded, not mid-test.
    assert app.test_client().post("/api/v1/verify", json={"claim": CLAIMS[0]}).status_code == 200
    threads = [threading.Thread(target=checker, args=(n,)) for n in range(4)]
    threads += [threading.Thread(target=editor, args=(owned[n::2],)) for n in range(2)]
    threads.append(threading.Thread(target=rebuilder))
    for thread in threads:
        thread.start()
    time.sleep(SECONDS)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)

    assert failures == []
    assert len(answers) > 10 and sum(edits.values()) >= 4
    # Every excerpt is a text its passage really had: no torn or unknown state.
    for answer in answers:
        for excerpt in answer["supporting"] + answer["conflicting"]:
            assert excerpt["text"] in texts[excerpt["passage_id"]], excerpt
    # No lost edit: the last text written, one version per edit, one audit entry per edit.
    with database.session() as session:
        for passage_id, count in edits.items():
            passage = session.get(Passage, passage_id)
            assert passage.text == last_text[passage_id]
            assert passage.version == 1 + count
            audited = session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.entity_type == "passage", AuditEntry.entity_id == passage_id)
            )
            assert audited == count
    # The index saw every edit, whatever rebuilds ran in between.
    assert find_drift(database, index).clean


def test_live_server_checks_edits_and_rebuilds(tmp_path: Path) -> None:
    """The same race across processes: gunicorn's workers, a rebuild command, HTTP clients."""
    shutil.copytree(SEED, tmp_path / "sources")
    server = LiveServer(tmp_path)
    try:
        server.start()
        server.wait_ready(timeout=120)
        added = run_command(
            tmp_path, "reviewer", "add", "alice", "--password-stdin", input="a long passphrase\n"
        )
        assert added.returncode == 0, added.stderr
        token = run_command(tmp_path, "reviewer", "token", "alice").stdout.strip().split()[-1]
        headers = {"Authorization": f"Bearer {token}"}
        catalog = Database(f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
        words = ("drone", "resolution")
        with catalog.session() as session:
            owned = list(
                session.scalars(
                    select(Passage.id)
                    .where(
                        Passage.excluded.is_(False),
                        or_(*(Passage.text.contains(w) for w in words)),
                    )
                    .order_by(Passage.id)
                    .limit(4)
                )
            )
        failures: list[str] = []
        edits: dict[str, tuple[int, str]] = {}
        stop = threading.Event()

        def checker(offset: int) -> None:
            with requests.Session() as http:
                number = offset
                while not stop.is_set():
                    number += 1
                    response = http.post(
                        server.base_url + "/api/v1/verify",
                        json={"claim": CLAIMS[number % len(CLAIMS)]},
                        timeout=30,
                    )
                    if response.status_code != 200:
                        failures.append(f"check {response.status_code}: {response.text[:300]}")

        def editor() -> None:
            with requests.Session() as http:
                number = 0
                while not stop.is_set():
                    passage_id = owned[number % len(owned)]
                    number += 1
                    url = f"{server.base_url}/api/v1/passages/{passage_id}"
                    body = http.get(url, headers=headers, timeout=30).json()
                    text = revised(body["original_text"], number)
                    response = http.patch(
                        url, json={"version": body["version"], "text": text}, headers=headers
                    )
                    if response.status_code != 200:
                        failures.append(f"edit {response.status_code}: {response.text[:300]}")
                        continue
                    edits[passage_id] = (response.json()["version"], text)

        threads = [threading.Thread(target=checker, args=(n,)) for n in range(3)]
        threads.append(threading.Thread(target=editor))
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + SECONDS
        rebuilds = 0
        while time.monotonic() < deadline:
            rebuild = start_command(tmp_path, "index", "rebuild")
            try:
                assert rebuild.wait(timeout=60) == 0
            except subprocess.TimeoutExpired:
                rebuild.kill()
                raise
            rebuilds += 1
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

        assert failures == []
        assert rebuilds >= 1 and edits
        with catalog.session() as session:
            for passage_id, (version, text) in edits.items():
                passage = session.get(Passage, passage_id)
                assert (passage.version, passage.text) == (version, text)
        catalog.dispose()
        check = run_command(tmp_path, "index", "check")
        assert check.returncode == 0, check.stdout
    finally:
        server.stop()
