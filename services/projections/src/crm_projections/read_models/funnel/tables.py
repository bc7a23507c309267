"""The tables of the `funnel` read model (schema `projections`)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, DateTime, Integer, Numeric, String, Table, Text

from crm_projections.readmodel import metadata

funnel_opportunities = Table(
    "funnel_opportunities",
    metadata,
    Column("opportunity_id", Text, primary_key=True),
    Column("branch", String(64), nullable=False, index=True),
    Column("account_id", Text, nullable=False),
    Column("owner_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("stage", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # open | suspended | won | lost
    Column("amount", Numeric(18, 2), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("stage_entered_at", DateTime(timezone=True), nullable=False),
    Column("stay_seq", Integer, nullable=False),
    Column("expected_close", Date, nullable=False),
    Column("lead_id", Text),
    Column("campaign_id", Text),
    Column("closed_at", DateTime(timezone=True)),
    Column("lost_reason", String(32)),
    Column("lost_stage", String(64)),
    Column("competitor", Text),
    Column("competitor_price", Numeric(18, 2)),
    Column("quotes", Integer, nullable=False),  # quote versions issued
)

# Every finished stay of an opportunity in a stage: the history conversion rates and stage
# durations are measured from (the current stay is the opportunity's stage and stage_entered_at).
opportunity_stays = Table(
    "opportunity_stays",
    metadata,
    Column("opportunity_id", Text, primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("branch", String(64), nullable=False, index=True),
    Column("stage", String(64), nullable=False),
    Column("entered_at", DateTime(timezone=True), nullable=False),
    Column("left_at", DateTime(timezone=True), nullable=False),
    Column("next_stage", String(64)),  # None: lost (or suspended) while in the stage
    Column("lost", Boolean, nullable=False),
)

# Who competes for each opportunity (tracked competitors), for win rates against each of them.
opportunity_competitors = Table(
    "opportunity_competitors",
    metadata,
    Column("opportunity_id", Text, primary_key=True),
    Column("competitor", Text, primary_key=True),
    Column("their_quote", Numeric(18, 2)),
)
