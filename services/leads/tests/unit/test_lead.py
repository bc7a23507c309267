"""Given/when/then for leads: capture, duplicates, assignment, follow-up deadline, conversion."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from crm_events.leads import (
    LeadAbsorbed,
    LeadCaptured,
    LeadConverted,
    LeadDisqualified,
    LeadFollowUpOverdue,
    LeadMerged,
    LeadOwnerChanged,
    OwnerTransferred,
)
from crm_leads.domain.lead import (
    Absorb,
    Assign,
    Capture,
    CheckFollowUp,
    Convert,
    Disqualify,
    LogFollowUp,
    MergeInto,
    Nurture,
    Qualify,
    company_key,
    email_key,
    lead,
    on_owner_transferred,
    phone_key,
)
from crm_platform.domain import DomainError
from crm_platform.testing import Spec

from . import lead_history
from .lead_history import ASSIGNED, CONTACTED, QUALIFIED, T, captured

CAPTURED = captured()

spec = Spec(lead)


def refused(
    command: object, *history: object, match: str | None = None, field: str | None = None
) -> None:
    with pytest.raises(DomainError, match=match) as caught:
        spec.given(*history).when(command)
    assert caught.value.field == field


def test_normalised_keys_find_the_same_customer_written_differently() -> None:
    assert email_key(" Wang@Huadong.CN ") == email_key("wang@huadong.cn")
    assert (
        phone_key("+86 138-0013-8000") == phone_key("13800138000") == phone_key("0086 13800138000")
    )
    assert (
        company_key("Huadong Steel Co., Ltd.")
        == company_key("HUADONG STEEL")
        == "company:huadongsteel"
    )
    assert company_key("华东钢铁有限公司") == company_key("华东钢铁")
    assert email_key("not an email") is None and phone_key("12") is None


def test_capture_carries_keys_and_possible_duplicates() -> None:
    (captured,) = spec.when(lead_history.capture("lead-l0"))
    assert isinstance(captured, LeadCaptured)
    assert captured.keys == (
        "email:wang@huadong.cn",
        "phone:13800138000",
        "company:huadongsteel",
    )
    assert captured.possible_duplicates == ("lead-l0",)


@pytest.mark.parametrize(
    ("source", "campaign", "email", "phone", "field"),
    [
        ("party", None, "a@b.c", None, "source"),
        ("campaign", None, "a@b.c", None, "campaign_id"),
        ("referral", None, None, None, "email"),
    ],
)
def test_capture_refusals(
    source: str, campaign: str | None, email: str | None, phone: str | None, field: str
) -> None:
    refused(
        Capture("l1", "SH01", source, campaign, "X", "Y", email, phone, "mia", (), T), field=field
    )


def test_assignment_and_first_follow_up() -> None:
    spec.given(CAPTURED).then(Assign("alice", "mgr", T), [ASSIGNED])
    refused(LogFollowUp("call", "", "alice", T), CAPTURED, match="Assign the lead")
    spec.given(CAPTURED, ASSIGNED).then(
        LogFollowUp("call", "intro call", "alice", T + timedelta(hours=5)), [CONTACTED]
    )
    refused(LogFollowUp("pigeon", "", "alice", T), CAPTURED, ASSIGNED, field="channel")
    refused(Assign("alice", "mgr", T), CAPTURED, ASSIGNED, field="rep")


def test_a_missed_first_follow_up_is_flagged_once_after_the_limit() -> None:
    late = T + timedelta(hours=49)
    assert spec.given(CAPTURED, ASSIGNED).when(CheckFollowUp(T + timedelta(hours=47))) == []
    flagged = LeadFollowUpOverdue("l1", "SH01", "alice", T, 48, late)
    spec.given(CAPTURED, ASSIGNED).then(CheckFollowUp(late), [flagged])
    assert (
        spec.given(CAPTURED, ASSIGNED, flagged).when(CheckFollowUp(late + timedelta(hours=5))) == []
    )
    assert spec.given(CAPTURED, ASSIGNED, CONTACTED).when(CheckFollowUp(late)) == []
    # a branch with a shorter limit
    assert spec.given(CAPTURED, ASSIGNED).when(CheckFollowUp(T + timedelta(hours=25), 24))


def test_qualify_after_contact_then_convert_carries_the_campaign() -> None:
    refused(Qualify("alice", T), CAPTURED, ASSIGNED, match="contacted")
    spec.given(CAPTURED, ASSIGNED, CONTACTED).then(Qualify("alice", QUALIFIED.at), [QUALIFIED])
    convert = Convert(
        "acct-1", True, "o1", "Huadong line", Decimal(90000), "CNY", date(2027, 2, 1), T
    )
    (converted,) = spec.given(CAPTURED, ASSIGNED, CONTACTED, QUALIFIED).when(convert)
    assert isinstance(converted, LeadConverted)
    assert (converted.campaign_id, converted.owner_id, converted.opportunity_id) == (
        "c1",
        "alice",
        "o1",
    )
    refused(convert, CAPTURED, ASSIGNED, CONTACTED, match="qualified")
    refused(
        Qualify("alice", T), CAPTURED, ASSIGNED, CONTACTED, QUALIFIED, converted, match="converted"
    )


def test_nurturing_and_disqualifying() -> None:
    nurtured = spec.given(CAPTURED, ASSIGNED, CONTACTED).when(Nurture("not ready", "mia", T))
    assert len(nurtured) == 1
    refused(Nurture("x", "mia", T), CAPTURED, ASSIGNED, CONTACTED, QUALIFIED, match="qualified")
    refused(Disqualify(" ", "alice", T), CAPTURED, field="reason")
    spec.given(CAPTURED).then(
        Disqualify("no budget", "alice", T),
        [LeadDisqualified("l1", "SH01", "no budget", "alice", T)],
    )


def test_merging_a_duplicate_closes_it_and_the_survivor_records_it() -> None:
    spec.given(CAPTURED).then(MergeInto("l0", "mgr", T), [LeadMerged("l1", "l0", "mgr", T)])
    refused(MergeInto("l1", "mgr", T), CAPTURED, field="into_lead_id")
    absorbed = LeadAbsorbed("l1", "l9", "mgr", T)
    spec.given(CAPTURED).then(Absorb("l9", "mgr", T), [absorbed])
    assert spec.given(CAPTURED, absorbed).when(Absorb("l9", "mgr", T)) == []


def test_a_transfer_moves_open_leads_once() -> None:
    command = on_owner_transferred(OwnerTransferred("t1", "SH01", "alice", "bob", "left", T))
    moved = LeadOwnerChanged("l1", "alice", "bob", "t1", T)
    spec.given(CAPTURED, ASSIGNED).then(command, [moved])
    assert spec.given(CAPTURED, ASSIGNED, moved).when(command) == []
    assert spec.given(CAPTURED).when(command) == []  # not alice's
