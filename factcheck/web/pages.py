"""Web: the pages people use — the claim form, the result page and the source pages.

Views are thin: they validate the claim with the API's own schema (one rule for both), call one
service function and render a server-side Jinja template. Everything works without JavaScript;
the templates are autoescaped, and the only markup taken from data is an excerpt's
``highlight``, which :mod:`factcheck.engine.highlighting` builds from escaped text.

The helpers below the views turn a result into words (verdict labels, confidence bands, dates)
and are the blueprint's template filters.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, render_template, request, url_for
from marshmallow import ValidationError, validate

from factcheck.catalog import public
from factcheck.catalog.database import get_db
from factcheck.engine.verdict import CONFLICTING, NOT_ENOUGH_EVIDENCE, REFUTED, SUPPORTED
from factcheck.engine.verify import Excerpt
from factcheck.errors import NotFound
from factcheck.web import check_log
from factcheck.web.checks import check_claim
from factcheck.web.schemas import VerifyRequestSchema

bp = Blueprint("web", __name__)

# Claims about the seed articles, one per verdict, so a newcomer sees each kind of answer.
EXAMPLE_CLAIMS = (
    "Iran supplied drones to Russia",
    "Belarus voted for the UN resolution",
    "China voted against the UN resolution",
    "Cuba sent troops to Ukraine",
)

VERDICT_LABELS = {
    SUPPORTED: "Supported",
    REFUTED: "Refuted",
    CONFLICTING: "Conflicting evidence",
    NOT_ENOUGH_EVIDENCE: "Not enough evidence",
}
# A symbol beside the words, so the badge never relies on colour alone.
VERDICT_SYMBOLS = {SUPPORTED: "✓", REFUTED: "✗", CONFLICTING: "⇄", NOT_ENOUGH_EVIDENCE: "?"}

# Confidence is the probability that the verdict is right (see factcheck.engine.verdict). The engine
# rarely goes below 0.5, so the bands split the range it uses rather than 0-1 evenly.
# Below an even chance, the words say so rather than dress a guess up as a finding.
CONFIDENCE_BANDS = (
    (0.9, "very likely", "high confidence"),
    (0.75, "likely", "fair confidence"),
    (0.55, "possibly", "low confidence"),
)
LOWEST_CONFIDENCE = ("uncertain, leaning", "very low confidence")

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


# Views ---------------------------------------------------------------------------------------


@bp.get("/")
def index() -> str:
    """The claim form, with what the service checks against and a few example claims."""
    return render_claim_form()


@bp.get("/check")
def check() -> Any:
    """The result page for ``?claim=…``; the form again with a message if the claim is invalid."""
    claim = request.args.get("claim", "")
    try:
        arguments = VerifyRequestSchema().load({"claim": claim})
    except ValidationError:
        return render_claim_form(claim=claim, error=claim_problem(claim)), 400
    result = check_claim(arguments["claim"], arguments["limit"])  # no index: the 503 page
    review = check_log.record(result)  # logs the check; a reviewer's sign-off, if any
    excerpts = (*result.supporting, *result.conflicting, *result.closest)
    source_ids = {str(excerpt.source["id"]) for excerpt in excerpts}
    ratings = public.source_ratings(get_db(), source_ids)
    return render_template("web/check.html", result=result, review=review, ratings=ratings)


@bp.get("/sources")
def sources() -> str:
    """Every public source with its date and number of passages."""
    return render_template("web/sources.html", sources=public.list_sources(get_db()))


@bp.get("/sources/<source_id>")
def source(source_id: str) -> str:
    """One source's public passages in order, each anchored for the excerpts that cite it."""
    document = public.find_source(get_db(), source_id)
    if document is None:
        raise NotFound("There is no source with that id.")
    return render_template("web/source.html", document=document)


def render_claim_form(claim: str = "", error: str | None = None) -> str:
    """The form page, optionally holding a rejected claim and what is wrong with it."""
    return render_template(
        "web/index.html",
        claim=claim,
        error=error,
        overview=public.overview(get_db()),
        examples=EXAMPLE_CLAIMS,
    )


