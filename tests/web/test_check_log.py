"""Check log: the background writer logs every check, and one bad row never costs its batch."""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, select

from factcheck.catalog.models import ClaimCheck
from factcheck.web import check_log
from factcheck.web.checks import check_claim

CLAIM = "Easthaven handled 7,200 ships in 2022"


def test_one_unstorable_claim_does_not_lose_the_rest_of_its_batch(app, imported) -> None:
    """Issue 12, finding 2: a lone surrogate once made the writer drop a whole batch."""
    with app.app_context():
        result = check_claim(CLAIM, 5)
    writer = check_log._writer(app)
    claims = [f"Easthaven handled {number} ships" for number in range(300)]
    claims.insert(150, "Iran \ud800 drones")  # what the database refuses
    for claim in claims:
        writer.submit(dataclasses.replace(result, claim=claim))
    check_log.flush(app)
    with app.extensions["factcheck.database"].session() as session:
        assert session.scalar(select(func.count()).select_from(ClaimCheck)) == 300
