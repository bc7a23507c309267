"""A client generated from the gateway's served OpenAPI document (openapi-python-client, pinned in
the dev group), used the way an integrator would: real tokens, a deal worked through, a report
read, and refused commands parsed as problems."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import uuid4

import httpx
import pytest
from crm_cli.system import System

from .conftest import token

BIN = Path(sys.executable).parent
PACKAGE = "crm_gateway_client"


@pytest.fixture(scope="module")
def sdk(system: System, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = tmp_path_factory.mktemp("client")
    spec = out / "openapi.json"
    spec.write_bytes(httpx.get(f"{system.url}/openapi.json").raise_for_status().content)
    run = subprocess.run(
        [
            *(BIN / "openapi-python-client", "generate", "--path", spec, "--meta", "none"),
            *("--output-path", out / PACKAGE, "--fail-on-warning"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    assert run.returncode == 0 and "Warning" not in run.stdout + run.stderr, run.stdout + run.stderr
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def part(name: str) -> Any:
    """A module of the generated client: `models`, or an operation as `api.<tag>.<operation id>`."""
    return importlib.import_module(f"{PACKAGE}.{name}")


def op(name: str) -> Any:
    return part(f"api.opportunities.{name}")


def test_a_deal_worked_through_the_generated_client(sdk: ModuleType, system: System) -> None:
    models = part("models")
    branch = f"B{uuid4().hex[:6]}"
    rep = sdk.AuthenticatedClient(base_url=system.url, token=token("sales_rep", branch))

    opened = op("open_opportunity").sync_detailed(
        client=rep,
        body=models.OpenOpportunity(
            account_id=f"acct-{uuid4().hex[:6]}",
            name="Line 3 retrofit",
            amount=250000,
            currency="CNY",
            expected_close=date(2027, 3, 31),
        ),
    )
    assert opened.status_code == 201 and isinstance(opened.parsed, models.Accepted)
    deal = opened.parsed.id

    moved = op("change_opportunity_stage").sync_detailed(
        deal, client=rep, body=models.ChangeStage(stage="bidding"), if_match="1"
    )
    assert isinstance(moved.parsed, models.Accepted) and moved.parsed.version == 2

    record = op("get_opportunity").sync(deal, client=rep)
    assert isinstance(record, models.OpportunityRecord)
    assert (record.stage, record.amount, record.branch, record.version) == (
        "bidding",
        250000.0,
        branch,
        2,
    )
    assert [v["stage"] for v in record["stage_history"]] == ["prospecting", "bidding"]

    funnel = part("api.reports.funnel_report").sync(
        client=rep, consistent_with=moved.parsed.consistency_token
    )
    assert isinstance(funnel, models.FunnelReport) and funnel.branch == branch
    assert {s.stage: (s.count, s.amount) for s in funnel.stages}["bidding"] == (1, 250000.0)

    stale = op("change_opportunity_stage").sync_detailed(
        deal, client=rep, body=models.ChangeStage(stage="negotiation"), if_match="1"
    )
    assert stale.status_code == 409 and isinstance(stale.parsed, models.ProblemDetails)
    assert stale.parsed.status == 409 and stale.parsed.current_version == 2


def test_refusals_are_parsed_as_problems(sdk: ModuleType, system: System) -> None:
    models = part("models")
    branch = f"B{uuid4().hex[:6]}"
    rep = sdk.AuthenticatedClient(base_url=system.url, token=token("sales_rep", branch))
    body = models.OpenOpportunity(
        account_id="acct-1", name="Pumps", amount=1000, currency="USD", expected_close=date.today()
    )

    invalid = op("open_opportunity").sync_detailed(client=rep, body=body)
    assert invalid.status_code == 422 and isinstance(invalid.parsed, models.ProblemDetails)
    assert [e.field for e in invalid.parsed.errors] == ["currency"]

    auditor = sdk.AuthenticatedClient(base_url=system.url, token=token("auditor", branch))
    forbidden = op("open_opportunity").sync_detailed(client=auditor, body=body)
    assert forbidden.status_code == 403 and forbidden.parsed.title == "Not allowed"

    stranger = sdk.AuthenticatedClient(base_url=system.url, token="not-a-token")
    unauthenticated = op("get_opportunity").sync_detailed("any", client=stranger)
    assert unauthenticated.status_code == 401 and unauthenticated.parsed.status == 401

    missing = op("get_opportunity").sync_detailed(f"o-{uuid4().hex}", client=rep)
    assert missing.status_code == 404 and isinstance(missing.parsed, models.ProblemDetails)

    health = part("api.operations.health").sync(client=sdk.Client(base_url=system.url))
    assert isinstance(health, models.Health) and health.status == "ok"


def test_every_report_reads_as_its_typed_model(sdk: ModuleType, system: System) -> None:
    models = part("models")
    hq = sdk.AuthenticatedClient(base_url=system.url, token=token("hq_analyst", "HQ"))
    folder = Path(sdk.__file__).parent / "api" / "reports"
    reads = [*sorted(p.stem for p in folder.glob("*_report.py")), "get_value_settings"]
    assert len(reads) == 14
    for name in reads:
        answer = part(f"api.reports.{name}").sync_detailed(client=hq)
        assert answer.status_code == 200, (name, answer.content)
        assert not isinstance(answer.parsed, models.ProblemDetails | None), name
        assert type(answer.parsed).__name__ != "Report", name  # each has a model of its own
