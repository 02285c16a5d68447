"""check_claim: results are reused for the same claim on the same live index, never after."""

from __future__ import annotations

from sqlalchemy import select

from factcheck.catalog.feed import note_change
from factcheck.catalog.models import Passage
from factcheck.engine.result_cache import ResultCache
from factcheck.extensions import get_database, get_search_index
from factcheck.search.feed import apply_feed
from factcheck.search.index import SearchIndex
from factcheck.web import checks


def count_verifications(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = checks.verify

    def counting(claim, searcher, **kwargs):
        calls.append(claim)
        return real(claim, searcher, **kwargs)

    monkeypatch.setattr(checks, "verify", counting)
    return calls


def test_the_same_claim_on_the_same_index_is_verified_once(app, runner, sources_dir, monkeypatch):
    runner.invoke(args=["import", str(sources_dir)])
    calls = count_verifications(monkeypatch)
    with app.app_context():
        first = checks.check_claim("The port of Easthaven handled 7,200 ships in 2022")
        again = checks.check_claim("  the port of easthaven handled 7,200 ships in 2022 ")
    assert len(calls) == 1
    assert again.verdict == first.verdict
    assert again.claim == "the port of easthaven handled 7,200 ships in 2022"


def test_a_change_to_the_index_is_never_answered_from_the_cache(
    app, runner, sources_dir, monkeypatch
):
    runner.invoke(args=["import", str(sources_dir)])
    calls = count_verifications(monkeypatch)
    with app.app_context():
        checks.check_claim("The port of Easthaven handled 7,200 ships in 2022")
        index = get_search_index()
        index.rebuild([])  # any change gives the index a new version
        after = checks.check_claim("The port of Easthaven handled 7,200 ships in 2022")
    assert len(calls) == 2
    assert after.verdict == "not_enough_evidence"


def test_the_cache_forgets_the_least_recently_used() -> None:
    cache: ResultCache[str] = ResultCache(size=2)
    cache.put("a", "1")
    cache.put("b", "2")
    assert cache.get("a") == "1"  # "a" is now the most recent
    cache.put("c", "3")
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c")) == ("1", "3")


def test_a_change_applied_by_another_processs_follower_is_never_answered_from_the_cache(
    app, runner, sources_dir, monkeypatch
):
    """Issue 13: the cache is keyed by the node's feed position (and index version), both read
    from the index directory, so a change another worker's follower applied misses it too."""
    runner.invoke(args=["import", str(sources_dir)])
    calls = count_verifications(monkeypatch)
    claim = "The port of Easthaven handled 7,200 ships in 2022"
    database = get_database(app)
    with app.app_context():
        checks.check_claim(claim)
        with database.session() as session:
            passage = session.scalars(
                select(Passage).where(Passage.text.contains("7,200 ships"))
            ).one()
            passage.excluded, passage.excluded_reason = True, "test"
            note_change(session, [passage.source_id], "exclude")
        other_worker = SearchIndex(app.config["INDEX_DIR"])  # the follower in another process
        assert apply_feed(database, other_worker).method == "entries"
        other_worker.close()
        after = checks.check_claim(claim)
    assert len(calls) == 2
    assert all("7,200 ships" not in excerpt.text for excerpt in after.supporting)
