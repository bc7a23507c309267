"""Sales settings: a configurable pipeline that ends with won, and the quote discount threshold."""

from datetime import UTC, datetime
from decimal import Decimal
from itertools import pairwise

import pytest
from crm_events.opportunities import PipelineStage, SalesSettingsChanged
from crm_opportunities.domain.settings import (
    DEFAULTS,
    ChangeSalesSettings,
    SalesSettings,
    sales_settings,
    stream_id,
)
from crm_platform.testing import Spec
from hypothesis import given, settings
from hypothesis import strategies as st

T0 = datetime(2027, 3, 1, tzinfo=UTC)
T1 = datetime(2027, 4, 1, tzinfo=UTC)
D = Decimal
SPEC = Spec(sales_settings)


def pipeline(*stages: tuple[str, int | str]) -> tuple[PipelineStage, ...]:
    return tuple(PipelineStage(name, D(p)) for name, p in stages)


SHORT = pipeline(("offer", 50), ("won", 100))
LONG = pipeline(("lead", 5), ("demo", 20), ("bidding", 40), ("contract", 90), ("won", 100))


def change(
    pipe: tuple[PipelineStage, ...] | None = None,
    threshold: Decimal | None = None,
    scope: str = "company",
) -> ChangeSalesSettings:
    return ChangeSalesSettings(scope, pipe, threshold, T0)


def test_the_default_pipeline_and_threshold() -> None:
    default = pipeline(("prospecting", 10), ("bidding", 40), ("negotiation", 70), ("won", 100))
    assert SalesSettings(default, D(10)) == DEFAULTS
    assert SPEC.state() == SalesSettings(None, None)


def test_the_company_sets_its_pipeline_and_threshold() -> None:
    SPEC.then(change(LONG, D(12)), [SalesSettingsChanged("company", LONG, D(12), T0)])


def test_a_branch_overrides_only_the_threshold() -> None:
    SPEC.then(
        change(None, D("7.5"), scope="SH01"),
        [SalesSettingsChanged("SH01", None, D("7.5"), T0)],
    )


def test_the_shortest_pipeline_is_one_stage_then_won() -> None:
    SPEC.then(change(SHORT), [SalesSettingsChanged("company", SHORT, None, T0)])


@pytest.mark.parametrize(
    "pipe",
    [
        pipeline(("a", 10), ("b", 10), ("won", 100)),
        pipeline(("a", 100), ("won", 100)),
        pipeline(("a", "0.5"), ("won", 100)),
        pipeline(("a", 1), ("won", 100)),
        pipeline(("Won", 50), ("won", 100)),
    ],
    ids=["equal", "hundred-before-won", "half-percent", "one-percent", "case-differs"],
)
def test_probabilities_may_stay_level_and_lie_in_0_to_100(pipe: tuple[PipelineStage, ...]) -> None:
    SPEC.then(change(pipe), [SalesSettingsChanged("company", pipe, None, T0)])


@pytest.mark.parametrize(
    ("pipe", "rule"),
    [
        (pipeline(("won", 100)), "at least two stages"),
        ((), "at least two stages"),
        (pipeline(("a", 10), ("b", 100)), "ends with won"),
        (pipeline(("won", 100), ("a", 100)), "ends with won"),
        (pipeline(("a", 10), ("a", 20), ("won", 100)), "distinct"),
        (pipeline(("a", 10), ("won", 100), ("won", 100)), "distinct"),
        (pipeline(("lost", 10), ("won", 100)), "not 'lost'"),
        (pipeline(("a", 0), ("won", 100)), "above 0"),
        (pipeline(("a", "-10"), ("won", 100)), "above 0"),
        (pipeline(("a", 10), ("b", 0), ("won", 100)), "above 0"),
        (pipeline(("a", "100.5"), ("won", 100)), "won is 100"),
        (pipeline(("a", 150), ("won", 100)), "won is 100"),
        (pipeline(("a", 10), ("won", 90)), "won is 100"),
        (pipeline(("a", 10), ("won", "100.01")), "won is 100"),
        (pipeline(("a", 50), ("b", 40), ("won", 100)), "must not fall"),
        (pipeline(("a", 10), ("b", 40), ("c", 30), ("won", 100)), "must not fall"),
    ],
)
def test_a_pipeline_breaking_a_rule_is_refused(pipe: tuple[PipelineStage, ...], rule: str) -> None:
    SPEC.refuses(change(pipe, D(10)), field="pipeline", match=rule)


