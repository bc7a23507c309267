"""The whole system, started once for the security tier: every process real, tokens real."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from uuid import uuid4

import pytest
from crm_cli.system import System
from crm_platform.auth import issue_token

SECRET = "security-secret-" + uuid4().hex


@pytest.fixture(scope="session")
def system(
    database_url: str, broker: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[System]:
    s = System(
        database_url,
        broker,
        SECRET,
        log_dir=tmp_path_factory.mktemp("security-logs"),
        extra_env={"CRM_ANALYSIS_SECONDS": "0"},
    )
    try:
        yield s.start(timeout=90)
    finally:
        s.stop()


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """schemathesis 4.32's lazy loader (`from_fixture`) reads and renames the running test through
    `node._nodeid`, which pytest 9.2 no longer has (its `nodeid` is a read-only property over
    `_id`): give the node that attribute, used for nothing else."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


def token(role: str, branch: str) -> str:
    return issue_token(SECRET, user=f"fuzz-{role}-{uuid4().hex[:6]}", role=role, branch=branch)


# What the fuzzing sent and got, per role and status class: printed after the run (issue 12).
TALLY: Counter[tuple[str, str]] = Counter()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TALLY:
        return
    terminalreporter.section("schemathesis: requests per role and status")
    for role in sorted({role for role, _ in TALLY}):
        counts = {status: n for (r, status), n in TALLY.items() if r == role}
        line = ", ".join(f"{status}: {counts[status]}" for status in sorted(counts))
        terminalreporter.write_line(f"{role}: {sum(counts.values())} requests ({line})")
