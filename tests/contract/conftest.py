"""The Node.js tools of the contract tests, pinned in tools/contracts (package.json and
package-lock.json): installed with `npm ci` on first use and again whenever the lock file changes,
kept in tools/contracts/node_modules (git-ignored)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

TOOLS = Path(__file__).parents[2] / "tools" / "contracts"


@pytest.fixture(scope="session")
def node_tools() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js 20+ and npm run the AsyncAPI parser and the OpenAPI linter")
    marker = TOOLS / "node_modules" / ".package-lock.json"
    if (
        not marker.exists()
        or marker.stat().st_mtime < (TOOLS / "package-lock.json").stat().st_mtime
    ):
        subprocess.run(
            ["npm", "ci", "--prefix", str(TOOLS), "--ignore-scripts", "--no-audit", "--no-fund"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return TOOLS