@pytest.mark.parametrize("threshold", [D(0), D("0.5"), D(1), D(100)])
def test_the_discount_threshold_is_a_percentage(threshold: Decimal) -> None:
    SPEC.then(change(None, threshold), [SalesSettingsChanged("company", None, threshold, T0)])


@pytest.mark.parametrize("threshold", [D("-0.01"), D(-5), D("100.01"), D(250)])
def test_a_discount_threshold_outside_0_to_100_is_refused(threshold: Decimal) -> None:
    SPEC.refuses(
        change(SHORT, threshold),
        field="discount_threshold_percent",
        match="^The discount threshold is a percentage",
    )


def test_an_unknown_command_is_a_programming_error() -> None:
    with pytest.raises(AssertionError):
        sales_settings.decide(object(), SalesSettings())


def test_settings_that_change_nothing_record_nothing() -> None:
    given = SPEC.given(SalesSettingsChanged("company", SHORT, D(12), T0))
    given.then(change(SHORT, D(12)), [])
    SPEC.then(change(), [])


@pytest.mark.parametrize(
    ("pipe", "threshold"), [(LONG, D(12)), (SHORT, D(15)), (None, D(12)), (SHORT, None)]
)
def test_settings_that_change_something_are_recorded(
    pipe: tuple[PipelineStage, ...] | None, threshold: Decimal | None
) -> None:
    given = SPEC.given(SalesSettingsChanged("company", SHORT, D(12), T0))
    given.then(change(pipe, threshold), [SalesSettingsChanged("company", pipe, threshold, T0)])


def test_each_change_replaces_both_settings() -> None:
    first = SalesSettingsChanged("SH01", LONG, D(12), T0)
    assert SPEC.given(first).state() == SalesSettings(LONG, D(12))
    second = SalesSettingsChanged("SH01", None, D(8), T1)
    assert SPEC.given(first, second).state() == SalesSettings(None, D(8))
    third = SalesSettingsChanged("SH01", SHORT, None, T1)
    assert SPEC.given(first, second, third).state() == SalesSettings(SHORT, None)


def test_a_branch_falls_back_to_the_company_then_to_the_defaults() -> None:
    company = SalesSettings(LONG, None)
    assert SalesSettings(None, None).over(company).over(DEFAULTS) == SalesSettings(LONG, D(10))
    assert SalesSettings(None, D(5)).over(company).over(DEFAULTS) == SalesSettings(LONG, D(5))
    assert SalesSettings(SHORT, None).over(SalesSettings(LONG, D(12))) == SalesSettings(
        SHORT, D(12)
    )
    assert SalesSettings(SHORT, D(0)).over(DEFAULTS) == SalesSettings(SHORT, D(0))
    assert SalesSettings(None, None).over(SalesSettings(None, None)) == SalesSettings(None, None)


def test_the_streams_of_company_and_branch_settings() -> None:
    assert stream_id("company") == "sales-settings-company"
    assert stream_id("SH01") == "sales-settings-SH01"


# --- law: any rising pipeline that ends with won at 100 % is accepted, any fall refused ------------

names = st.lists(
    st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12).filter(
        lambda n: n not in {"won", "lost"}
    ),
    min_size=1,
    max_size=8,
    unique=True,
)


@settings(max_examples=100, deadline=None)
@given(names=names, data=st.data())
def test_a_pipeline_is_accepted_exactly_when_it_never_falls(
    names: list[str], data: st.DataObject
) -> None:
    percents = data.draw(
        st.lists(
            st.decimals(min_value=D("0.01"), max_value=100, places=2),
            min_size=len(names),
            max_size=len(names),
        )
    )
    pipe = tuple(PipelineStage(n, p) for n, p in zip(names, percents, strict=True))
    pipe += (PipelineStage("won", D(100)),)
    rising = all(a <= b for a, b in pairwise(percents))
    if rising:
        SPEC.then(change(pipe), [SalesSettingsChanged("company", pipe, None, T0)])
    else:
        SPEC.refuses(change(pipe), field="pipeline", match="must not fall")
