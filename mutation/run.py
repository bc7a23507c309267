"""Mutation testing: would the tests notice a wrong rule?

`make mutation` runs mutmut over every domain module, the analysis functions and the PostgreSQL
event store (each package's `[tool.mutmut]` says what is mutated and which tests must notice),
then prints, per module, how many mutants the tests killed. The score counts every mutant that
changes behaviour; two kinds are set apart and printed on their own line, never hidden:

- *equivalent* mutants, listed with the reason in `mutation/equivalents/<package>.toml` (a change no caller
  can observe, e.g. `>=` for `>` where equality is impossible);
- *wording* mutants: only the text of an error message changed (`"XXThe amount …XX"`). The rule,
  the error's type and the field it names are still checked; the sentence a person reads is
  product copy, reviewed by people, not by mutation.

Everyday use, over the packages a change touched (against `origin/main`, or `--base REV`):

    .venv/bin/python mutation/run.py --changed
    .venv/bin/python mutation/run.py services/contracts --show   # survivors with their diffs
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import tokenize
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [
    "services/leads",
    "services/opportunities",
    "services/contracts",
    "services/service-desk",
    "services/projections",
    "shared/platform",
]
NEEDS_DATABASE = {"shared/platform"}
KILLED = {1, 3, 36, -24, 24, 152, 255}  # a failing test, or a mutant that never ends (timeout)
SURVIVED = {0}
NO_TESTS = {5, 33}
TARGET = 90.0


@dataclass(frozen=True)
class Equivalent:
    function: str
    before: str
    after: str
    why: str


@dataclass
class Module:
    name: str
    killed: int = 0
    survived: list[str] = field(default_factory=list)
    equivalent: int = 0
    wording: int = 0

    @property
    def score(self) -> float:
        counted = self.killed + len(self.survived)
        return 100.0 if counted == 0 else 100.0 * self.killed / counted


def load_equivalents() -> list[Equivalent]:
    return [
        Equivalent(e["function"], e["from"].strip(), e["to"].strip(), e["why"])
        for path in sorted((ROOT / "mutation" / "equivalents").glob("*.toml"))
        for e in tomllib.loads(path.read_text()).get("equivalent", [])
    ]


@contextlib.contextmanager
def database() -> Iterator[str]:
    url = os.environ.get("CRM_DATABASE_URL")
    if url:
        yield url
        return
    import tempfile

    from crm_platform.local import embedded_postgres

    with (
        tempfile.TemporaryDirectory() as tmp,
        embedded_postgres(Path(tmp) / "data", keep=False) as admin_url,
    ):
        yield admin_url


def run_mutmut(package: str, max_children: int, env: dict[str, str]) -> None:
    log = ROOT / package / "mutants" / "run.log"
    log.parent.mkdir(exist_ok=True)
    with log.open("w") as out:
        done = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "mutmut"), "run", "--max-children", str(max_children)],
            cwd=ROOT / package,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if done.returncode != 0:
        sys.exit(f"mutmut failed in {package} (exit {done.returncode}); see {log}")


def exit_codes(package: str) -> dict[str, int | None]:
    codes: dict[str, int | None] = {}
    for meta in sorted((ROOT / package / "mutants").rglob("*.py.meta")):
        codes.update(json.loads(meta.read_text())["exit_code_by_key"])
    return codes


def changed_lines(package: str, mutant: str) -> tuple[str, str]:
    """The original and the mutated line (or lines, joined) of one mutant."""
    from mutmut.configuration import reset_config
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    module = mutant.split(".x")[0].split(".xǁ")[0]
    path = Path("src", *module.split(".")).with_suffix(".py")
    cwd = Path.cwd()
    os.chdir(ROOT / package)
    try:
        reset_config()
        diff = get_diff_for_mutant(mutant, path=path).splitlines()
    finally:
        os.chdir(cwd)
    before = " ".join(x[1:].strip() for x in diff if x.startswith("-") and not x.startswith("---"))
    after = " ".join(x[1:].strip() for x in diff if x.startswith("+") and not x.startswith("+++"))
    return before, after


def _tokens(line: str) -> list[tuple[int, str]]:
    try:
        return [
            (t.type, t.string)
            for t in tokenize.generate_tokens(io.StringIO(line).readline)
            if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.COMMENT)
        ]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []


def is_wording(before: str, after: str) -> bool:
    """Only the message of an error changed: the same tokens but one string, not a field name."""
    if "Error(" not in before:
        return False
    a, b = _tokens(before), _tokens(after)
    if len(a) != len(b) or not a:
        return False
    diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diffs) != 1:
        return False
    i = diffs[0]
    if a[i][0] != tokenize.STRING or b[i] not in {
        (tokenize.STRING, b[i][1]),
        (tokenize.NAME, "None"),
    }:
        return False
    keyword = a[i - 2][1] if i >= 2 and a[i - 1][1] == "=" else None
    return keyword is None or keyword in {"message", "msg", "detail"}


def function_of(mutant: str) -> str:
    return mutant.rsplit("__mutmut_", 1)[0]


def analyse(package: str, equivalents: list[Equivalent], show: bool) -> list[Module]:
    modules: dict[str, Module] = {}
    for mutant, code in exit_codes(package).items():
        module = mutant.split(".x")[0]
        m = modules.setdefault(module, Module(module))
        if code in KILLED:
            m.killed += 1
            continue
        if code not in SURVIVED | NO_TESTS:
            continue  # not checked, skipped, caught by the type checker: not a verdict
        before, after = changed_lines(package, mutant)
        if any(
            function_of(mutant).endswith(e.function) and e.before == before and e.after == after
            for e in equivalents
        ):
            m.equivalent += 1
        elif is_wording(before, after):
            m.wording += 1
        else:
            m.survived.append(mutant)
            if show:
                print(f"\n{mutant}{' (no test reaches it)' if code in NO_TESTS else ''}")
                print(f"  - {before}\n  + {after}")
    return sorted(modules.values(), key=lambda m: m.name)


def changed_packages(base: str) -> list[str]:
    out = subprocess.run(
        ["git", "diff", "--name-only", base, "--"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    untracked = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    touched = out + untracked
    hits = [p for p in PACKAGES if any(f.startswith(p + "/") for f in touched)]
    if any(f.startswith("tests/integration/") for f in touched) and "shared/platform" not in hits:
        hits.append("shared/platform")
    return hits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("packages", nargs="*", help=f"default: all of {', '.join(PACKAGES)}")
    parser.add_argument("--changed", action="store_true", help="only the packages a change touched")
    parser.add_argument("--base", default="origin/main", help="with --changed: changed since REV")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--show", action="store_true", help="print every survivor and its diff")
    parser.add_argument("--report-only", action="store_true", help="score the last run again")
    parser.add_argument("--min", type=float, default=0.0, help="exit 1 below this score (e.g. 90)")
    args = parser.parse_args()

    packages = [p.rstrip("/") for p in args.packages] or PACKAGES
    if args.changed:
        base = args.base
        if (
            subprocess.run(
                ["git", "rev-parse", "-q", "--verify", base],
                cwd=ROOT,
                capture_output=True,
                check=False,
            ).returncode
            != 0
        ):
            base = "HEAD"
        packages = [p for p in changed_packages(base) if p in packages]
    unknown = [p for p in packages if p not in PACKAGES]
    if unknown:
        parser.error(f"not a mutated package: {', '.join(unknown)}")

    equivalents = load_equivalents()
    results: list[Module] = []
    for package in packages:
        if not args.report_only:
            print(f"mutating {package} …", flush=True)
            env = dict(os.environ)
            with contextlib.ExitStack() as stack:
                if package in NEEDS_DATABASE:
                    env["CRM_DATABASE_URL"] = stack.enter_context(database())
                # one child: two sharing one server make each other's read_all wait (false kills)
                children = 1 if package in NEEDS_DATABASE else args.max_children
                run_mutmut(package, children, env)
        results += analyse(package, equivalents, args.show)

    totals: Counter[str] = Counter()
    print(f"\n{'module':58} {'killed':>7} {'survived':>9} {'score':>7}   set apart")
    for m in results:
        totals.update(
            killed=m.killed, survived=len(m.survived), equivalent=m.equivalent, wording=m.wording
        )
        apart = f"{m.equivalent} equivalent, {m.wording} wording"
        flag = "" if m.score >= TARGET else "  < 90 %"
        print(f"{m.name:58} {m.killed:7} {len(m.survived):9} {m.score:6.1f}%   {apart}{flag}")
    counted = totals["killed"] + totals["survived"]
    overall = 100.0 * totals["killed"] / counted if counted else 100.0
    print(
        f"{'all':58} {totals['killed']:7} {totals['survived']:9} {overall:6.1f}%   "
        f"{totals['equivalent']} equivalent, {totals['wording']} wording"
    )
    worst = min((m.score for m in results), default=100.0)
    return 1 if worst < args.min else 0


if __name__ == "__main__":
    sys.exit(main())
