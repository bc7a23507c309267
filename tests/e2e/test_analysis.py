"""Analysis through the gateway, on a small history made through the API and counted by hand:
receivables, product rankings, people, customer value with its grade published to leads and
the service desk, and regional rollups that follow the organisation tree."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from crm_api import ROUTES, Route
from crm_cli.system import System

from .test_flows import as_user, eventually, ok

BRANCH = "AN01"
TODAY = date.today()


def _contract(
    rep: httpx.Client, mgr: httpx.Client, account: str, line: dict[str, Any], plan: dict[str, Any]
) -> str:
    body = {"account_id": account, "currency": "CNY", "lines": [line]}
    contract = str(ok(rep.post("/v1/contracts", json=body))["id"])
    path = f"/v1/contracts/{contract}"
    ok(rep.post(f"{path}/payment-plan/even", json=plan))
    ok(rep.post(f"{path}/submit"))
    ok(mgr.post(f"{path}/approve"))
    ok(rep.post(f"{path}/sign"))
    ok(rep.post(f"{path}/start"))
    return contract


def _report(c: httpx.Client, name: str, token: str | None = None, **query: Any) -> Any:
    params = {"branch": BRANCH, **query} | ({"consistent_with": token} if token else {})
    answer = c.get(f"/v1/reports/{name}", params=params)
    assert answer.headers.get("X-CRM-Stale") is None, name
    return ok(answer)


def test_a_small_history_counted_by_hand(system: System) -> None:
    rep_id = f"an01-rep-{uuid4().hex[:4]}"
    with (
        as_user(system, "sales_rep", BRANCH, rep_id) as rep,
        as_user(system, "branch_manager", BRANCH, "an01-mgr") as mgr,
        as_user(system, "service_agent", BRANCH, "an01-agent") as agent,
        as_user(system, "admin", "HQ", "admin-an") as admin,
        as_user(system, "hq_analyst", "HQ", "analyst-an") as analyst,
        as_user(system, "sales_rep", "AN02", "an02-rep") as stranger,
    ):
        east, west = f"AN-East-{uuid4().hex[:4]}", f"AN-West-{uuid4().hex[:4]}"
        ok(admin.put(f"/v1/branches/{BRANCH}/region", json={"region": east}))
        assert {"region": east, "branches": [BRANCH]} in ok(rep.get("/v1/organisation"))["regions"]

        def account(company: str) -> str:
            body = {
                "company": company,
                "industry": "paper",
                "size": "large",
                "credit_limit": 0,
                "payment_days": 30,
            }
            return str(ok(rep.post("/v1/accounts", json=body))["id"])

        big, small = account("Big Paper"), account("Small Paper")
        deal = {
            "account_id": big,
            "name": "Big Paper: second line",
            "amount": 5000,
            "currency": "CNY",
            "expected_close": (TODAY + timedelta(days=60)).isoformat(),
        }
        opened = ok(rep.post("/v1/opportunities", json=deal))
        visit = ok(rep.post(f"/v1/accounts/{big}/interactions", json={"kind": "visit"}))

        # big: 10 pumps at 1,000 (cost 600) = 10,000, margin 4,000; two instalments of 5,000,
        # both past due; 5,000 paid: 5,000 outstanding, all of it overdue
        px, vx = f"PX-{uuid4().hex[:4]}", f"VX-{uuid4().hex[:4]}"
        pumps = {"line_id": "px", "product": px, "product_line": "pumps", "quantity": 10}
        first_due = TODAY - timedelta(days=70)
        big_contract = _contract(
            rep,
            mgr,
            big,
            pumps | {"unit_price": 1000, "unit_cost": 600},
            {"count": 2, "first_due": first_due.isoformat()},
        )
        payment = {"instalment": 1, "amount": 5000, "received_at": datetime.now(UTC).isoformat()}
        ok(rep.post(f"/v1/contracts/{big_contract}/payments", json=payment))
        # small: 2 valves at 500 (cost 450) = 1,000, margin 100; due in a month; one returned
        valves = {"line_id": "vx", "product": vx, "product_line": "valves", "quantity": 2}
        small_contract = _contract(
            rep,
            mgr,
            small,
            valves | {"unit_price": 500, "unit_cost": 450},
            {"count": 1, "first_due": (TODAY + timedelta(days=30)).isoformat()},
        )
        path = f"/v1/contracts/{small_contract}"
        ok(rep.post(f"{path}/deliveries", json={"line_id": "vx", "quantity": 2}))
        returned = ok(
            rep.post(f"{path}/returns", json={"line_id": "vx", "quantity": 1, "reason": "Bent"})
        )
        ticket = {"account_id": big, "ticket_type": "complaint", "channel": "phone"}
        complaint = ok(agent.post("/v1/tickets", json=ticket | {"subject": "Noisy", "product": px}))

        contracts_token = returned["consistency_token"]
        receivables = _report(mgr, "receivables", contracts_token)
        assert (receivables["contracts"], receivables["amount"]) == (2, 11000)
        assert (receivables["collected"], receivables["outstanding"]) == (5000, 6000)
        assert receivables["overdue"] == 5000 and receivables["percent_collected"] == 0.4545
        [late] = receivables["overdue_contracts"]
        assert late["contract_id"] == big_contract and late["max_days_overdue"] > 0

        _report(mgr, "products", complaint["consistency_token"])  # the ticket has landed
        products = {p["product"]: p for p in _report(mgr, "products")["products"]}
        pumps_row, valves_row = products[px], products[vx]
        assert (pumps_row["revenue"], pumps_row["margin"], pumps_row["volume"]) == (10000, 4000, 10)
        assert (pumps_row["complaints"], pumps_row["revenue_rank"]) == (1, 1)
        # one valve of two came back: revenue 1,000 - 500, margin 100 - 50, volume 1
        assert (valves_row["revenue"], valves_row["margin"], valves_row["volume"]) == (500, 50, 1)
        assert (valves_row["returned"], valves_row["returned_value"]) == (1, 500)

        # a period: what was signed (and complained of) in it
        tomorrow = (TODAY + timedelta(days=1)).isoformat()
        today_only = {"since": TODAY.isoformat(), "until": tomorrow}
        assert px in {p["product"] for p in _report(mgr, "products", **today_only)["products"]}
        assert _report(mgr, "products", since=tomorrow)["products"] == []
        assert _report(mgr, "service-quality", **today_only)["tickets"] == 1
        assert _report(mgr, "service-quality", since=tomorrow)["tickets"] == 0
        assert _report(mgr, "campaigns", since=tomorrow)["campaigns"] == []
        backwards = mgr.get("/v1/reports/products", params={"since": tomorrow, "until": tomorrow})
        assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "until"

        _report(mgr, "people", visit["consistency_token"])
        person = next(p for p in _report(mgr, "people")["people"] if p["person"] == rep_id)
        assert (person["visits"], person["contacts"]) == (1, 1)
        later = _report(mgr, "people", since=tomorrow)["people"]
        assert all(p["person"] != rep_id for p in later)

        # rollups of this month: both contracts signed, the complaint opened; stocks now
        month = _report(mgr, "rollups", period="month")
        [mine] = month["groups"]
        current = mine["current"]
        assert (current["contracts_signed"], current["contracts_amount"]) == (2, 11000)
        assert (current["receivables"], current["overdue"]) == (6000, 5000)
        assert (current["tickets_opened"], current["complaints"]) == (1, 1)

        # a branch user's company total is its own branch only
        company = _report(mgr, "rollups", group_by="company")["groups"]
        assert [g["current"]["contracts_signed"] for g in company] == [2]
        assert stranger.get("/v1/reports/rollups", params={"branch": BRANCH}).status_code == 404

        # the branch moves to another region: its past stays where it happened unless asked
        ok(admin.put(f"/v1/branches/{BRANCH}/region", json={"region": west}))

        def regions(tree: str) -> dict[str, Any]:
            answer = _report(analyst, "rollups", group_by="region", tree=tree)
            return {g["group"]: g["current"] for g in answer["groups"]}

        moved = eventually(lambda: west in regions("current") and regions("current"))
        assert moved[west]["contracts_signed"] == 2
        assert regions("as_then")[east]["contracts_signed"] == 2

        # funnel and forecast of a region: the branches in it now
        token = {"consistent_with": opened["consistency_token"]}
        west_funnel = ok(analyst.get("/v1/reports/funnel", params={"region": west} | token))
        counts = {s["stage"]: (s["count"], s["amount"]) for s in west_funnel["stages"]}
        assert counts["prospecting"] == (1, 5000) and counts["won"] == (0, 0)
        east_funnel = ok(analyst.get("/v1/reports/funnel", params={"region": east}))
        assert all(s["count"] == 0 for s in east_funnel["stages"])
        outlook = ok(analyst.get("/v1/reports/forecast", params={"region": west}))
        assert outlook["open_opportunities"] == 1 and outlook["weighted_pipeline"] == 500

        # customer value: run on demand; the grade reaches leads and the service desk
        newcomer = account("New Paper")
        estimate = {"score": 95}
        guess = ok(mgr.put(f"/v1/accounts/{newcomer}/growth-potential", json=estimate))
        _report(mgr, "neglected-customers", guess["consistency_token"])  # leads has projected it
        run = ok(analyst.post("/v1/analysis/customer-value/runs"))
        assert run["customers_graded"] >= 2
        values = {c["account_id"]: c for c in _report(mgr, "customer-value")["customers"]}
        assert (values[big]["revenue"], values[big]["margin"]) == (10000, 4000)
        assert (values[small]["revenue"], values[small]["margin"]) == (500, 50)
        assert values[big]["instalments_due"] == 2 and values[big]["late_days"] > 0
        assert values[big]["score"] > values[small]["score"]
        assert values[big]["lifecycle"] == "problem" and values[small]["lifecycle"] == "new"
        assert values[big]["relationship"] == "relationship"
        assert (values[newcomer]["score"], values[newcomer]["growth_potential"]) == (95, 95)
        assert values[newcomer]["relationship"] == "potential"
        grade = values[big]["grade"]
        assert values[big]["published_grade"] == grade
        assert ok(rep.get(f"/v1/accounts/{big}"))["grade"] == grade
        assert eventually(
            lambda: agent.get(f"/v1/service-grades/{big}").json().get("grade") == grade
        )


def test_value_settings_are_checked_and_kept(system: System) -> None:
    with (
        as_user(system, "hq_analyst", "HQ", "analyst-vs") as analyst,
        as_user(system, "branch_manager", BRANCH, "an01-mgr") as mgr,
    ):
        wrong = {"credit_weight": 20, "order_weight": 30, "margin_weight": 60}
        ratios = {"a_percent": 20, "b_percent": 30}
        refused = analyst.put("/v1/analysis/value-settings", json=wrong | ratios)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == "margin_weight"
        assert "add up to 100" in refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        defaults = wrong | {"credit_weight": 10} | ratios
        assert mgr.put("/v1/analysis/value-settings", json=defaults).status_code == 403
        ok(analyst.put("/v1/analysis/value-settings", json=defaults))
        assert ok(mgr.get("/v1/analysis/value-settings")) == defaults


def _branches_named(body: Any) -> set[str]:
    """Every value of a `branch` key anywhere in a report (and the groups of a rollup)."""
    found: set[str] = set()
    if isinstance(body, dict):
        for key, item in body.items():
            if key == "branch" or (key == "group" and "current" in body):
                found.add(item)
            found |= _branches_named(item)
    elif isinstance(body, list):
        for item in body:
            found |= _branches_named(item)
    return found


REPORTS = [
    r
    for r in ROUTES["projections"]
    if r.method == "GET" and r.query is not None and "branch" in r.query.model_fields
]


@pytest.mark.parametrize("route", REPORTS, ids=[r.name for r in REPORTS])
def test_every_report_is_scoped_to_the_callers_branch(system: System, route: Route) -> None:
    """A branch user sees its own branch only, and naming another is 404 (no hint it exists);
    an HQ user may name any branch. `test_a_small_history_counted_by_hand` gave AN01 data."""
    with (
        as_user(system, "branch_manager", "AN02", "an02-mgr") as mgr,
        as_user(system, "hq_analyst", "HQ", "analyst-scope") as analyst,
    ):
        path = "/v1" + route.path
        own = ok(mgr.get(path))
        assert _branches_named(own) <= {"AN02", None}, route.name
        foreign = mgr.get(path, params={"branch": BRANCH})
        assert foreign.status_code == 404, foreign.text
        assert BRANCH not in foreign.text
        named = ok(analyst.get(path, params={"branch": BRANCH}))
        assert _branches_named(named) <= {BRANCH, None}, route.name
        everything = ok(analyst.get(path))
        assert None in _branches_named(everything) or route.name == "regional_rollups_report"
