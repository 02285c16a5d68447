"""Claim reviews: the check log (one row per normalised claim), sign-off, the reviewer's
verdict beside the automatic one, and the ClaimReview JSON-LD against schema.org's vocabulary."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from factcheck.catalog.models import AuditEntry, ClaimCheck
from factcheck.engine.verify import Result
from factcheck.review.claim_reviews import list_checks, sign_off
from factcheck.review.curation import CurationError
from factcheck.review.reviewers import ReviewerIdentity, add_reviewer
from factcheck.web import check_log
from factcheck.web.check_records import normalise_claim, record_check, review_for_claim

CLAIM = "Easthaven handled 7,200 ships in 2022"
ALICE = ReviewerIdentity(1, "alice", True)

# The schema.org terms a ClaimReview may use here: type -> its properties (own and inherited),
# and the type each nested object must have. From schema.org's vocabulary (v28).
VOCABULARY = {
    "ClaimReview": {
        "@context", "@type", "@id", "url", "claimReviewed", "reviewBody", "datePublished",
        "author", "reviewRating", "itemReviewed", "citation",
    },
    "Rating": {"@type", "ratingValue", "bestRating", "worstRating", "alternateName"},
    "Person": {"@type", "name"},
    "Organization": {"@type", "name"},
    "Claim": {"@type", "text", "name"},
    "CreativeWork": {"@type", "name", "url", "publisher", "datePublished"},
    "DataFeed": {"@context", "@type", "dataFeedElement"},
}  # fmt: skip
RANGES = {
    "author": {"Person", "Organization"},
    "reviewRating": {"Rating"},
    "itemReviewed": {"Claim"},
    "citation": {"CreativeWork"},
    "publisher": {"Organization", "Person"},
    "dataFeedElement": {"ClaimReview"},
}


def assert_schema_org(node: dict) -> None:
    """Every property belongs to the node's type, and every nested node has an allowed type."""
    kind = node["@type"]
    assert kind in VOCABULARY, kind
    assert set(node) <= VOCABULARY[kind], set(node) - VOCABULARY[kind]
    for name, value in node.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                assert item["@type"] in RANGES[name], (name, item["@type"])
                assert_schema_org(item)


def result(claim: str, verdict: str = "supported", confidence: float = 0.8) -> Result:
    return Result(claim, verdict, confidence, "", (), (), (), "v", 1.0)


@pytest.mark.parametrize(
    ("claim", "key"),
    [
        ("Iran supplied drones to Russia.", "iran supplied drones to russia"),
        ("  IRAN   supplied drones to Russia ", "iran supplied drones to russia"),
        ("“Iran supplied drones to Russia”!", "iran supplied drones to russia"),
        ("Did Iran supply drones?", "did iran supply drones"),
    ],
)
def test_normalise_claim(claim: str, key: str) -> None:
    assert normalise_claim(claim) == key


def test_record_check_counts_one_claim_however_it_is_written(database) -> None:
    with database.session() as session:
        first = record_check(session, result("Iran supplied drones to Russia."))
        second = record_check(session, result("iran supplied  drones to Russia", "refuted"))
        record_check(session, result("Cuba sent troops"))
    assert first == second
    with database.session() as session:
        checks = list_checks(session).items
        assert [row.check.times_asked for row in checks] == [2, 1]  # most asked first
        assert checks[0].check.verdict == "refuted"  # the latest automatic verdict
        assert checks[0].check.claim == "iran supplied  drones to Russia"


def test_sign_off_is_validated_and_audited(database) -> None:
    with database.session() as session:
        add_reviewer(session, "alice", "correct horse battery")
        check_id = record_check(session, result(CLAIM))
    with pytest.raises(CurationError) as refused, database.session() as session:
        sign_off(
            session, check_id, verdict="maybe", automatic_verdict="supported", rationale="",
            passage_ids=["nope"], reviewer=ALICE,
        )  # fmt: skip
    assert set(refused.value.fields) == {"verdict", "rationale", "passages"}
    with database.session() as session:
        review = sign_off(
            session, check_id, verdict="not_enough_evidence", automatic_verdict="supported",
            rationale="The only source is a press release.", passage_ids=[], reviewer=ALICE,
        )  # fmt: skip
    with database.session() as session:
        found = review_for_claim(session, CLAIM.upper() + ".")
        assert found.id == review.id and not found.confirmed
        assert found.reviewer == "alice"
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "sign_off"))
        assert entry.before == {"verdict": "supported"}
        assert entry.after["verdict"] == "not_enough_evidence"
        assert session.get(ClaimCheck, check_id).times_asked == 1


