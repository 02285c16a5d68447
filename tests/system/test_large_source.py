"""A large source submitted to the live server (issue 12, finding 1): refused at once by
default; accepted when the limits allow it, while other reviewers' calls keep answering.

The 1 MB paste of one sentence repeated once ran for 24 minutes, wrote a 15.6 GB WAL and held
the catalog's write lock, so every curation call (even a GET, whose token check wrote) failed.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
import requests
from live_server import LiveServer, environment, run_command  # tests/, on pytest's path

SEED = Path(__file__).resolve().parents[2] / "sources"
MEGABYTE = "Iran supplied drones to Russia in 2022, officials said. " * 17_800

pytestmark = pytest.mark.timeout(300)


def reviewer_headers(data_dir: Path, name: str) -> dict[str, str]:
    """A new reviewer's API token, as the header of a curation call."""
    added = run_command(data_dir, "reviewer", "add", name, "--password-stdin",
                        input="a long passphrase\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    token = run_command(data_dir, "reviewer", "token", name).stdout.strip().split()[-1]
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("accepted", [False, True], ids=["default-limits", "raised-limits"])
def test_other_reviewers_keep_answering_while_a_megabyte_is_submitted(
    tmp_path: Path, accepted: bool
) -> None:
    shutil.copytree(SEED, tmp_path / "sources")
    limits = {"MAX_SOURCE_CHARACTERS": "2000000", "MAX_SOURCE_PASSAGES": "100000"}
    server = LiveServer(tmp_path, env=environment(tmp_path, **(limits if accepted else {})))
    try:
        server.start()
        server.wait_ready(timeout=120)
        submitter, other = reviewer_headers(tmp_path, "alice"), reviewer_headers(tmp_path, "bob")
        answer: dict[str, object] = {}

        def submit() -> None:
            started = time.perf_counter()
            response = requests.post(
                server.base_url + "/api/v1/sources",
                json={"title": "One sentence, a megabyte of it", "text": MEGABYTE},
                headers=submitter,
                timeout=240,
            )
            answer.update(status=response.status_code, seconds=time.perf_counter() - started)

        thread = threading.Thread(target=submit)
        thread.start()
        slowest = 0.0
        calls = 0
        while thread.is_alive() or calls < 20:
            started = time.perf_counter()
            response = requests.get(server.base_url + "/api/v1/sources", headers=other, timeout=30)
            slowest = max(slowest, time.perf_counter() - started)
            calls += 1
            assert response.status_code == 200, response.text
            time.sleep(0.05)
        thread.join()
        assert slowest < 1.0, f"a curation call took {slowest:.2f} s"
        if accepted:
            assert answer["status"] == 201 and answer["seconds"] < 60, answer
        else:
            assert answer["status"] == 413 and answer["seconds"] < 5, answer
    finally:
        server.stop()
