from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from crm_service_desk.domain.queue import in_queue_order
from hypothesis import given
from hypothesis import strategies as st

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
RANK = {"A": 0, "B": 1, "C": 2}


@dataclass(frozen=True)
class Item:
    ticket_id: str
    grade: str
    deadline: datetime
    opened_at: datetime


def item(ticket_id: str, grade: str, deadline_h: int, opened_h: int = 0) -> Item:
    return Item(ticket_id, grade, T0 + timedelta(hours=deadline_h), T0 + timedelta(hours=opened_h))


def test_when_two_customers_complain_at_once_the_higher_grade_comes_first() -> None:
    c, a = item("c", "C", 10), item("a", "A", 72)
    assert in_queue_order([c, a]) == [a, c]


def test_same_grade_by_deadline_then_by_opening() -> None:
    late, early = item("late", "B", 50), item("early", "B", 40)
    first, second = item("x", "B", 40, opened_h=-2), item("y", "B", 40, opened_h=-1)
    assert in_queue_order([late, second, early, first]) == [first, second, early, late]


def test_an_unknown_grade_queues_with_c() -> None:
    odd, c = item("odd", "?", 5), item("c", "C", 6)
    b = item("b", "B", 100)
    assert in_queue_order([c, odd, b]) == [b, odd, c]


items = st.builds(
    item,
    st.text("xyz", min_size=1, max_size=3),
    st.sampled_from("ABC"),
    st.integers(0, 200),
    st.integers(-100, 0),
)


@given(st.lists(items, max_size=30), st.randoms(use_true_random=False))
def test_the_order_is_total_and_follows_grade_then_deadline(
    tickets: list[Item], rnd: object
) -> None:
    ordered = in_queue_order(tickets)
    shuffled = list(tickets)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert sorted(map(id, ordered)) == sorted(map(id, tickets))
    assert [vars(t) for t in in_queue_order(shuffled)] == [vars(t) for t in ordered]
    for x, y in pairwise(ordered):
        assert RANK[x.grade] <= RANK[y.grade]
        if x.grade == y.grade:
            assert x.deadline <= y.deadline
            if x.deadline == y.deadline:
                assert x.opened_at <= y.opened_at
