"""Bodies the gateway cannot read are bad input like any other: 422 problem+json naming `body`.

Found by schemathesis (test_api_fuzz.py): bytes that are not UTF-8 were answered 400, a status no
operation documents, and malformed JSON named the character offset (`"field": "5"`) as the field.
"""

from __future__ import annotations

import httpx
import pytest
from crm_cli.system import System

from .conftest import token


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe{", b'{"name": "Pumps",', b"\x07|_\xc3"],
    ids=["not-utf8", "truncated-json", "control-and-broken-utf8"],
)
def test_an_unreadable_body_is_422_naming_the_body(system: System, body: bytes) -> None:
    answer = httpx.post(
        f"{system.url}/v1/accounts",
        content=body,
        headers={
            "Authorization": f"Bearer {token('sales_rep', 'SH01')}",
            "Content-Type": "application/json",
        },
        timeout=15,
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == 422
    assert [e["field"] for e in problem["errors"]] == ["body"]
