"""Bad input through the API: schemathesis fuzzes every operation of the OpenAPI document.

Each operation gets up to :data:`EXAMPLES` generated requests, valid and invalid, sent to the
app in process (WSGI, no network), with a reviewer's token so the curation API is exercised
past its sign-in check. A response must never be a 5xx, must match the schema documented for its
status, and must have the documented content type. URL fetching is replaced by a fetcher that
refuses everything, so no generated URL is ever contacted.
"""

from __future__ import annotations

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)

from factcheck.ingest.fetching import FetchError
from factcheck.review.api import FETCHER_KEY

EXAMPLES = 50
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


class RefusingFetcher:
    """A fetcher that never goes to the network."""

    def fetch(self, url: str):
        raise FetchError("fetching is off in the fuzz tests", url)


@pytest.fixture
def api_schema(app: Flask, imported: None):
    """The app's OpenAPI document, loaded through the app itself."""
    app.extensions[FETCHER_KEY] = RefusingFetcher()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same requests on every run: a failure is reproducible
    database=None,  # nothing written into the checkout
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.timeout(120)
def test_api_answers_bad_input_without_server_errors(case, token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
