from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from crm_events.service_desk import CareContactLogged
from crm_platform.domain import DomainError
from crm_platform.testing import Spec
from crm_service_desk.domain.care import CareLog, LogCareContact, care

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(hours=2)
spec = Spec(care)
CALL = LogCareContact("c1", "a1", "SH01", "courtesy_call", "sam", "All fine", T0, LATER)
CALLED = CareContactLogged("c1", "a1", "SH01", "courtesy_call", "sam", "All fine", T0, LATER)


def test_a_courtesy_call_is_logged_with_when_it_happened_and_when_it_was_logged() -> None:
    spec.then(CALL, [CALLED])


def test_a_follow_up_may_name_its_ticket() -> None:
    follow = LogCareContact("c2", "a1", "SH01", "follow_up", "sam", "Works", T0, T0, ticket_id="t1")
    [logged] = spec.given(CALLED).when(follow)
    assert (logged.kind, logged.ticket_id) == ("follow_up", "t1")


def test_the_same_contact_is_logged_once() -> None:
    spec.given(CALLED).then(CALL, [])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "sales_pitch"}, "kind"),
        ({"at": LATER + timedelta(seconds=1)}, "at"),
        ({"note": " "}, "note"),
    ],
)
def test_bad_contacts_are_refused_naming_the_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(DomainError) as refused:
        spec.when(replace(CALL, **change))  # type: ignore[arg-type]
    assert refused.value.field == field


def test_the_log_keeps_every_contact_and_the_latest_moment() -> None:
    second = CareContactLogged(
        "c2", "a1", "SH01", "follow_up", "ann", "ok", T0 - timedelta(days=1), T0
    )
    state = care.fold([CALLED, second])
    assert state == CareLog("a1", "SH01", frozenset({"c1", "c2"}), T0)


def test_a_later_contact_moves_the_latest_moment_and_the_branch_along() -> None:
    later = CareContactLogged(
        "c2", "a1", "BJ02", "follow_up", "ann", "ok", T0 + timedelta(days=3), LATER
    )
    assert spec.given(CALLED, later).state() == CareLog(
        "a1", "BJ02", frozenset({"c1", "c2"}), T0 + timedelta(days=3)
    )


@dataclass(frozen=True)
class Stray:
    """Not a command of the care log."""


def test_an_unknown_command_is_a_programming_error_that_names_itself() -> None:
    with pytest.raises(AssertionError, match="Stray"):
        care.decide(Stray(), spec.state())  # type: ignore[arg-type]
