"""check_claim: results are reused for the same claim on the same live index, never after."""

from __future__ import annotations

from factcheck.engine.result_cache import ResultCache
from factcheck.extensions import get_search_index
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
