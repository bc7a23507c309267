"""What every service's application layer shares: the request a command call carries, the answer
it gets, who may touch which branch's records (DOMAIN.md §0), and the command specs.

A service declares each command once, as data, in its table (`crm_<service>/commands.py`): a
`Write` names the route, the aggregate, the stream and how the domain command is built from the call
and the record's state; a `Read` answers a record folded from its stream; a `Custom` is a command
or read that spans several streams. `execute` and `show` run them without HTTP (the demo loader
uses them); crm_platform.mount serves a table over HTTP.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import uuid4

from crm_api import Route
from crm_events import Metadata

from crm_platform.auth import Actor
from crm_platform.consistency import ConsistencyToken
from crm_platform.domain import Decider, DomainError, NotFound
from crm_platform.eventstore import AppendResult, EventStore
from crm_platform.handler import Loaded, handle, load
from crm_platform.http import Problem, plain
from crm_platform.settings import Settings


@dataclass(frozen=True, slots=True)
class Accepted:
    id: str
    version: int
    position: int
    consistency_token: str

    @classmethod
    def of(cls, context: str, record_id: str, result: AppendResult) -> Accepted:
        token = ConsistencyToken(context, result.stream_id, result.version)
        return cls(record_id, result.version, result.position, str(token))


@dataclass(frozen=True, slots=True)
class Request:
    """What every command call carries besides its own fields."""

    actor: Actor
    correlation_id: str
    at: datetime
    idempotency_key: str | None = None
    expected_version: int | None = None
    causation_id: str | None = None

    def key(self, command: str) -> str | None:
        """Idempotency keys are scoped to the caller and the command, so they never collide."""
        if self.idempotency_key is None:
            return None
        return f"{self.actor.user_id}|{command}|{self.idempotency_key}"

    def metadata(self) -> Metadata:
        return Metadata(
            self.actor.user_id,
            self.actor.role,
            self.actor.branch,
            self.correlation_id,
            causation_id=self.causation_id or str(uuid4()),
        )


def branch_for(actor: Actor, requested: str | None) -> str:
    """The branch a new record belongs to: the caller's own, or the one an HQ caller names."""
    if actor.is_hq:
        if not requested:
            raise DomainError(
                "HQ staff must say which branch the record belongs to.", field="branch"
            )
        return requested
    if requested and requested != actor.branch:
        raise DomainError("You can only create records for your own branch.", field="branch")
    return actor.branch


def visible_to(
    actor: Actor, kind: str, branch_of: Callable[[Any], str | None]
) -> Callable[[Any], None]:
    """An `authorize` hook for `handle`: a record the actor may not see does not exist for them.

    `branch_of(state)` answers the record's branch, or None when the stream holds no record yet.
    """

    def check(state: Any) -> None:
        branch = branch_of(state)
        if branch is None or not actor.sees(branch):
            raise NotFound(f"There is no such {kind}.")

    return check


# --- commands and record reads declared once, as data (crm_platform.mount serves them) ----------
@dataclass(frozen=True, slots=True)
class Call:
    """What a command builder gets: the envelope, the path, the body and the store for lookups."""

    context: str
    req: Request
    store: EventStore
    settings: Settings
    record_id: str
    path: Mapping[str, str] = field(default_factory=dict)
    body: Any = None

    @property
    def actor(self) -> Actor:
        return self.req.actor

    @property
    def at(self) -> datetime:
        return self.req.at

    @property
    def by(self) -> str:
        """The user the command is recorded in the name of."""
        return self.actor.user_id

    @property
    def reason(self) -> str:
        """The body's optional `reason` (an approval or rejection without a body gives none)."""
        return str(self.body.reason) if self.body is not None else ""

    def new_id(self) -> str:
        """An id for something the command creates inside its record (a quote, an activity)."""
        return str(uuid4())

    def require_currency(self, currency: str) -> None:
        """Amounts are kept in the one currency of the settings: another is refused (422)."""
        kept = self.settings.currency
        if currency != kept:
            raise Problem(
                422, "The request is not valid", f"Amounts are kept in {kept}.", field="currency"
            )

    async def append(
        self,
        decider: Decider[Any, Any, Any],
        stream: str,
        command: Any,
        name: str | None = None,
        *,
        expected_version: int | None = None,
        authorize: Callable[[Any], None] | None = None,
    ) -> AppendResult:
        """One command on one stream in the call's name, replayed by its Idempotency-Key under
        `name` (a command spanning several streams appends to each this way)."""
        return await handle(
            self.store,
            decider,
            stream,
            command,
            metadata=self.req.metadata(),
            occurred_at=self.req.at,
            expected_version=expected_version,
            idempotency_key=self.req.key(name) if name else None,
            authorize=authorize,
        )


Build = Callable[[Call, Any], Any]  # (call, state) -> the domain command, or an awaitable of it
Then = Callable[[Call, Accepted], Awaitable[Accepted]]


def branch_of(state: Any) -> str | None:
    """The branch of a record's state, None while its stream holds no record."""
    return getattr(state, "branch", None) if state is not None else None


def seen_by(actor: Actor, state: Any) -> bool:
    branch = branch_of(state)
    return branch is not None and actor.sees(branch)


def everyone(actor: Actor, state: Any) -> bool:
    """A record everyone may read (a company-wide one, defaults included)."""
    return True


def plainly(state: Any) -> dict[str, Any]:
    """A record's state as its answer, field by field."""
    return dict(plain(state))


def seen_branch(call: Call, param: str, *, company: bool = False) -> str:
    """The branch named by the path parameter `param`, if the caller sees it (else not found);
    with `company`, also the company-wide scope "company", which everyone sees."""
    branch = call.path[param]
    if not (company and branch == "company") and not call.actor.sees(branch):
        raise NotFound("There is no such branch.")
    return branch


