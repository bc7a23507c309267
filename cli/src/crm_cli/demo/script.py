"""The demo's cast and props: branches, regions, products, companies, the people of a branch,
and the loader that runs each scripted command through its context's command table."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from crm_platform.auth import Actor
from crm_platform.commands import Accepted, Request, Shown, Spec, perform
from crm_platform.domain import DomainError
from crm_platform.eventstore import EventStore
from crm_platform.settings import Settings

REGIONS = {
    "east": ("SH01", "HZ01"),
    "north": ("BJ01", "TJ01"),
    "south": ("GZ01", "SZ01"),
}
BRANCHES = tuple(b for bs in REGIONS.values() for b in bs)
CENT = Decimal("0.01")
DEMO_NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)  # the demo's histories end here
PRODUCTS = (
    ("PX-200 pump", "pumps", Decimal(48000)),
    ("PX-500 pump", "pumps", Decimal(125000)),
    ("VC-10 valve set", "valves", Decimal(9800)),
    ("Control cabinet", "automation", Decimal(86000)),
    ("Service plan (1 year)", "services", Decimal(24000)),
)
COMPANIES = (
    "Huadong Steel",
    "Jiangnan Paper",
    "Pearl River Foods",
    "Bohai Chemicals",
    "Xinghe Textiles",
    "Changjiang Water",
    "Kunlun Mining",
    "Minjiang Pharma",
    "Taihu Electronics",
    "Lingnan Ceramics",
)
COMPETITORS = ("Acme Pumps", "Flowmax", "Sino Hydraulics")


@dataclass
class Loader:
    stores: dict[str, EventStore]
    seed: int = 42
    settings: Settings = field(default_factory=Settings)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    counter: int = 0
    done: int = 0

    def request(self, actor: Actor, at: datetime) -> Request:
        self.counter += 1
        return Request(
            actor, f"demo-{self.seed}", at, idempotency_key=f"demo-{self.seed}-{self.counter}"
        )

    async def run(self, label: str, step: Awaitable[Any]) -> Any:
        try:
            result = await step
            self.done += 1
            return result
        except DomainError as exc:  # a rule refused a scripted step: the script is wrong
            raise RuntimeError(f"demo step {label} refused: {exc.message}") from exc

    async def do(
        self,
        context: str,
        spec: Spec,
        actor: Actor,
        at: datetime,
        path: dict[str, str] | None = None,
        body: Any = None,
    ) -> Accepted:
        """One scripted command, run through the context's command table as its route runs it."""
        req = self.request(actor, at)
        store = self.stores[context]
        done = await self.run(
            spec.route.name, perform(spec, context, req, store, self.settings, path, body)
        )
        assert isinstance(done, Accepted)
        return done

    async def show(self, context: str, spec: Spec, actor: Actor, path: dict[str, str]) -> Shown:
        """A record as its read route answers it."""
        req = Request(actor, f"demo-{self.seed}", self.now)
        store = self.stores[context]
        shown = await perform(spec, context, req, store, self.settings, path)
        assert isinstance(shown, tuple)
        return shown


def people(branch: str) -> tuple[Actor, Actor, Actor]:
    return (
        Actor(f"{branch.lower()}-rep-1", "sales_rep", branch),
        Actor(f"{branch.lower()}-rep-2", "sales_rep", branch),
        Actor(f"{branch.lower()}-manager", "branch_manager", branch),
    )
