"""Property-based API tests: schemathesis drives every operation of the gateway's OpenAPI document.

The document is the one the running gateway serves (`/openapi.json`), the requests are real HTTP
against the whole system (conftest.py), signed with real tokens: a branch role (`sales_rep` and
`branch_manager` of SH01) and an HQ role (`hq_analyst`). For every operation schemathesis sends
the document's examples, the coverage cases (each constraint's edges, valid and invalid) and a few
generated requests (valid and invalid), and every answer must:

- never be a server error (5xx);
- carry a status code the operation documents, with the documented content type and headers;
- have a body that matches the documented schema (`ProblemDetails` for errors);
- and, with the token stripped or forged, be refused with 401 (`ignored_auth`).

Bounded and deterministic: a fixed seed, derandomized generation, no shrinking, no example
database; `MAX_EXAMPLES` generated requests per operation and role on top of the examples and
the coverage cases.
"""

from __future__ import annotations

import pytest
import schemathesis
from crm_cli.system import System
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import TALLY, token

MAX_EXAMPLES = 4

# role -> the branch its token names (an HQ role's token names HQ and acts for a branch it names)
ROLES = {"sales_rep": "SH01", "branch_manager": "SH01", "hq_analyst": "HQ"}
# The coverage phase is most of the requests (about 5,700 of 6,100 per role) and the same requests
# for every role; the second branch role gets the examples and the generated requests only, which
# keeps the tier under three minutes on two cores.
WITHOUT_COVERAGE = {"branch_manager"}

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    ignored_auth,
]

CONFIG = {
    "seed": 20260412,
    "cache": {"enabled": False},  # nothing written into the work tree (.schemathesis/)
    "suppress-health-check": ["all"],  # a slow real system is not a failure of the data
    "generation": {
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        "no-shrink": True,
        "database": "none",
    },
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": True},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": False},
    },
}


@pytest.fixture(params=list(ROLES))
def role(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def api_schema(system: System, role: str) -> schemathesis.BaseSchema:
    phases = {**CONFIG["phases"], "coverage": {"enabled": role not in WITHOUT_COVERAGE}}
    config = schemathesis.Config.from_dict({**CONFIG, "phases": phases})
    return schemathesis.openapi.from_url(f"{system.url}/openapi.json", config=config)


@pytest.fixture
def bearer(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(role, ROLES[role])}"}


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_every_operation_answers_as_documented(
    case: schemathesis.Case, role: str, bearer: dict[str, str]
) -> None:
    response = case.call(headers=bearer, timeout=30)
    TALLY[role, f"{response.status_code // 100}xx"] += 1
    case.validate_response(response, checks=CHECKS, headers=bearer)