# Helpers -------------------------------------------------------------------------------------


@bp.app_context_processor
def verdict_labels() -> dict[str, str]:
    """The verdict labels templates compare with, from the one place they are declared."""
    return {
        "SUPPORTED": SUPPORTED,
        "REFUTED": REFUTED,
        "CONFLICTING": CONFLICTING,
        "NOT_ENOUGH_EVIDENCE": NOT_ENOUGH_EVIDENCE,
    }


@bp.context_processor
def claim_form_settings() -> dict[str, Any]:
    """What every page with the claim form needs: the claim's length limits."""
    return {"claim_limits": claim_length_limits()}


def claim_length_limits() -> tuple[int, int]:
    """The shortest and longest claim, read from the API's schema so both share one rule."""
    field = VerifyRequestSchema().fields["claim"]
    for validator in field.validators:
        if isinstance(validator, validate.Length):
            return validator.min or 1, validator.max or 10_000
    return 1, 10_000


def claim_problem(claim: str) -> str:
    """What is wrong with a claim the schema rejected, in words a reader can act on."""
    shortest, longest = claim_length_limits()
    length = len(claim.strip())
    if length == 0:
        return "Enter a claim to check."
    if length < shortest:
        return f"This claim is too short: write at least {shortest} characters."
    if length > longest:
        return f"This claim is too long ({length} characters): keep it to {longest}."
    return "This claim cannot be checked."


@bp.app_template_filter()
def verdict_label(verdict: str) -> str:
    """The verdict in words: "not_enough_evidence" -> "Not enough evidence"."""
    return VERDICT_LABELS.get(verdict, verdict.replace("_", " ").capitalize())


@bp.app_template_filter()
def verdict_symbol(verdict: str) -> str:
    """A symbol that tells the verdicts apart without colour."""
    return VERDICT_SYMBOLS.get(verdict, "•")


@bp.app_template_filter()
def confidence_words(verdict: str, confidence: float) -> str:
    """Confidence in words and as a number: "likely supported · 0.82"."""
    likelihood, certainty = LOWEST_CONFIDENCE
    for threshold, band_likelihood, band_certainty in CONFIDENCE_BANDS:
        if confidence >= threshold:
            likelihood, certainty = band_likelihood, band_certainty
            break
    words = f"{likelihood} {verdict}" if verdict in (SUPPORTED, REFUTED) else certainty
    return f"{words} · {confidence:.2f}"


@bp.app_template_filter()
def published_date(value: str | None) -> str:
    """An ISO 8601 prefix as a reader writes it: "2023-02" -> "February 2023"."""
    if not value:
        return "date unknown"
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?.*", value)
    if not match:
        return value
    year, month, day = match.groups()
    if not month or not 1 <= int(month) <= 12:
        return year
    name = MONTHS[int(month) - 1]
    return f"{int(day)} {name} {year}" if day else f"{name} {year}"


@bp.app_template_filter()
def passage_anchor(passage_id: str) -> str:
    """The HTML id of a passage on its source page (ids may not hold white space)."""
    return "passage-" + re.sub(r"\s", "_", passage_id)


@bp.app_template_filter()
def citation_text(excerpt: Excerpt) -> str:
    """An excerpt cited in plain text: quote, source, publisher, date and link, on one line.

    The link is the source's own address when it has a web one, else its page here.
    """
    source = excerpt.source
    link = web_url(source.get("url")) or url_for(
        "web.source",
        source_id=source["id"],
        _anchor=passage_anchor(excerpt.passage_id),
        _external=True,
    )
    quote = " ".join(excerpt.text.split())
    publisher = source.get("publisher") or "publisher unknown"
    date = published_date(source.get("published"))
    return f"“{quote}” — {source.get('title')}, {publisher}, {date}. {link}"


@bp.app_template_filter()
def web_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) address a link may point to, else ``None`` (no javascript:)."""
    if url and re.match(r"https?://", url.strip(), re.IGNORECASE):
        return url.strip()
    return None
