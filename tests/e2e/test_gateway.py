"""Through the gateway with real tokens: every process real (PostgreSQL, Tansu, each service)."""

from __future__ import annotations

import json
import time
from typing import Any
from uuid import uuid4

import httpx
import jwt
import pytest
from crm_cli.system import System
from crm_platform.auth import Actor, internal_headers, issue_token

from .conftest import SECRET, client, token


def new_opportunity(amount: float = 1000.0, **extra: Any) -> dict[str, Any]:
    return {
        "account_id": "acct-1",
        "name": "Pumps",
        "amount": amount,
        "currency": "CNY",
        "expected_close": "2027-06-30",
        **extra,
    }


def stages(body: dict[str, Any]) -> dict[str, tuple[int, float]]:
    return {s["stage"]: (s["count"], s["amount"]) for s in body["stages"]}


def test_health(system: System) -> None:
    assert httpx.get(f"{system.url}/health").status_code == 200


def test_a_command_shows_in_the_funnel_when_read_with_its_token(system: System) -> None:
    with client(system) as c:
        opened = c.post("/v1/opportunities", json=new_opportunity(1200.5))
        assert opened.status_code == 201, opened.text
        body = opened.json()
        assert set(body) >= {"id", "version", "consistency_token"} and body["version"] == 1
        funnel = c.get("/v1/reports/funnel", params={"consistent_with": body["consistency_token"]})
        assert funnel.status_code == 200 and "X-CRM-Stale" not in funnel.headers
        assert stages(funnel.json())["prospecting"] == (1, 1200.5)

        moved = c.post(f"/v1/opportunities/{body['id']}/stage", json={"stage": "bidding"})
        assert moved.status_code == 200 and moved.json()["version"] == 2
        funnel = c.get(
            "/v1/reports/funnel", params={"consistent_with": moved.json()["consistency_token"]}
        )
        assert stages(funnel.json())["prospecting"] == (0, 0)
        assert stages(funnel.json())["bidding"] == (1, 1200.5)

        state = c.get(f"/v1/opportunities/{body['id']}").json()
        assert state["stage"] == "bidding" and [h["stage"] for h in state["stage_history"]] == [
            "prospecting",
            "bidding",
        ]


def test_branches_are_isolated_and_hq_sees_all(system: System) -> None:
    with client(system, branch="NORTH1") as north, client(system, branch="SOUTH1") as south:
        made = north.post("/v1/opportunities", json=new_opportunity(500)).json()
        assert south.get(f"/v1/opportunities/{made['id']}").status_code == 404
        assert (
            south.post(
                f"/v1/opportunities/{made['id']}/stage", json={"stage": "bidding"}
            ).status_code
            == 404
        )
        assert south.get("/v1/reports/funnel", params={"branch": "NORTH1"}).status_code == 404
        mine = south.get(
            "/v1/reports/funnel", params={"consistent_with": made["consistency_token"]}
        ).json()
        assert mine["branch"] == "SOUTH1" and stages(mine)["prospecting"] == (0, 0)
    with client(system, role="hq_analyst", branch="HQ") as hq:
        assert hq.get(f"/v1/opportunities/{made['id']}").status_code == 200
        north_only = hq.get(
            "/v1/reports/funnel",
            params={"branch": "NORTH1", "consistent_with": made["consistency_token"]},
        ).json()
        assert stages(north_only)["prospecting"] == (1, 500)
        company = hq.get("/v1/reports/funnel").json()
        assert company["branch"] is None and stages(company)["prospecting"][0] >= 1
        # an HQ caller must name the branch a new record belongs to
        refused = hq.post("/v1/opportunities", json=new_opportunity())
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "branch"
        assert (
            hq.post("/v1/opportunities", json=new_opportunity(branch="NORTH1")).status_code == 201
        )


def test_missing_or_bad_tokens_are_401(system: System) -> None:
    assert httpx.get(f"{system.url}/v1/reports/funnel").status_code == 401
    forged = issue_token("not-the-secret", user="u", role="admin", branch="HQ")
    answer = httpx.get(
        f"{system.url}/v1/reports/funnel", headers={"Authorization": f"Bearer {forged}"}
    )
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (new_opportunity(amount=-5), "amount"),
        (new_opportunity(amount=0), "amount"),
        (new_opportunity(currency="usd"), "currency"),
        (new_opportunity(expected_close="next week"), "expected_close"),
        (
            {"name": "no account", "amount": 1, "currency": "CNY", "expected_close": "2027-01-01"},
            "account_id",
        ),
        (new_opportunity(surprise=1), "surprise"),
        (new_opportunity(name="Pumps\x00"), "name"),
        (
            new_opportunity(lines=[{"product": "PX\x1b", "quantity": 1, "unit_price": 1}]),
            "lines.0.product",
        ),
    ],
)
def test_bad_input_is_422_naming_the_field_and_writes_nothing(
    system: System, body: dict[str, Any], field: str
) -> None:
    with client(system) as c:
        answer = c.post("/v1/opportunities", json=body)
        assert answer.status_code == 422
        assert answer.headers["content-type"] == "application/problem+json"
        assert field in [e["field"] for e in answer.json()["errors"]]
        assert stages(c.get("/v1/reports/funnel").json())["prospecting"] == (0, 0)


