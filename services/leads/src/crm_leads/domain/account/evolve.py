"""How each recorded event changes an account."""

from __future__ import annotations

from dataclasses import replace
from typing import assert_never

from crm_events.leads import (
    AccountContactRemoved,
    AccountContactSaved,
    AccountDelegated,
    AccountDelegationRevoked,
    AccountDetailsUpdated,
    AccountGradeComputed,
    AccountGradeOverridden,
    AccountGradeOverrideCleared,
    AccountGrowthPotentialSet,
    AccountInteractionLogged,
    AccountOpened,
    AccountOwnerChanged,
    CustomerGradeChanged,
)

from crm_leads.domain.account.commands import Event
from crm_leads.domain.account.state import Account, Delegation, State


def evolve(state: State, event: Event) -> State:
    if isinstance(event, AccountOpened):
        return Account(
            event.account_id,
            event.branch,
            event.company,
            event.industry,
            event.size,
            event.owner_id,
            event.credit_limit,
            event.payment_days,
            event.from_lead_id,
        )
    assert isinstance(state, Account), f"{type(event).__name__} needs an open account"
    return _evolve_open(state, event)


def _evolve_open(a: Account, event: Event) -> Account:
    match event:
        case AccountDetailsUpdated():
            return replace(
                a,
                company=event.company,
                industry=event.industry,
                size=event.size,
                credit_limit=event.credit_limit,
                payment_days=event.payment_days,
            )
        case AccountGrowthPotentialSet():
            return replace(a, growth_potential=event.score)
        case AccountContactSaved():
            others = tuple(c for c in a.contacts if c.contact_id != event.contact.contact_id)
            return replace(a, contacts=(*others, event.contact))
        case AccountContactRemoved():
            return replace(
                a, contacts=tuple(c for c in a.contacts if c.contact_id != event.contact_id)
            )
        case AccountInteractionLogged():
            return replace(
                a,
                interactions=a.interactions + 1,
                interaction_cost=a.interaction_cost + event.cost,
                last_interaction_at=max(event.at, a.last_interaction_at or event.at),
            )
        case AccountDelegated():
            kept = tuple(d for d in a.delegations if d.delegate != event.delegate)
            return replace(
                a, delegations=(*kept, Delegation(event.delegate, event.starts_on, event.ends_on))
            )
        case AccountDelegationRevoked():
            return replace(
                a, delegations=tuple(d for d in a.delegations if d.delegate != event.delegate)
            )
        case AccountOwnerChanged():
            return replace(a, owner_id=event.to_owner, transfers=a.transfers | {event.transfer_id})
        case AccountGradeComputed():
            return replace(a, computed_grade=event.grade)
        case AccountGradeOverridden():
            return replace(a, override_grade=event.grade)
        case AccountGradeOverrideCleared():
            return replace(a, override_grade=None)
        case CustomerGradeChanged() | AccountOpened():
            return a
        case _:
            assert_never(event)
