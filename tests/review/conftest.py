"""Fixtures shared by the review tests."""

from __future__ import annotations

import pytest
from moved_verdicts import CLAIM

from factcheck.web import check_log


@pytest.fixture
def logged(app, client, imported) -> dict:
    """:data:`moved_verdicts.CLAIM` checked once through the API (so it is in the check log)."""
    body = client.post("/api/v1/verify", json={"claim": CLAIM}).get_json()
    assert body["verdict"] == "supported"
    check_log.flush(app)  # the log is written in the background
    return body
