"""The agent's queue: the unresolved tickets the caller may see, in queue order (grade, then
deadline). Its own route rather than a table entry, as it is the one read with query parameters.

Tickets are found with the store's queries, not an index kept in memory: every ticket opened,
less those resolved and never reopened (their SLA clock has stopped for good); the rest are folded
and kept while their clock runs. The scheduled SLA check finds its tickets the same way.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated

from crm_api import service_desk as api
from crm_platform.domain import NotFound
from crm_platform.eventstore import EventStore
from crm_platform.handler import load
from crm_platform.http import json_response
from crm_platform.service import CurrentActor, Store, handles
from fastapi import APIRouter, Query
from fastapi.responses import Response

from crm_service_desk.commands import shown
from crm_service_desk.domain.queue import in_queue_order
from crm_service_desk.domain.ticket import Ticket, assignee_of, ticket


async def unresolved(
    store: EventStore, branch: str | None = None, *, skip: Collection[str] = ()
) -> list[Ticket]:
    """Tickets whose SLA clock runs (of `branch`, if named), but for the streams in `skip`."""
    if branch is None:
        opened = await store.streams_of(("TicketOpened",))
    else:
        opened = set(await store.streams_with(("TicketOpened",), "branch", branch))
    resolved = await store.streams_of(("TicketResolved",))
    settled = resolved - await store.streams_of(("TicketReopened",))
    tickets = []
    for stream in sorted(opened - settled - set(skip)):
        state = (await load(store, ticket, stream)).state
        if isinstance(state, Ticket) and state.sla_running:
            tickets.append(state)
    return tickets


async def ticket_queue(
    actor: CurrentActor, store: Store, q: Annotated[api.Queue, Query()]
) -> Response:
    """Unresolved tickets the actor may see (their branch; HQ: all, or the branch it names),
    optionally one agent's, in queue order."""
    if q.branch is not None and not actor.sees(q.branch):
        raise NotFound("There is no such branch.")
    branch = q.branch if q.branch is not None or actor.is_hq else actor.branch
    tickets = in_queue_order(
        t
        for t in await unresolved(store, branch)
        if actor.sees(t.branch) and (q.assignee is None or assignee_of(t) == q.assignee)
    )
    return json_response({"tickets": [shown(t) for t in tickets]})


router = APIRouter()
handles(router, api.TICKET_QUEUE)(ticket_queue)
