"""The gateway's OpenAPI document as integrators read it: valid, and a complete typed client.

openapi-spec-validator checks the document and Redocly's recommended rules lint it (pinned in
tools/contracts); openapi-python-client (pinned in the dev group of pyproject.toml) generates a
client from it without a warning and with every operation. The generated client's journey against
a running gateway is in tests/e2e/test_generated_client.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from crm_gateway.app import create_app
from crm_platform.settings import Settings
from openapi_spec_validator import validate

BIN = Path(sys.executable).parent
METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    spec: dict[str, Any] = create_app(Settings(jwt_secret="contract-" + "x" * 32)).openapi()
    return spec


def operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        op["operationId"]: op
        for path in document["paths"].values()
        for method, op in path.items()
        if method in METHODS
    }


def generate(document: dict[str, Any], out: Path) -> tuple[Path, str]:
    """The generated client package (its folder) and what the generator printed."""
    spec = out / "openapi.json"
    spec.write_text(json.dumps(document))
    package = out / "crm_gateway_client"
    run = subprocess.run(
        [
            *(BIN / "openapi-python-client", "generate", "--path", spec, "--meta", "none"),
            *("--output-path", package, "--fail-on-warning"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    printed = run.stdout + run.stderr
    assert run.returncode == 0, printed
    return package, printed


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)
    assert document["servers"] and document["info"]["license"]["name"]


def test_redocly_finds_no_error(document: dict[str, Any], node_tools: Path, tmp_path: Path) -> None:
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(document))
    run = subprocess.run(
        [node_tools / "node_modules" / ".bin" / "redocly", "lint", spec, "--format=json"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"},
    )
    report = json.loads(run.stdout)
    problems = [(p["ruleId"], p["location"][0]["pointer"]) for p in report["problems"]]
    assert report["totals"]["errors"] == 0, problems
    # the one warning: /health answers no 4XX (it takes no input and no token)
    assert problems == [("operation-4xx-response", "#/paths/~1health/get/responses")]


def test_model_names_are_unique_and_plain(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    titles = [s.get("title", name) for name, s in schemas.items()]
    assert len(titles) == len(set(titles))
    assert not [name for name in schemas if "__" in name or "-" in name]


def test_every_answer_has_a_schema_and_every_error_is_a_problem(document: dict[str, Any]) -> None:
    for name, op in operations(document).items():
        for status, answer in op["responses"].items():
            content = answer["content"]
            if int(status) >= 400 and name != "health":
                assert list(content) == ["application/problem+json"], (name, status)
                schema = content["application/problem+json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ProblemDetails"}, (name, status)
            else:
                assert content["application/json"]["schema"], (name, status)
        if name != "health":
            assert {"401", "403", "422"} <= set(op["responses"]), name
            assert op["security"] == [{"HTTPBearer": []}], name
    assert operations(document)["health"]["security"] == []


def test_a_generated_client_has_every_operation(document: dict[str, Any], tmp_path: Path) -> None:
    package, printed = generate(document, tmp_path)
    assert "Warning" not in printed, printed
    generated = {p.stem for p in (package / "api").rglob("*.py") if p.stem != "__init__"}
    assert generated == set(operations(document))