async def settings_in_force(
    store: EventStore, decider: Decider[Any, Any, Any], stream: Callable[[str], str], branch: str
) -> Any:
    """A branch's settings record over the company's: a field the branch leaves unset falls back
    to the company's (the caller lays its defaults under both)."""
    company = (await load(store, decider, stream("company"))).state
    own = (await load(store, decider, stream(branch))).state
    return own.over(company)


@dataclass(frozen=True)
class Write:
    """One command: the route it answers, the aggregate that decides it, its stream, and how the
    domain command is built from the call and the record's state (read once, after the branch
    check). `key` names the path parameter holding the record's id; without it the id comes from
    `record` (a body field, a scope), else a new record is opened under a fresh id."""

    route: Route
    decider: Decider[Any, Any, Any]
    stream: Callable[[str], str]
    build: Build
    kind: str
    key: str | None = None
    record: Callable[[Call], str] | None = None
    scoped: bool = True  # the actor must see the record's branch (404 otherwise)
    then: Then | None = None  # what follows the append (claiming keys, sweeping transfers)

    @property
    def opens(self) -> bool:
        return self.key is None and self.record is None


@dataclass(frozen=True)
class Read:
    """One record read: the state folded from its stream, as the route's answer body."""

    route: Route
    decider: Decider[Any, Any, Any]
    stream: Callable[[str], str]
    kind: str
    key: str
    present: Callable[[Any], dict[str, Any]] = plainly
    visible: Callable[[Actor, Any], bool] = seen_by


@dataclass(frozen=True)
class Records:
    """One kind of record in a command table: its aggregate, its stream, the name a refusal gives
    it, and the path parameter holding its id."""

    decider: Decider[Any, Any, Any]
    stream: Callable[[str], str]
    kind: str
    key: str
    scoped: bool = True  # the actor must see the record's branch (404 otherwise)

    def __call__(self, route: Route, build: Build) -> Write:
        """A command on an existing record."""
        return Write(
            route, self.decider, self.stream, build, self.kind, self.key, scoped=self.scoped
        )

    def opens(self, route: Route, build: Build, then: Then | None = None) -> Write:
        """The command opening a new record under a fresh id."""
        return Write(route, self.decider, self.stream, build, self.kind, then=then)

    def read(
        self,
        route: Route,
        present: Callable[[Any], dict[str, Any]] = plainly,
        visible: Callable[[Actor, Any], bool] = seen_by,
    ) -> Read:
        """The record's read, for the callers it is `visible` to (else not found)."""
        return Read(route, self.decider, self.stream, self.kind, self.key, present, visible)

    async def load(self, call: Call, record_id: str) -> Loaded:
        """The record, if the caller sees its branch (else not found)."""
        loaded = await load(call.store, self.decider, self.stream(record_id))
        if not seen_by(call.actor, loaded.state):
            raise NotFound(f"There is no such {self.kind}.")
        return loaded


Shown = tuple[dict[str, Any], int]  # a record's body and version


@dataclass(frozen=True)
class Custom:
    """A command or read that spans several streams, written as one function."""

    route: Route
    run: Callable[[Call], Awaitable[Accepted | Shown]]


Spec = Write | Read | Custom


async def execute(spec: Write, call: Call) -> Accepted:
    """Run one command: one read of its stream, the branch check, the build, decide, append."""
    req = call.req
    name = spec.route.name

    async def build(state: Any) -> Any:
        command = spec.build(call, state)
        return await command if inspect.isawaitable(command) else command

    scoped = not spec.opens and spec.scoped
    result = await handle(
        call.store,
        spec.decider,
        spec.stream(call.record_id),
        build,
        metadata=req.metadata(),
        occurred_at=req.at,
        expected_version=None if spec.opens else req.expected_version,
        idempotency_key=req.key(name if spec.opens else f"{name}:{call.record_id}"),
        authorize=visible_to(req.actor, spec.kind, branch_of) if scoped else None,
        name=name,
    )
    record_id = call.record_id
    if spec.opens and result.replayed:  # the first call with this key opened its own record
        record_id = result.stream_id.removeprefix(spec.stream(""))
    accepted = Accepted.of(call.context, record_id, result)
    return await spec.then(call, accepted) if spec.then is not None else accepted


async def show(spec: Read, call: Call) -> Shown:
    loaded = await load(call.store, spec.decider, spec.stream(call.record_id))
    if not spec.visible(call.actor, loaded.state):
        raise NotFound(f"There is no such {spec.kind}.")
    return spec.present(loaded.state), loaded.version


def call_for(
    spec: Spec,
    context: str,
    req: Request,
    store: EventStore,
    settings: Settings,
    path: Mapping[str, str] | None = None,
    body: Any = None,
) -> Call:
    """The call of `spec` with the record's id: from the path, from `record`, or a new one."""
    call = Call(context, req, store, settings, "", dict(path or {}), body)
    if isinstance(spec, Write | Read) and spec.key:
        return replace(call, record_id=call.path[spec.key])
    if isinstance(spec, Write):
        return replace(call, record_id=spec.record(call) if spec.record else str(uuid4()))
    return call


async def dispatch(spec: Spec, call: Call) -> Accepted | Shown:
    match spec:
        case Write():
            return await execute(spec, call)
        case Read():
            return await show(spec, call)
        case Custom():
            return await spec.run(call)


async def perform(
    spec: Spec,
    context: str,
    req: Request,
    store: EventStore,
    settings: Settings,
    path: Mapping[str, str] | None = None,
    body: Any = None,
) -> Accepted | Shown:
    """Run a spec without HTTP (the demo loader and tests), exactly as its route would."""
    return await dispatch(spec, call_for(spec, context, req, store, settings, path, body))
