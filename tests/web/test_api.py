"""API: the health endpoint's JSON shape and the OpenAPI document."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from unittest.mock import patch

from sqlalchemy.exc import OperationalError

from factcheck.catalog.models import FeedEntry, utc_now
from factcheck.extensions import get_database, get_search_index
from factcheck.search.feed import apply_feed


def test_health_shape(client, runner, sources_dir) -> None:
    runner.invoke(args=["import", str(sources_dir)])
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.get_json()
    # issue 13 added "feed": the node's change-feed position, the catalog's, and the lag
    assert list(body) == ["status", "passages", "index_version", "feed"]
    assert body["status"] == "ok"
    assert body["passages"] > 0
    assert body["index_version"].startswith("gen-")


def test_health_version_changes_with_the_index(client, runner, sources_dir) -> None:
    before = client.get("/api/v1/health").get_json()
    assert before["passages"] == 0
    runner.invoke(args=["import", str(sources_dir)])
    after = client.get("/api/v1/health").get_json()
    assert after["index_version"] != before["index_version"]
    assert after["passages"] > 0


def test_health_without_an_index_is_a_503_error(app, client) -> None:
    shutil.rmtree(Path(app.config["INDEX_DIR"]))
    response = client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "index_unavailable"


def test_openapi_document_is_generated_from_the_schemas(client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.0.3"
    assert document["info"]["title"] == "factcheck"
    health = document["paths"]["/api/v1/health"]["get"]
    assert health["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Health"
    }
    error = document["components"]["schemas"]["Error"]
    assert error["properties"]["error"] == {"$ref": "#/components/schemas/ErrorDetail"}
    assert set(document["components"]["schemas"]["ErrorDetail"]["properties"]) == {
        "code",
        "message",
        "fields",
    }


def test_health_reports_the_nodes_feed_position(client, runner, sources_dir) -> None:
    runner.invoke(args=["import", str(sources_dir)])
    feed = client.get("/api/v1/health").get_json()["feed"]
    assert list(feed) == ["node_position", "catalog_position", "lag_seconds"]
    assert feed["node_position"] == feed["catalog_position"] > 0
    assert feed["lag_seconds"] == 0


def test_health_is_a_503_while_the_node_lags_the_feed(app, client, runner, sources_dir) -> None:
    runner.invoke(args=["import", str(sources_dir)])
    app.config["MAX_FEED_LAG_SECONDS"] = 0.5
    with get_database(app).session() as session:  # a change this node has not applied, 1 min old
        session.add(
            FeedEntry(
                kind="correct",
                source_ids=["harbour-report"],
                at=utc_now() - timedelta(minutes=1),
            )
        )
    response = client.get("/api/v1/health")
    assert response.status_code == 503
    body = response.get_json()
    assert list(body) == ["status", "passages", "index_version", "feed"]
    assert body["status"] == "lagging" and body["passages"] > 0
    assert body["feed"]["catalog_position"] == body["feed"]["node_position"] + 1
    assert body["feed"]["lag_seconds"] >= 60

    apply_feed(get_database(app), get_search_index(app))  # what the follower does
    caught_up = client.get("/api/v1/health")
    assert caught_up.status_code == 200
    assert caught_up.get_json()["feed"]["lag_seconds"] == 0


def test_openapi_documents_both_503_bodies_of_health(client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    unavailable = document["paths"]["/api/v1/health"]["get"]["responses"]["503"]
    assert unavailable["content"]["application/json"]["schema"] == {
        "oneOf": [{"$ref": "#/components/schemas/Error"}, {"$ref": "#/components/schemas/Health"}]
    }
    feed = document["components"]["schemas"]["FeedState"]
    assert set(feed["required"]) == {"node_position", "catalog_position", "lag_seconds"}


def test_health_stays_up_while_the_catalog_cannot_be_read(app, client, runner, sources_dir):
    """Checks are answered from the index during a catalog outage, so health does not take the
    node out: it reports the node's position and the last catalog state it read."""
    runner.invoke(args=["import", str(sources_dir)])
    before = client.get("/api/v1/health").get_json()["feed"]

    def unreachable(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    with patch("factcheck.web.api.feed_state", unreachable):
        response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json()["feed"] == before
