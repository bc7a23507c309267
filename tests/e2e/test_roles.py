"""Every route, every role, from the record's own branch and from a foreign one (DOMAIN.md §0).

The route table (crm_api) says which roles may call a route; these tests check that the running
system enforces it (403), that a branch role never reaches another branch's record (404) nor
creates records for another branch (422 naming `branch`), and that the table itself keeps the
rules DOMAIN.md states outright.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import httpx
import pytest
from crm_api import ROUTES, Route
from crm_cli.system import System
from crm_platform.auth import HQ_ROLES, ROLES

from .conftest import token

SERVED = [(context, route) for context, table in ROUTES.items() for route in table]
OWN, FOREIGN = "RT-OWN", "RT-FOREIGN"


def example(route: Route) -> dict[str, Any] | None:
    if route.body is None:
        return None
    extra = route.body.model_config.get("json_schema_extra") or {}
    examples = extra.get("examples") if isinstance(extra, dict) else None
    assert examples, f"{route.name}: every request body needs an OpenAPI example"
    return dict(examples[0])


def as_admin(system: System) -> httpx.Client:
    return httpx.Client(
        base_url=system.url,
        headers={"Authorization": f"Bearer {token('admin', 'HQ')}"},
        timeout=15,
    )


def _made(answer: httpx.Response) -> str:
    assert answer.status_code in (200, 201), answer.text
    return str(answer.json()["id"])


def _opportunity(c: httpx.Client, branch: str) -> dict[str, str]:
    """An opportunity with a quote waiting for approval and a tracked competitor."""
    body = {
        "account_id": "acct-roles",
        "name": "Role matrix",
        "amount": 1000,
        "currency": "CNY",
        "expected_close": "2027-06-30",
        "branch": branch,
    }
    oid = _made(c.post("/v1/opportunities", json=body))
    quote = {
        "lines": [
            {
                "product": "p",
                "product_line": "l",
                "quantity": 1,
                "unit_price": 100,
                "discount_percent": 30,
            }
        ]
    }
    assert c.post(f"/v1/opportunities/{oid}/quotes", json=quote).status_code == 200
    quote_id = c.get(f"/v1/opportunities/{oid}").json()["current_quote_id"]
    tracked = c.post(f"/v1/opportunities/{oid}/competitors", json={"competitor": "Acme"})
    assert tracked.status_code == 200, tracked.text
    return {"opportunity_id": oid, "quote_id": quote_id, "competitor": "Acme"}


def _quota(c: httpx.Client, branch: str) -> dict[str, str]:
    body = {
        "year": 2027,
        "dimension": "rep",
        "key": f"rep-{uuid4().hex[:8]}",
        "branch": branch,
        "annual": 1200,
    }
    return {"quota_id": _made(c.post("/v1/quotas", json=body))}


# the first path parameter of a route -> how to make such a record in a branch (fresh per call);
# it answers every parameter of the route
def _create(
    path: str, body: dict[str, object], param: str
) -> Callable[[httpx.Client, str], dict[str, str]]:
    def make(c: httpx.Client, branch: str) -> dict[str, str]:
        return {param: _made(c.post(path, json={**body, "branch": branch}))}

    return make


def _account(c: httpx.Client, branch: str) -> dict[str, str]:
    """An account with a contact and a delegation."""
    body = {
        "company": "Matrix Co",
        "industry": "x",
        "size": "small",
        "credit_limit": 0,
        "payment_days": 30,
        "branch": branch,
    }
    account = _made(c.post("/v1/accounts", json=body))
    contact = {"contact_id": "k1", "name": "K", "buying_role": "user"}
    assert c.post(f"/v1/accounts/{account}/contacts", json=contact).status_code == 200
    delegation = {"delegate": "dele", "starts_on": "2027-01-01", "ends_on": "2027-01-31"}
    assert c.post(f"/v1/accounts/{account}/delegations", json=delegation).status_code == 200
    return {"account_id": account, "contact_id": "k1", "delegate": "dele"}


def _customer(c: httpx.Client, branch: str) -> dict[str, str]:
    """A graded account with a care log (one courtesy call), once its grade reached the desk."""
    customer = _account(c, branch)["account_id"]
    assert c.put(f"/v1/accounts/{customer}/grade", json={"grade": "B"}).status_code == 200
    body = {"account_id": customer, "kind": "courtesy_call", "note": "hello", "branch": branch}
    assert c.post("/v1/care-contacts", json=body).status_code == 201
    deadline = time.monotonic() + 20
    while c.get(f"/v1/service-grades/{customer}").status_code != 200:  # over Kafka
        assert time.monotonic() < deadline, "the grade never reached the service desk"
        time.sleep(0.1)
    return {"customer_id": customer}


FACTORIES: dict[str, Callable[[httpx.Client, str], dict[str, str]]] = {
    "campaign_id": _create(
        "/v1/campaigns",
        {
            "campaign_type": "webinar",
            "theme": "t",
            "segment": "s",
            "starts_on": "2027-01-01",
            "ends_on": "2027-01-02",
            "budget": 100,
        },
        "campaign_id",
    ),
    "lead_id": _create(
        "/v1/leads",
        {"source": "referral", "company": "Matrix Co", "contact_name": "M", "email": "m@x.cn"},
        "lead_id",
    ),
    "account_id": _account,
    "contract_id": _create(
        "/v1/contracts",
        {
            "account_id": "acct-roles",
            "currency": "CNY",
            "lines": [{"product": "p", "product_line": "l", "quantity": 1, "unit_price": 100}],
        },
        "contract_id",
    ),
    "ticket_id": _create(
        "/v1/tickets",
        {
            "account_id": "acct-roles",
            "ticket_type": "repair",
            "channel": "phone",
            "subject": "Leak",
        },
        "ticket_id",
    ),
    "customer_id": _customer,
    "branch": lambda c, branch: {"branch": branch},
    "opportunity_id": _opportunity,
    "quota_id": _quota,
    "scope": lambda c, branch: {"scope": branch},
}


READ_ONLY: dict[tuple[str, str], dict[str, str]] = {}


def record(system: System, param: str, branch: str, *, fresh: bool) -> dict[str, str]:
    """A record for a route to act on: a new one for every write, one per branch for reads."""
    if fresh or (param, branch) not in READ_ONLY:
        with as_admin(system) as admin:
            made = FACTORIES[param](admin, branch)
        if fresh:
            return made
        READ_ONLY[param, branch] = made
    return READ_ONLY[param, branch]


def call(
    system: System, route: Route, role: str, branch: str, record_branch: str
) -> httpx.Response:
    ids: dict[str, str] = {}
    if route.params:
        ids = record(system, route.params[0], record_branch, fresh=route.writes)
    body = example(route)
    if body is not None and "branch" in route.body.model_fields:  # type: ignore[union-attr]
        body["branch"] = record_branch
    if body is not None and "account_id" in body:  # a customer of its own per call
        body["account_id"] = f"acct-{uuid4().hex[:8]}"
    with httpx.Client(
        base_url=system.url,
        headers={"Authorization": f"Bearer {token(role, branch)}"},
        timeout=15,
    ) as c:
        return c.request(route.method, "/v1" + route.path.format(**ids), json=body)


@pytest.mark.parametrize(("context", "route"), SERVED, ids=[r.name for _, r in SERVED])
def test_every_role_from_own_and_foreign_branch(system: System, context: str, route: Route) -> None:
    assert not route.params or route.params[0] in FACTORIES, (
        f"no factory for {route.params[0]}: add one so the matrix covers {route.name}"
    )
    for role in sorted(ROLES):
        own = call(system, route, role, OWN, OWN)
        if role not in route.roles:
            assert own.status_code == 403, (role, own.text)
            continue
        assert own.status_code not in (401, 403, 404) and own.status_code < 500, (role, own.text)
        foreign = call(system, route, role, OWN, FOREIGN)
        if role in HQ_ROLES:
            assert foreign.status_code not in (401, 403, 404), (role, foreign.text)
        elif route.params:
            assert foreign.status_code == 404, (role, foreign.text)
        elif route.writes and route.body is not None and "branch" in route.body.model_fields:
            assert foreign.status_code == 422, (role, foreign.text)
            assert foreign.json()["errors"][0]["field"] == "branch"
        assert foreign.status_code < 500, (role, foreign.text)


def test_the_table_keeps_the_rules_of_the_domain() -> None:
    for _, route in SERVED:
        if route.writes:
            assert "auditor" not in route.roles, f"{route.name}: auditors write nothing"
        else:
            assert "auditor" in route.roles, f"{route.name}: auditors read everything"
        if route.writes and any(w in route.name for w in ("approve", "reject")):
            assert route.roles <= {"branch_manager"}, f"{route.name}: only a branch manager"
        if route.writes and route.path.startswith("/quotas"):
            assert route.roles <= {"hq_analyst", "admin"}, f"{route.name}: only HQ sets quotas"


def test_every_route_is_unique_and_documented() -> None:
    names = [r.name for _, r in SERVED]
    assert len(names) == len(set(names))
    keys = [(r.method, r.path) for _, r in SERVED]
    assert len(keys) == len(set(keys))
    for _, route in SERVED:
        assert route.summary
        example(route)


def test_an_unknown_record_is_404_for_every_record_route(system: System) -> None:
    for _, route in SERVED:
        if not route.params or route.params[0] in ("scope", "branch"):  # branches, not records
            continue
        role = "admin" if "admin" in route.roles else sorted(route.roles)[0]
        with httpx.Client(
            base_url=system.url,
            headers={"Authorization": f"Bearer {token(role, OWN)}"},
            timeout=15,
        ) as c:
            ids = {p: str(uuid4()) for p in route.params}
            answer = c.request(route.method, "/v1" + route.path.format(**ids), json=example(route))
            assert answer.status_code == 404, (route.name, answer.text)