def test_malformed_requests_never_yield_500(system: System) -> None:
    with client(system) as c:
        for answer in (
            c.post(
                "/v1/opportunities",
                content=b"{not json",
                headers={"content-type": "application/json"},
            ),
            c.post("/v1/opportunities", json=[1, 2]),
            c.post("/v1/opportunities/../../etc/stage", json={"stage": "won"}),
            c.post(f"/v1/opportunities/{uuid4()}/stage", json={"stage": "lost"}),
            c.post(f"/v1/opportunities/{uuid4()}/stage", json={"stage": "won"}),
            c.get("/v1/reports/funnel", params={"consistent_with": "garbage"}),
            c.get(f"/v1/opportunities/{'x' * 5000}"),
            c.get("/v1/reports/funnel", params={"region": "east\x00"}),
            c.get(f"/v1/opportunities/{uuid4()}%00"),
        ):
            assert answer.status_code < 500, answer.text


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/reports/rollups", {"at": "9999-12-31"}, "at"),
        ("/v1/reports/lost-deals", {"since": "0001-01-01"}, "since"),
        ("/v1/reports/lost-deals", {"until": "9999-12-31"}, "until"),
    ],
)
def test_days_outside_business_years_are_422_naming_the_field(
    system: System, path: str, params: dict[str, str], field: str
) -> None:
    with client(system, "hq_analyst", "HQ") as c:
        answer = c.get(path, params=params)
        assert answer.status_code == 422, answer.text
        assert [e["field"] for e in answer.json()["errors"]] == [field]
    with client(system) as c:
        opened = c.post(
            "/v1/opportunities",
            json={
                "account_id": "a",
                "name": "n",
                "amount": 1,
                "currency": "CNY",
                "expected_close": "9999-12-31",
            },
        )
        assert opened.status_code == 422
        assert [e["field"] for e in opened.json()["errors"]] == ["expected_close"]


def test_a_token_whose_claims_have_the_wrong_types_is_401(system: System) -> None:
    claims = {"sub": "u", "role": ["admin"], "branch": "HQ", "exp": int(time.time()) + 60}
    odd = jwt.encode(claims, SECRET, algorithm="HS256")
    answer = httpx.get(
        f"{system.url}/v1/reports/funnel", headers={"Authorization": f"Bearer {odd}"}
    )
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"


def test_auditors_and_service_agents_cannot_write(system: System) -> None:
    for role in ("auditor", "service_agent", "marketing"):
        with client(system, role=role) as c:
            assert c.post("/v1/opportunities", json=new_opportunity()).status_code == 403


def test_idempotency_key_returns_the_first_answer(system: System) -> None:
    with client(system) as c:
        key = {"Idempotency-Key": str(uuid4())}
        first = c.post("/v1/opportunities", json=new_opportunity(77), headers=key)
        again = c.post("/v1/opportunities", json=new_opportunity(77), headers=key)
        assert first.status_code == 201 and again.json()["id"] == first.json()["id"]
        funnel = c.get(
            "/v1/reports/funnel", params={"consistent_with": again.json()["consistency_token"]}
        ).json()
        assert stages(funnel)["prospecting"] == (1, 77)


def test_an_idempotency_key_reused_for_another_request_is_422_and_changes_nothing(
    system: System,
) -> None:
    with client(system) as c:
        key = {"Idempotency-Key": str(uuid4())}
        refused = c.post("/v1/opportunities", json=new_opportunity(-1), headers=key)
        assert refused.status_code == 422  # refused: the key is not bound yet
        first = c.post("/v1/opportunities", json=new_opportunity(55), headers=key)
        assert first.status_code == 201, first.text
        # the same request spelled differently is the same request
        same = c.post(
            "/v1/opportunities",
            content=json.dumps(dict(reversed(new_opportunity(55).items())), indent=2),
            headers={**key, "content-type": "application/json"},
        )
        assert same.status_code == 201 and same.json()["id"] == first.json()["id"]
        other = c.post("/v1/opportunities", json=new_opportunity(66), headers=key)
        assert other.status_code == 422
        assert other.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in other.json()["errors"]] == ["Idempotency-Key"]
        funnel = c.get(
            "/v1/reports/funnel", params={"consistent_with": first.json()["consistency_token"]}
        ).json()
        assert stages(funnel)["prospecting"] == (1, 55)


