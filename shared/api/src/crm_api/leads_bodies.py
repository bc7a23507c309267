"""Request models of the leads context's commands (their routes: crm_api.leads)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from crm_api.routes import Body, Day, example

Money = Decimal
Text = Field(min_length=1, max_length=200)


class PlanCampaign(Body):
    model_config = example(
        campaign_type="trade_show",
        theme="Pumps expo 2027",
        segment="chemical plants",
        starts_on="2027-03-10",
        ends_on="2027-03-12",
        budget=80000,
    )

    campaign_type: Literal[
        "trade_show", "seminar", "webinar", "direct_mail", "online_ad", "promotion", "other"
    ]
    theme: str = Text
    segment: str = Text
    starts_on: Day
    ends_on: Day
    budget: Money = Field(gt=0, max_digits=16, decimal_places=2)
    branch: str | None = Field(None, max_length=64, description="Required for HQ callers")


class ReviseCampaign(Body):
    model_config = example(
        theme="Pumps expo 2027",
        segment="chemical plants",
        starts_on="2027-03-10",
        ends_on="2027-03-12",
        budget=60000,
    )

    theme: str = Text
    segment: str = Text
    starts_on: Day
    ends_on: Day
    budget: Money = Field(gt=0, max_digits=16, decimal_places=2)


class CampaignOrLeadReason(Body):
    model_config = example(reason="Budget too high for the expected leads")

    reason: str = Text


class Cost(Body):
    model_config = example(amount=1200.5, what="Booth rental")

    amount: Money = Field(gt=0, max_digits=16, decimal_places=2)
    what: str = Text


class Participants(Body):
    model_config = example(participants=140)

    participants: int = Field(ge=0, le=10_000_000)


class CaptureLead(Body):
    model_config = example(
        source="trade_show",
        company="Huadong Steel Co., Ltd.",
        contact_name="Wang Li",
        email="wang@huadong.cn",
        phone="+86 138 0013 8000",
    )

    source: Literal[
        "campaign",
        "website_form",
        "referral",
        "trade_show",
        "cold_call",
        "partner",
        "media",
        "other",
    ]
    campaign_id: str | None = Field(None, max_length=100)
    company: str = Text
    contact_name: str = Text
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str | None = Field(None, max_length=40)
    branch: str | None = Field(None, max_length=64, description="Required for HQ callers")


class AssignLead(Body):
    model_config = example(rep="alice")

    rep: str = Field(min_length=1, max_length=100)


class FollowUp(Body):
    model_config = example(channel="call", note="Intro call; sending a brochure")

    channel: Literal["call", "email", "visit", "meeting", "message"]
    note: str = Field("", max_length=2000)


class ConvertLead(Body):
    model_config = example(
        opportunity_name="Huadong line 3 pumps",
        amount=250000,
        currency="CNY",
        expected_close="2027-06-30",
        industry="steel",
        size="large",
    )

    account_id: str | None = Field(
        None, max_length=100, description="Attach to this account; else one is opened"
    )
    opportunity_name: str = Text
    amount: Money = Field(gt=0, max_digits=16, decimal_places=2)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    expected_close: Day
    industry: str = Field("unknown", max_length=100)
    size: Literal["small", "medium", "large", "enterprise"] = "medium"


class MergeLead(Body):
    model_config = example(duplicate_id="6f1c2d3e-0000-4000-8000-000000000000")

    duplicate_id: str = Field(min_length=1, max_length=100)


class Roster(Body):
    model_config = example(reps=["alice", "bob"], follow_up_hours=48)

    reps: list[str] = Field(max_length=200)
    follow_up_hours: int = Field(48, ge=1, le=720)


class GrowthPotential(Body):
    model_config = example(score=70)

    score: int | None = Field(ge=0, le=100, description="None clears the estimate")


class Region(Body):
    model_config = example(region="East")

    region: str = Field(min_length=1, max_length=64)


class OpenAccount(Body):
    model_config = example(
        company="Huadong Steel",
        industry="steel",
        size="large",
        credit_limit=500000,
        payment_days=60,
    )

    company: str = Text
    industry: str = Field(min_length=1, max_length=100)
    size: Literal["small", "medium", "large", "enterprise"]
    credit_limit: Money = Field(ge=0, max_digits=16, decimal_places=2)
    payment_days: int = Field(ge=0, le=365)
    branch: str | None = Field(None, max_length=64, description="Required for HQ callers")


class UpdateAccount(Body):
    model_config = example(
        company="Huadong Steel",
        industry="steel",
        size="enterprise",
        credit_limit=800000,
        payment_days=45,
    )

    company: str = Text
    industry: str = Field(min_length=1, max_length=100)
    size: Literal["small", "medium", "large", "enterprise"]
    credit_limit: Money = Field(ge=0, max_digits=16, decimal_places=2)
    payment_days: int = Field(ge=0, le=365)


class Contact(Body):
    model_config = example(
        name="Zhao Min", title="CFO", email="zhao@huadong.cn", buying_role="finance"
    )

    contact_id: str | None = Field(None, max_length=100, description="Given: update that contact")
    name: str = Text
    title: str = Field("", max_length=200)
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str | None = Field(None, max_length=40)
    buying_role: Literal["decision_maker", "influencer", "technical_evaluator", "user", "finance"]


class Interaction(Body):
    model_config = example(kind="visit", note="Plant tour with the maintenance lead", cost=300)

    kind: Literal["visit", "call", "email", "meeting", "quote", "complaint"]
    note: str = Field("", max_length=4000)
    cost: Money = Field(Decimal(0), ge=0, max_digits=12, decimal_places=2)


class Delegation(Body):
    model_config = example(delegate="bob", starts_on="2027-01-10", ends_on="2027-01-24")

    delegate: str = Field(min_length=1, max_length=100)
    starts_on: Day
    ends_on: Day


class GradeBody(Body):
    model_config = example(grade="A")

    grade: Literal["A", "B", "C"]


class OverrideBody(Body):
    model_config = example(grade="A", reason="Strategic account for the north region")

    grade: Literal["A", "B", "C"]
    reason: str = Text


class OwnerTransfer(Body):
    model_config = example(from_user="alice", to_user="bob", reason="Alice leaves the company")

    from_user: str = Field(min_length=1, max_length=100)
    to_user: str = Field(min_length=1, max_length=100)
    reason: str = Text
    branch: str | None = Field(None, max_length=64, description="Required for HQ callers")
