"""Flows across contexts, over the real broker: a converted lead becomes an opportunity; a
transferred owner's records move in every context that holds them."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from crm_cli.system import System

from .conftest import token


def as_user(system: System, role: str, branch: str, user: str) -> httpx.Client:
    return httpx.Client(
        base_url=system.url,
        headers={"Authorization": f"Bearer {token(role, branch, user)}"},
        timeout=15,
    )


def eventually(probe: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_a_converted_lead_opens_its_opportunity_with_the_campaign(system: System) -> None:
    with (
        as_user(system, "branch_manager", "FL01", "fl01-mgr") as mgr,
        as_user(system, "sales_rep", "FL01", "fl01-alice") as alice,
    ):
        campaign = ok(
            mgr.post(
                "/v1/campaigns",
                json={
                    "campaign_type": "seminar",
                    "theme": "Water",
                    "segment": "utilities",
                    "starts_on": "2027-02-01",
                    "ends_on": "2027-02-01",
                    "budget": 5000,
                },
            )
        )["id"]
        lead = ok(
            alice.post(
                "/v1/leads",
                json={
                    "source": "campaign",
                    "campaign_id": campaign,
                    "company": "Changjiang Water",
                    "contact_name": "Liu",
                    "email": "liu@cjwater.cn",
                },
            )
        )["id"]
        ok(mgr.post(f"/v1/leads/{lead}/assign", json={"rep": "fl01-alice"}))
        ok(alice.post(f"/v1/leads/{lead}/follow-ups", json={"channel": "call"}))
        ok(alice.post(f"/v1/leads/{lead}/qualify"))
        ok(
            alice.post(
                f"/v1/leads/{lead}/convert",
                json={
                    "opportunity_name": "Changjiang pumps",
                    "amount": 120000,
                    "currency": "CNY",
                    "expected_close": "2027-05-31",
                    "industry": "utilities",
                    "size": "large",
                },
            )
        )
        converted = ok(alice.get(f"/v1/leads/{lead}"))
        assert converted["status"] == "converted" and converted["account_id"]
        oid = converted["opportunity_id"]

        def opened() -> dict[str, Any] | None:
            answer = alice.get(f"/v1/opportunities/{oid}")
            return answer.json() if answer.status_code == 200 else None

        opportunity = eventually(opened)
        assert opportunity, "the opportunities context never opened the converted lead's deal"
        assert (opportunity["lead_id"], opportunity["campaign_id"]) == (lead, campaign)
        assert (opportunity["account_id"], opportunity["owner_id"]) == (
            converted["account_id"],
            "fl01-alice",
        )
        assert ok(alice.get(f"/v1/accounts/{converted['account_id']}"))["from_lead_id"] == lead
        # a second lead with the same e-mail is flagged as a possible duplicate of the first
        again = ok(
            alice.post(
                "/v1/leads",
                json={
                    "source": "referral",
                    "company": "CJ Water",
                    "contact_name": "Liu",
                    "email": " LIU@cjwater.cn",
                },
            )
        )["id"]
        assert f"lead-{lead}" in ok(alice.get(f"/v1/leads/{again}"))["possible_duplicates"]


def test_a_transfer_moves_accounts_leads_and_open_opportunities(system: System) -> None:
    with (
        as_user(system, "branch_manager", "FL02", "fl02-mgr") as mgr,
        as_user(system, "sales_rep", "FL02", "fl02-carol") as carol,
    ):
        account = ok(
            carol.post(
                "/v1/accounts",
                json={
                    "company": "Kunlun Mining",
                    "industry": "mining",
                    "size": "large",
                    "credit_limit": 100000,
                    "payment_days": 45,
                },
            )
        )["id"]
        lead = ok(
            carol.post(
                "/v1/leads",
                json={
                    "source": "cold_call",
                    "company": "Minjiang Pharma",
                    "contact_name": "Chen",
                    "phone": "13900139000",
                },
            )
        )["id"]
        ok(mgr.post(f"/v1/leads/{lead}/assign", json={"rep": "fl02-carol"}))
        body = {
            "account_id": account,
            "name": "Conveyor pumps",
            "amount": 80000,
            "currency": "CNY",
            "expected_close": "2027-04-30",
        }
        open_deal = ok(carol.post("/v1/opportunities", json=body))["id"]
        won_deal = ok(carol.post("/v1/opportunities", json=body))["id"]
        ok(carol.post(f"/v1/opportunities/{won_deal}/win"))

        ok(
            mgr.post(
                "/v1/transfers",
                json={"from_user": "fl02-carol", "to_user": "fl02-dan", "reason": "Carol leaves"},
            )
        )
        assert ok(mgr.get(f"/v1/accounts/{account}"))["owner_id"] == "fl02-dan"
        assert ok(mgr.get(f"/v1/leads/{lead}"))["assignee"] == "fl02-dan"
        moved = eventually(
            lambda: ok(mgr.get(f"/v1/opportunities/{open_deal}"))["owner_id"] == "fl02-dan"
        )
        assert moved, "the opportunities context never moved the open opportunity"
        assert (
            ok(mgr.get(f"/v1/opportunities/{won_deal}"))["owner_id"] == "fl02-carol"
        )  # closed: history stays


def test_a_transfer_never_moves_another_branch_s_records(system: System) -> None:
    """A manager of FL05 names a rep of FL04: nothing of FL04 moves (the same user id holds
    records in both branches, so the transfer is scoped by branch, not by name)."""
    with (
        as_user(system, "branch_manager", "FL05", "fl05-mgr") as mgr,
        as_user(system, "sales_rep", "FL04", "shared-rep") as rep_fl04,
        as_user(system, "sales_rep", "FL05", "shared-rep") as rep_fl05,
    ):
        body = {
            "company": "Taihu Electronics",
            "industry": "electronics",
            "size": "medium",
            "credit_limit": 50000,
            "payment_days": 30,
        }
        foreign = ok(rep_fl04.post("/v1/accounts", json=body))["id"]
        own = ok(rep_fl05.post("/v1/accounts", json=body))["id"]
        deal = {
            "account_id": foreign,
            "name": "Cabinets",
            "amount": 86000,
            "currency": "CNY",
            "expected_close": "2027-05-31",
        }
        foreign_deal = ok(rep_fl04.post("/v1/opportunities", json=deal))["id"]
        # the reaction moves candidates in stream order: wait for an own deal sorted after the
        # foreign one, and the foreign one has been decided on by then
        own_deal = ""
        for _ in range(30):
            own_deal = ok(rep_fl05.post("/v1/opportunities", json={**deal, "account_id": own}))[
                "id"
            ]
            if own_deal > foreign_deal:
                break
        ok(
            mgr.post(
                "/v1/transfers",
                json={"from_user": "shared-rep", "to_user": "fl05-new", "reason": "leaves FL05"},
            )
        )
        assert ok(mgr.get(f"/v1/accounts/{own}"))["owner_id"] == "fl05-new"
        moved = eventually(
            lambda: ok(mgr.get(f"/v1/opportunities/{own_deal}"))["owner_id"] == "fl05-new"
        )
        assert moved, "the transfer did not move its own branch's open opportunity"
        assert ok(rep_fl04.get(f"/v1/accounts/{foreign}"))["owner_id"] == "shared-rep"
        assert ok(rep_fl04.get(f"/v1/opportunities/{foreign_deal}"))["owner_id"] == "shared-rep"


def test_a_won_opportunity_drafts_its_contract_once(system: System) -> None:
    from crm_contracts.domain.contract import contract_id_for

    with as_user(system, "sales_rep", "FL03", "fl03-erin") as erin:
        body = {
            "account_id": "acct-fl03",
            "name": "Valves",
            "amount": 30000,
            "currency": "CNY",
            "expected_close": "2027-04-30",
            "lines": [
                {
                    "product": "VC-10 valve set",
                    "product_line": "valves",
                    "quantity": 3,
                    "unit_price": 10000,
                }
            ],
        }
        oid = ok(erin.post("/v1/opportunities", json=body))["id"]
        ok(erin.post(f"/v1/opportunities/{oid}/win"))
        contract = contract_id_for(oid)

        def drafted() -> dict[str, Any] | None:
            answer = erin.get(f"/v1/contracts/{contract}")
            return answer.json() if answer.status_code == 200 else None

        found = eventually(drafted)
        assert found, "the contracts context never drafted the won deal's contract"
        assert found["account_id"] == "acct-fl03" and found["branch"] == "FL03"
        assert found["owner_id"] == "fl03-erin" and found["amount"] == 30000.0


def test_a_grade_set_in_leads_sets_the_service_desks_sla_and_queue_order(system: System) -> None:
    """CustomerGradeChanged crosses to the desk over Kafka: the grade's SLA applies to new
    tickets, urgent halves it, and the queue serves the higher grade first."""
    with (
        as_user(system, "branch_manager", "SG01", "sg01-mgr") as mgr,
        as_user(system, "admin", "HQ", "admin-1") as admin,
        as_user(system, "service_agent", "SG01", "sg01-agent") as agent,
    ):
        account = {
            "company": "Yangtze Paper",
            "industry": "paper",
            "size": "large",
            "credit_limit": 0,
            "payment_days": 30,
        }
        customer = ok(mgr.post("/v1/accounts", json=account))["id"]
        ok(admin.put(f"/v1/accounts/{customer}/grade", json={"grade": "A"}))

        def graded(grade: str) -> bool:
            answer = agent.get(f"/v1/service-grades/{customer}")
            return answer.status_code == 200 and answer.json()["grade"] == grade

        assert eventually(lambda: graded("A"))
        ticket = {"account_id": customer, "channel": "phone", "subject": "Jammed roller"}
        first = ok(agent.post("/v1/tickets", json=ticket | {"ticket_type": "repair"}))["id"]
        a_ticket = ok(agent.get(f"/v1/tickets/{first}"))
        assert a_ticket["grade"] == "A"
        opened = datetime.fromisoformat(a_ticket["opened_at"])
        assert datetime.fromisoformat(a_ticket["deadline"]) - opened == timedelta(days=3)

        override = {"grade": "C", "reason": "Stopped buying this year"}
        ok(mgr.post(f"/v1/accounts/{customer}/grade-override", json=override))
        assert eventually(lambda: graded("C"))
        urgent = ticket | {"ticket_type": "complaint", "severity": "urgent"}
        second = ok(agent.post("/v1/tickets", json=urgent))["id"]
        c_ticket = ok(agent.get(f"/v1/tickets/{second}"))
        assert c_ticket["grade"] == "C"
        opened = datetime.fromisoformat(c_ticket["opened_at"])
        assert datetime.fromisoformat(c_ticket["deadline"]) - opened == timedelta(hours=60)

        # the C ticket is due first (60 h against 72 h), yet the A customer is served first
        queue = [t["ticket_id"] for t in ok(agent.get("/v1/ticket-queue"))["tickets"]]
        assert queue.index(first) < queue.index(second)
