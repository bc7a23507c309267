"""The command table serves every route of crm_api.leads, each exactly once."""

from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal

from crm_api import leads as api
from crm_events.leads import CampaignPlanned, CampaignRejected, CampaignSubmitted, LeadCaptured
from crm_leads.commands import CAMPAIGN_ANSWER, COMMANDS, LEAD_ANSWER, _answer
from crm_leads.domain import campaign as cp
from crm_leads.domain import lead as ld


def test_every_route_is_declared_once() -> None:
    declared = Counter(spec.route.name for spec in COMMANDS)
    assert declared == Counter(route.name for route in api.ROUTES)


def test_only_managers_review_campaigns_and_override_grades() -> None:
    """The route table is the only role check for these: the domain no longer repeats it."""
    assert api.APPROVE_CAMPAIGN.roles == api.REJECT_CAMPAIGN.roles == {"branch_manager"}
    assert api.OVERRIDE_ACCOUNT_GRADE.roles == {"branch_manager", "admin"}
    assert api.CLEAR_ACCOUNT_GRADE_OVERRIDE.roles == {"branch_manager", "admin"}


def test_a_record_answer_has_every_field_whatever_the_status() -> None:
    """GET /leads/{id} and /campaigns/{id} answer the same fields in every status (tests/e2e read
    them): the status, and empty values for what only another status has."""
    at = datetime(2026, 11, 2, 9, tzinfo=UTC)
    captured = LeadCaptured(
        "l1", "SH01", "referral", None, "X", "Y", "a@b.cn", None, (), (), "m", at
    )
    new = _answer(ld.lead.fold([captured]), "l1", LEAD_ANSWER)
    assert list(new) == [*LEAD_ANSWER, "id"]
    assert (new["status"], new["account_id"], new["opportunity_id"]) == ("new", None, None)
    planned = CampaignPlanned(
        "c1", "SH01", "webinar", "t", "s", date(2026, 1, 1), date(2026, 1, 2), Decimal(1), "m", at
    )
    rejected = CampaignRejected("c1", "mgr", "too dear", at)
    history = [planned, CampaignSubmitted("c1", "m", at), rejected]
    shown = _answer(cp.campaign.fold(history), "c1", CAMPAIGN_ANSWER)
    assert list(shown) == [*CAMPAIGN_ANSWER, "id"]
    assert (shown["status"], shown["rejection"], shown["budget"]) == ("rejected", "too dear", 1.0)
    submitted = _answer(cp.campaign.fold(history[:2]), "c1", CAMPAIGN_ANSWER)
    assert (submitted["status"], submitted["rejection"]) == ("submitted", None)