def test_if_match_conflict_is_409_with_the_current_version(system: System) -> None:
    with client(system) as c:
        made = c.post("/v1/opportunities", json=new_opportunity()).json()
        url = f"/v1/opportunities/{made['id']}/stage"
        assert c.post(url, json={"stage": "bidding"}, headers={"If-Match": "1"}).status_code == 200
        stale = c.post(url, json={"stage": "negotiation"}, headers={"If-Match": "1"})
        assert stale.status_code == 409 and stale.json()["current_version"] == 2
        assert c.post(url, json={"stage": "won"}).status_code == 200
        assert c.post(url, json={"stage": "bidding"}).status_code == 409


def test_the_forecast_answers_in_scope(system: System) -> None:
    with client(system, branch="FC01") as c:
        made = c.post("/v1/opportunities", json=new_opportunity(1000)).json()
        answer = c.get(
            "/v1/reports/forecast",
            params={"months": 3, "consistent_with": made["consistency_token"]},
        )
        assert answer.status_code == 200 and "X-CRM-Stale" not in answer.headers
        body = answer.json()
        assert body["branch"] == "FC01" and body["open_opportunities"] == 1
        assert body["weighted_pipeline"] == 100.0  # 1000 x 10 % in prospecting
        assert len(body["months"]) == 3
        # thin history: the fallback rates multiply to the win probability of the first stage
        assert round(sum(m["expected"] for m in body["months"]), 2) <= 100.0
        assert [s["stage"] for s in body["stages"]] == [
            "prospecting",
            "bidding",
            "negotiation",
            "won",
        ]
        assert c.get("/v1/reports/forecast", params={"months": 0}).status_code == 422
        assert c.get("/v1/reports/forecast", params={"branch": "OTHER"}).status_code == 404


def test_lost_deals_and_competitor_results_match_a_hand_count(system: System) -> None:
    with client(system, branch="CP01") as c:
        ids = [
            c.post("/v1/opportunities", json=new_opportunity(100 * (i + 1))).json()["id"]
            for i in range(3)
        ]
        for oid in ids:
            assert (
                c.post(
                    f"/v1/opportunities/{oid}/competitors", json={"competitor": "Acme"}
                ).status_code
                == 200
            )
        assert c.post(f"/v1/opportunities/{ids[0]}/win").status_code == 200
        lose = {"reason": "competitor", "competitor": "Acme", "competitor_price": 150}
        assert c.post(f"/v1/opportunities/{ids[1]}/lose", json=lose).status_code == 200
        last = c.post(
            f"/v1/opportunities/{ids[2]}/lose",
            json={"reason": "competitor", "competitor": "Flowmax"},
        ).json()
        token = {"consistent_with": last["consistency_token"]}
        result = c.get("/v1/reports/competitors", params=token).json()
        by_name = {r["competitor"]: r for r in result["competitors"]}
        assert (
            by_name["Acme"]["decided"],
            by_name["Acme"]["we_won"],
            by_name["Acme"]["they_won"],
            by_name["Acme"]["others_won"],
        ) == (3, 1, 1, 1)
        assert by_name["Acme"]["win_rate"] == round(1 / 3, 4)
        assert (
            by_name["Flowmax"]["they_won"] == 1 and by_name["Flowmax"]["amount_they_won"] == 300.0
        )
        lost = c.get("/v1/reports/lost-deals", params=token).json()
        assert lost["lost"] == 2
        assert lost["by_reason"] == [{"key": "competitor", "opportunities": 2, "amount": 500.0}]
        assert {r["key"] for r in lost["by_competitor"]} == {"Acme", "Flowmax"}


def test_internal_services_take_calls_signed_by_the_gateway_only(system: System) -> None:
    """A local process that knows a service's port cannot act as anyone: the actor headers of old
    and a token signed with another key are 401; the gateway's key is served."""
    leads = f"http://127.0.0.1:{system.ports['leads']}/organisation"
    admin = Actor("intruder", "admin", "HQ")
    old = {"X-CRM-User": "intruder", "X-CRM-Role": "admin", "X-CRM-Branch": "HQ"}
    for headers in (old, internal_headers("not-the-key", admin), {}):
        answer = httpx.get(leads, headers=headers)
        assert answer.status_code == 401, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
    user_token = {"X-CRM-Actor": token("admin", "HQ")}  # a user's own JWT is not an internal one
    assert httpx.get(leads, headers=user_token).status_code == 401
    assert httpx.get(leads, headers=internal_headers(system.internal_key, admin)).status_code == 200
