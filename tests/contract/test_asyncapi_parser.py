"""docs/asyncapi.json as integrators read it: parsed by the official AsyncAPI parser
(@asyncapi/parser, pinned in tools/contracts)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

DOC = Path(__file__).parents[2] / "docs" / "asyncapi.json"


def test_the_official_parser_finds_no_error_nor_warning(node_tools: Path) -> None:
    run = subprocess.run(
        ["node", str(node_tools / "asyncapi-check.mjs"), str(DOC)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    diagnostics = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    errors = [d for d in diagnostics if d["severity"] == "error"]
    assert errors == [], "\n".join(f"{d['code']} at {d['path']}: {d['message']}" for d in errors)
    assert run.returncode == 0, run.stderr
    assert [d for d in diagnostics if d["severity"] == "warning"] == []
