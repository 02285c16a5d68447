"""API: the health endpoint's JSON shape and the OpenAPI document."""

from __future__ import annotations

import shutil
from pathlib import Path


def test_health_shape(client, runner, sources_dir) -> None:
    runner.invoke(args=["import", str(sources_dir)])
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.get_json()
    assert list(body) == ["status", "passages", "index_version"]
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
