"""Exhaustive dispatch: a command or event an aggregate does not know is a programming error that
fails loudly and names the stranger, never a silent no-op; an event before its record names itself."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from crm_events.leads import (
    AccountOpened,
    CampaignPlanned,
    CampaignStarted,
    CustomerGradeChanged,
    LeadAssigned,
    LeadCaptured,
)
from crm_leads.domain import account, campaign, lead, routing

T = datetime(2026, 11, 2, 9, tzinfo=UTC)


@dataclass(frozen=True)
class Stranger:
    pass


OPEN_LEAD = lead.lead.fold(
    [LeadCaptured("l1", "SH01", "other", None, "X", "Y", "a@b.cn", None, (), (), "mia", T)]
)
OPEN_ACCOUNT = account.account.fold(
    [AccountOpened("a1", "SH01", "X", "y", "small", "alice", Decimal(0), 30, None, T)]
)
PLANNED = campaign.campaign.fold(
    [
        CampaignPlanned(
            "c1",
            "SH01",
            "webinar",
            "t",
            "s",
            date(2026, 1, 1),
            date(2026, 1, 2),
            Decimal(1),
            "m",
            T,
        )
    ]
)


@pytest.mark.parametrize(
    ("decide", "state"),
    [
        (lead.decide, lead.Nothing()),
        (lead.decide, OPEN_LEAD),
        (account.decide, OPEN_ACCOUNT),
        (campaign.decide, PLANNED),
        (routing.decide_roster, routing.Roster()),
    ],
)
def test_an_unknown_command_is_refused_loudly(decide: Any, state: Any) -> None:
    with pytest.raises(AssertionError, match="Stranger"):
        decide(Stranger(), state)


@pytest.mark.parametrize(
    ("evolve", "state"),
    [
        (lead.evolve, OPEN_LEAD),
        (account.evolve, OPEN_ACCOUNT),
        (campaign.evolve, PLANNED),
        (routing.evolve_roster, routing.Roster()),
    ],
)
def test_an_unknown_event_is_refused_loudly(evolve: Any, state: Any) -> None:
    with pytest.raises(AssertionError, match="Stranger"):
        evolve(state, Stranger())


@pytest.mark.parametrize(
    ("decider", "event", "message"),
    [
        (
            lead.lead,
            LeadAssigned("l1", "SH01", None, "alice", "mgr", False, T),
            "LeadAssigned needs a captured lead",
        ),
        (
            account.account,
            CustomerGradeChanged("a1", "SH01", "A", None, "computed", T),
            "CustomerGradeChanged needs an open account",
        ),
        (campaign.campaign, CampaignStarted("c1", T), "CampaignStarted needs a planned campaign"),
    ],
)
def test_an_event_before_its_record_exists_names_itself(
    decider: Any, event: object, message: str
) -> None:
    with pytest.raises(AssertionError, match=message):
        decider.evolve(decider.initial_state(), event)


@pytest.mark.parametrize(
    ("decider", "nothing"),
    [
        (lead.lead, lead.Nothing()),
        (account.account, account.Nothing()),
        (campaign.campaign, campaign.Nothing()),
    ],
)
def test_the_state_before_the_first_event_is_nothing(decider: Any, nothing: object) -> None:
    assert decider.initial_state() == nothing
