"""The funnel read model folds an opportunity's life into its row, its finished stays in each
stage and its tracked competitors (pure: no database)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

from crm_events import Envelope, Metadata, to_data
from crm_events.opportunities import (
    OpportunityActivityLogged,
    OpportunityCompetitorRemoved,
    OpportunityCompetitorTracked,
    OpportunityDetailsUpdated,
    OpportunityLost,
    OpportunityOpened,
    OpportunityOwnerChanged,
    OpportunityQuoteAdded,
    OpportunityReactivated,
    OpportunityStageChanged,
    OpportunitySuspended,
    OpportunityWon,
)
from crm_projections.read_models.funnel import model as funnel
from crm_projections.read_models.funnel.tables import (
    funnel_opportunities,
    opportunity_competitors,
    opportunity_stays,
)
from crm_projections.readmodel import Rows

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
T1 = T0 + timedelta(days=10)
T2 = T0 + timedelta(days=25)
T3 = T0 + timedelta(days=40)
META = Metadata("rep", "sales_rep", "SH01", "c")

OPENED = OpportunityOpened(
    "o1",
    "a1",
    "Pumps for Huadong",
    Decimal("1200.50"),
    "CNY",
    date(2026, 6, 30),
    "SH01",
    "alice",
    "prospecting",
    T0,
    lead_id="l1",
    campaign_id="c1",
)

# the row of OPENED, as the model must write it
OPENED_ROW = {
    "opportunity_id": "o1",
    "branch": "SH01",
    "account_id": "a1",
    "owner_id": "alice",
    "name": "Pumps for Huadong",
    "stage": "prospecting",
    "status": "open",
    "amount": Decimal("1200.50"),
    "currency": "CNY",
    "opened_at": T0,
    "stage_entered_at": T0,
    "stay_seq": 1,
    "expected_close": date(2026, 6, 30),
    "lead_id": "l1",
    "campaign_id": "c1",
    "closed_at": None,
    "lost_reason": None,
    "lost_stage": None,
    "competitor": None,
    "competitor_price": None,
    "quotes": 0,
}


def envelope(e: Any, seq: int = 1) -> Envelope:
    return Envelope(uuid4(), type(e).event_type, 1, "s", seq, seq, T0, T0, to_data(e), META)


def fold(*events: Any, rows: Rows | None = None) -> Rows:
    rows = rows or Rows()
    for i, e in enumerate(events, 1):
        funnel.evolve(rows, envelope(e, i))
    return rows


def the_row(rows: Rows) -> dict[str, Any]:
    (row,) = rows.all(funnel_opportunities)
    return dict(row)


def stays_of(rows: Rows) -> list[dict[str, Any]]:
    return sorted(rows.all(opportunity_stays), key=lambda s: s["seq"])


def moved(to: str, at: datetime, frm: str = "") -> OpportunityStageChanged:
    return OpportunityStageChanged("o1", frm, to, at)


def test_an_opened_opportunity_is_open_in_its_first_stage_with_no_stay_finished() -> None:
    rows = fold(OPENED)
    assert rows.get(funnel_opportunities, ("o1",)) == OPENED_ROW
    assert stays_of(rows) == []


def test_without_lead_or_campaign_the_row_says_so() -> None:
    bare = OpportunityOpened(
        "o1", "a1", "x", Decimal(5), "CNY", date(2026, 6, 30), "SH01", "alice", "bidding", T0
    )
    row = the_row(fold(bare))
    assert (row["lead_id"], row["campaign_id"], row["stage"]) == (None, None, "bidding")


def test_the_rows_an_event_touches_are_its_opportunitys() -> None:
    assert list(funnel.keys(envelope(OPENED))) == [(funnel_opportunities, ("o1",))]


def test_each_stage_change_finishes_a_stay_in_order() -> None:
    rows = fold(OPENED, moved("bidding", T1, "prospecting"), moved("negotiation", T2, "bidding"))
    assert stays_of(rows) == [
        {
            "opportunity_id": "o1",
            "seq": 1,
            "branch": "SH01",
            "stage": "prospecting",
            "entered_at": T0,
            "left_at": T1,
            "next_stage": "bidding",
            "lost": False,
        },
        {
            "opportunity_id": "o1",
            "seq": 2,
            "branch": "SH01",
            "stage": "bidding",
            "entered_at": T1,
            "left_at": T2,
            "next_stage": "negotiation",
            "lost": False,
        },
    ]
    assert the_row(rows) == OPENED_ROW | {
        "stage": "negotiation",
        "stage_entered_at": T2,
        "stay_seq": 3,
    }
    assert set(rows.changed[opportunity_stays.name]) == {("o1", 1), ("o1", 2)}


def test_a_deal_moved_back_a_stage_records_where_it_went() -> None:
    rows = fold(OPENED, moved("bidding", T1), moved("prospecting", T2))
    assert [(s["stage"], s["next_stage"], s["lost"]) for s in stays_of(rows)] == [
        ("prospecting", "bidding", False),
        ("bidding", "prospecting", False),
    ]
    row = the_row(rows)
    assert (row["stage"], row["status"], row["closed_at"]) == ("prospecting", "open", None)


def test_reaching_won_by_a_stage_change_closes_it_as_won() -> None:
    rows = fold(OPENED, moved("won", T1))
    assert the_row(rows) == OPENED_ROW | {
        "stage": "won",
        "stage_entered_at": T1,
        "stay_seq": 2,
        "status": "won",
        "closed_at": T1,
    }
    assert [(s["stage"], s["next_stage"]) for s in stays_of(rows)] == [("prospecting", "won")]


def test_won_takes_the_final_amount_and_the_moment() -> None:
    won = OpportunityWon(
        "o1", "a1", "SH01", "alice", Decimal("1100.25"), "CNY", (), (), "l1", "c1", T2
    )
    rows = fold(OPENED, won)
    assert the_row(rows) == OPENED_ROW | {
        "status": "won",
        "amount": Decimal("1100.25"),
        "closed_at": T2,
    }
    assert stays_of(rows) == []


def test_a_lost_deal_ends_its_stay_as_lost_with_reason_and_competitor() -> None:
    lost = OpportunityLost(
        "o1",
        "SH01",
        "alice",
        Decimal("1200.50"),
        "bidding",
        "competitor",
        "Acme",
        Decimal("999.90"),
        "c1",
        T2,
    )
    rows = fold(OPENED, moved("bidding", T1), lost)
    assert the_row(rows) == OPENED_ROW | {
        "stage": "bidding",
        "stage_entered_at": T1,
        "stay_seq": 2,
        "status": "lost",
        "closed_at": T2,
        "lost_reason": "competitor",
        "lost_stage": "bidding",
        "competitor": "Acme",
        "competitor_price": Decimal("999.90"),
    }
    assert stays_of(rows)[-1] == {
        "opportunity_id": "o1",
        "seq": 2,
        "branch": "SH01",
        "stage": "bidding",
        "entered_at": T1,
        "left_at": T2,
        "next_stage": None,
        "lost": True,
    }


def test_a_deal_lost_without_a_competitor_has_no_price() -> None:
    lost = OpportunityLost(
        "o1", "SH01", "alice", Decimal(1), "prospecting", "timing", None, None, None, T1
    )
    row = the_row(fold(OPENED, lost))
    assert (row["competitor"], row["competitor_price"], row["lost_reason"]) == (
        None,
        None,
        "timing",
    )


def test_suspension_and_reactivation_change_only_the_status_and_finish_no_stay() -> None:
    rows = fold(OPENED, OpportunitySuspended("o1", "budget freeze", T1))
    assert the_row(rows) == OPENED_ROW | {"status": "suspended"}
    fold(OpportunityReactivated("o1", 20, None, T2), rows=rows)
    assert the_row(rows) == OPENED_ROW
    assert stays_of(rows) == []


def test_details_owner_and_quotes_are_kept_up_to_date() -> None:
    rows = fold(
        OPENED,
        OpportunityDetailsUpdated("o1", "Valves too", Decimal("1500"), date(2026, 7, 31), (), T1),
        OpportunityOwnerChanged("o1", "alice", "bob", "left", None, T1),
        OpportunityQuoteAdded(
            "o1", "q1", 1, (), Decimal(10), Decimal(9), Decimal(10), False, Decimal(15), T1
        ),
        OpportunityQuoteAdded(
            "o1", "q2", 2, (), Decimal(10), Decimal(9), Decimal(10), False, Decimal(15), T2
        ),
    )
    assert the_row(rows) == OPENED_ROW | {
        "name": "Valves too",
        "amount": Decimal("1500"),
        "expected_close": date(2026, 7, 31),
        "owner_id": "bob",
        "quotes": 2,
    }


def test_an_event_it_does_not_follow_changes_nothing() -> None:
    rows = Rows({funnel_opportunities.name: {("o1",): dict(OPENED_ROW)}})
    activity = OpportunityActivityLogged("o1", "v1", "visit", "alice", Decimal(0), "", T1)
    funnel.evolve(rows, envelope(activity))
    assert not rows.changed
    assert the_row(rows) == OPENED_ROW


def test_events_of_an_unknown_opportunity_are_ignored() -> None:
    rows = fold(moved("bidding", T1), OpportunitySuspended("o1", "x", T1))
    assert list(rows.all(funnel_opportunities)) == []
    assert stays_of(rows) == []
    assert not rows.changed


def test_competitors_are_tracked_updated_and_removed() -> None:
    rows = fold(
        OPENED,
        OpportunityCompetitorTracked("o1", "Acme", Decimal("950.5"), "price", T1),
        OpportunityCompetitorTracked("o1", "Zeta", None, "relationship", T1),
    )
    assert sorted(rows.all(opportunity_competitors), key=lambda c: c["competitor"]) == [
        {"opportunity_id": "o1", "competitor": "Acme", "their_quote": Decimal("950.5")},
        {"opportunity_id": "o1", "competitor": "Zeta", "their_quote": None},
    ]
    fold(OpportunityCompetitorRemoved("o1", "Acme", T2), rows=rows)
    assert list(rows.all(opportunity_competitors)) == [
        {"opportunity_id": "o1", "competitor": "Zeta", "their_quote": None}
    ]
    assert rows.get(opportunity_competitors, ("o1", "Acme")) is None
    assert ("o1", "Acme") in rows.changed[opportunity_competitors.name]
    # tracking a competitor leaves the opportunity's own row alone
    assert the_row(rows) == OPENED_ROW


def test_competitors_are_tracked_even_before_the_opportunity_is_known() -> None:
    rows = fold(OpportunityCompetitorTracked("o9", "Acme", Decimal(3), "s", T1))
    assert list(rows.all(opportunity_competitors)) == [
        {"opportunity_id": "o9", "competitor": "Acme", "their_quote": Decimal(3)}
    ]
