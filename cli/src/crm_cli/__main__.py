"""`crm`: run the whole system locally, and issue tokens for it."""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from crm_platform.auth import ROLES, issue_token
from crm_platform.local import TansuBroker, embedded_postgres, ensure_database
from crm_projections.app import READ_MODELS

from crm_cli import data, demo
from crm_cli.system import Supervisor, System, jwt_secret

VAR = Path(os.environ.get("CRM_VAR_DIR", "var"))


def run(_: argparse.Namespace) -> int:
    """Start PostgreSQL and Kafka (embedded unless configured), every service, and the gateway."""
    stopping = False

    def stop(signum: int, _: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    with contextlib.ExitStack() as stack:
        database_url = os.environ.get("CRM_DATABASE_URL")
        if not database_url:
            print("starting embedded PostgreSQL (data in var/postgres)", flush=True)
            admin = stack.enter_context(embedded_postgres(VAR.resolve() / "postgres", keep=True))
            database_url = ensure_database(admin, "crm")
        VAR.mkdir(parents=True, exist_ok=True)
        (VAR / "database-url").write_text(database_url)  # for crm projections / export / bi-role
        bootstrap = os.environ.get("CRM_KAFKA_BOOTSTRAP")
        broker: TansuBroker | None = None
        if not bootstrap:
            port = int(os.environ.get("CRM_KAFKA_PORT", "0")) or None
            broker = TansuBroker(port, log=VAR / "tansu.log").start()
            stack.callback(broker.stop)
            bootstrap = broker.bootstrap
            print(
                f"started the Tansu broker on {bootstrap} (pid {broker.pid}, memory only)",
                flush=True,
            )
        if os.environ.get("CRM_DEMO", "1") != "0":
            print("loading the demo data (once; CRM_DEMO=0 skips it) ...", flush=True)
            print(f"demo data: {demo.run(database_url)} commands, all in place", flush=True)
        system = System(
            database_url,
            bootstrap,
            jwt_secret(VAR),
            gateway_port=int(os.environ.get("CRM_GATEWAY_PORT", "8000")),
        )
        stack.callback(system.stop)
        system.start(timeout=120)
        print(
            f"\nCRM gateway: {system.url}   (API docs: {system.url}/docs)\n"
            f"Get a token:  .venv/bin/crm token --user alice --role sales_rep --branch SH01\n"
            f'Then:         curl -H "Authorization: Bearer $TOKEN" '
            f"{system.url}/v1/reports/funnel\nCtrl-C stops everything.",
            flush=True,
        )
        supervisor = Supervisor(
            say=lambda line: print(line, flush=True),
            base=float(os.environ.get("CRM_RESTART_SECONDS", "1")),
        )
        if broker is not None:
            tansu = broker
            supervisor.watch("broker", lambda: _started(tansu), tansu.proc)
        for name, proc in list(system.procs.items()):
            supervisor.watch(name, functools.partial(system.start_service, name), proc)
        while not stopping:
            supervisor.tick()
            time.sleep(0.5)
        print("stopping ...", flush=True)
    return 0


def _started(broker: TansuBroker) -> subprocess.Popen[bytes]:
    """The local broker again, on its port (memory only: topics start empty; reactions and read
    models fill what they missed from the event stores)."""
    proc = broker.start().proc
    assert proc is not None
    return proc


def token(args: argparse.Namespace) -> int:
    print(
        issue_token(
            jwt_secret(VAR),
            user=args.user,
            role=args.role,
            branch=args.branch,
            ttl_seconds=args.ttl,
        )
    )
    return 0


def docs(args: argparse.Namespace) -> int:
    """Write the generated documents: the AsyncAPI description of the Kafka topics."""
    import orjson

    from crm_cli.asyncapi import document

    path = Path(args.out)
    path.write_bytes(
        orjson.dumps(document(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    )
    print(f"wrote {path}")
    return 0


def projections(args: argparse.Namespace) -> int:
    if args.action == "list":
        for model in READ_MODELS:
            print(f"{model.name:<20} follows {', '.join(model.contexts)}")
        return 0
    return data.run_rebuild(data.database_url(VAR), args.names)


def export(args: argparse.Namespace) -> int:
    return data.export(data.database_url(VAR), args.report, args.format, args.out)


def bi_role(args: argparse.Namespace) -> int:
    password = os.environ.get("CRM_BI_PASSWORD") or args.password
    if not password:
        print("give the role a password: --password or CRM_BI_PASSWORD")
        return 2
    return data.bi_role(data.database_url(VAR), args.name, password)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crm", description=__doc__)
    sub = parser.add_subparsers(required=True)
    sub.add_parser("run", help="run the whole system on this machine").set_defaults(func=run)
    t = sub.add_parser("token", help="print a JWT the local gateway accepts")
    t.add_argument("--user", required=True)
    t.add_argument("--role", required=True, choices=sorted(ROLES))
    t.add_argument("--branch", required=True)
    t.add_argument("--ttl", type=int, default=12 * 3600, help="seconds (default 12 h)")
    t.set_defaults(func=token)
    d = sub.add_parser("docs", help="regenerate docs/asyncapi.json from the event schemas")
    d.add_argument("--out", default="docs/asyncapi.json")
    d.set_defaults(func=docs)
    p = sub.add_parser("projections", help="list or rebuild read models from the event stores")
    p.add_argument("action", choices=["list", "rebuild"])
    p.add_argument("names", nargs="*", help="read models to rebuild (default: all)")
    p.set_defaults(func=projections)
    e = sub.add_parser("export", help="export a reporting view for BI (Parquet or CSV)")
    e.add_argument("report", help="a view of the reporting schema, e.g. funnel")
    e.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    e.add_argument("--out", type=Path, help="file to write (default: <report>.<format>)")
    e.set_defaults(func=export)
    b = sub.add_parser("bi-role", help="create or update the read-only database role for BI tools")
    b.add_argument("--name", default="crm_bi")
    b.add_argument("--password", help="or CRM_BI_PASSWORD")
    b.set_defaults(func=bi_role)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