@pytest.fixture
def signed_off(app, client, reviewer, imported) -> dict:
    """The fixture claim checked through the API and signed off, citing what it rests on."""
    checked = client.post("/api/v1/verify", json={"claim": CLAIM}).get_json()
    assert "review" not in checked
    passage_id = checked["supporting"][0]["passage_id"]
    check_log.flush(app)  # the log is written in the background
    with app.extensions["factcheck.database"].session() as session:
        check_id = session.scalar(select(ClaimCheck.id))
        review = sign_off(
            session, check_id, verdict="refuted", automatic_verdict=checked["verdict"],
            rationale="The port's own report gives 6,900 ships.", passage_ids=[passage_id],
            reviewer=ALICE,
        )  # fmt: skip
    return {"id": review.id, "passage_id": passage_id}


def test_a_later_check_shows_the_reviewers_verdict(client, signed_off) -> None:
    body = client.post("/api/v1/verify", json={"claim": CLAIM.lower() + "."}).get_json()
    assert body["verdict"] == "supported"  # the automatic verdict is unchanged
    review = body["review"]
    assert list(review) == [
        "id", "verdict", "automatic_verdict", "rationale", "reviewer", "signed_off_at",
        "passage_ids", "claim_review_url",
    ]  # fmt: skip
    assert (review["verdict"], review["reviewer"]) == ("refuted", "alice")
    assert review["passage_ids"] == [signed_off["passage_id"]]
    assert review["claim_review_url"].endswith(f"/api/v1/reviews/{signed_off['id']}")


def test_claim_review_jsonld(client, signed_off) -> None:
    response = client.get(
        f"/api/v1/reviews/{signed_off['id']}", headers={"Accept": "application/ld+json"}
    )
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    document = response.get_json()
    assert document["@context"] == "https://schema.org"
    assert document["@type"] == "ClaimReview"
    assert document["claimReviewed"] == CLAIM
    assert document["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "False",
    }
    assert document["author"] == {"@type": "Person", "name": "alice"}
    assert document["itemReviewed"] == {"@type": "Claim", "text": CLAIM}
    assert len(document["datePublished"]) == 10
    assert document["citation"] == [
        {
            "@type": "CreativeWork",
            "name": "Harbour traffic doubles after the new terminal opens",
            "url": "https://example.org/harbour",
            "publisher": {"@type": "Organization", "name": "The Coastal Herald"},
            "datePublished": "2023-03-14",
        }
    ]
    assert "/check?claim=" in document["url"]
    assert_schema_org(document)


def test_claim_review_feed(client, signed_off) -> None:
    response = client.get("/api/v1/reviews", headers={"Accept": "application/ld+json"})
    feed = response.get_json()
    assert response.mimetype == "application/ld+json"
    assert feed["@type"] == "DataFeed"
    assert [item["@id"].rsplit("/", 1)[1] for item in feed["dataFeedElement"]] == [
        str(signed_off["id"])
    ]
    assert_schema_org(feed)
    plain = client.get("/api/v1/reviews", headers={"Accept": "application/json"})
    assert plain.mimetype == "application/json"


def test_an_unknown_review_is_a_404(client) -> None:
    response = client.get("/api/v1/reviews/99")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_the_public_result_page_shows_the_reviewers_verdict(client, signed_off) -> None:
    page = client.get("/check", query_string={"claim": CLAIM + "."}).data.decode()
    assert "Reviewer&#39;s verdict" in page or "Reviewer's verdict" in page
    assert "signed off by alice" in page
    assert "The port&#39;s own report gives 6,900 ships." in page
    assert page.index("verdict-heading") < page.index("reviewer-verdict-heading")


def test_the_public_result_page_logs_the_check(app, client, imported) -> None:
    client.get("/check", query_string={"claim": CLAIM})
    check_log.flush(app)  # the log is written in the background
    with app.extensions["factcheck.database"].session() as session:
        assert session.scalar(select(ClaimCheck.times_asked)) == 1
    assert "Reviewer" not in client.get("/check", query_string={"claim": CLAIM}).data.decode()


def test_checks_answered_at_once_are_all_logged(app, imported) -> None:
    claims = [f"Easthaven handled {n},000 ships in 2022" for n in range(1, 6)]

    def ask(claim: str) -> int:
        with app.test_client() as client:
            return client.post("/api/v1/verify", json={"claim": claim}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(ask, claims * 8))
    assert statuses == [200] * 40
    check_log.flush(app)
    with app.extensions["factcheck.database"].session() as session:
        asked = dict(session.execute(select(ClaimCheck.claim, ClaimCheck.times_asked)).all())
    assert asked == {claim: 8 for claim in claims}


def test_a_check_is_answered_when_the_log_cannot_be_written(app, client, imported) -> None:
    database = app.extensions["factcheck.database"]
    with database.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE claim_reviews")
        connection.exec_driver_sql("DROP TABLE claim_checks")
    response = client.post("/api/v1/verify", json={"claim": CLAIM})
    check_log.flush(app)  # the batch fails, is reported, and nothing waits on it
    assert response.status_code == 200 and response.get_json()["verdict"] == "supported"
