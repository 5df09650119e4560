"""Revenue metrics pinned against hand-computed examples (DESIGN.md "Metric definitions")."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from csops.domain.revenue import (
    AccountMovement,
    Line,
    Movement,
    Movements,
    annualised,
    movements,
    mrr_on,
)

D = Decimal
# Most cases use a period that starts and ends mid-month: a = 15 Jan, b = 15 Feb.
A = date(2024, 1, 15)
B = date(2024, 2, 15)


def line(mrr: str, start: str, end: str | None = None, account: str = "x") -> Line:
    return Line(
        account, D(mrr), date.fromisoformat(start), None if end is None else date.fromisoformat(end)
    )


@pytest.mark.parametrize(
    ("lines", "day", "expected"),
    [
        # Starts that day: start_date is inclusive.
        ([line("100", "2024-01-15")], "2024-01-15", {"x": D(100)}),
        # Ends that day: end_date is exclusive, the line's last day was the 14th.
        ([line("100", "2023-01-01", "2024-01-15")], "2024-01-15", {}),
        ([line("100", "2023-01-01", "2024-01-15")], "2024-01-14", {"x": D(100)}),
        # Not started yet.
        ([line("100", "2024-01-16")], "2024-01-15", {}),
        # Several lines of one account add up: 50 + 30.25 = 80.25.
        ([line("50", "2023-01-01"), line("30.25", "2023-06-01")], "2024-01-15", {"x": D("80.25")}),
        # A free line alone gives no MRR; beside a paid line it adds 0: 40 + 0 = 40.
        ([line("0", "2023-01-01")], "2024-01-15", {}),
        ([line("0", "2023-01-01"), line("40", "2023-01-01")], "2024-01-15", {"x": D(40)}),
        # A line that ends the day it starts is never active.
        ([line("100", "2024-01-15", "2024-01-15")], "2024-01-15", {}),
        # Accounts are kept apart: y 70, z 20.
        (
            [line("70", "2023-01-01", account="y"), line("20", "2023-01-01", account="z")],
            "2024-01-15",
            {"y": D(70), "z": D(20)},
        ),
    ],
)
def test_mrr_on_a_day(lines: list[Line], day: str, expected: dict[str, Decimal]) -> None:
    assert mrr_on(lines, date.fromisoformat(day)) == expected


@pytest.mark.parametrize(
    ("lines", "kind", "m0", "m1", "amount"),
    [
        # Brand-new account starting mid-period: 0 → 100, never had MRR: new 100.
        ([line("100", "2024-01-20")], Movement.NEW, "0", "100", "100"),
        # Starts on b itself (start inclusive): new 100.
        ([line("100", "2024-02-15")], Movement.NEW, "0", "100", "100"),
        # Starts on a itself: active on a and on b, 100 → 100: flat.
        ([line("100", "2024-01-15")], Movement.FLAT, "100", "100", "0"),
        # Several lines: on a 50 + 30 = 80; the 30 ends 1 Feb and a 40 starts 1 Feb, so on
        # b 50 + 40 = 90: expansion 90 - 80 = 10.
        (
            [
                line("50", "2023-06-01"),
                line("30", "2023-09-01", "2024-02-01"),
                line("40", "2024-02-01"),
            ],
            Movement.EXPANSION,
            "80",
            "90",
            "10",
        ),
        # Upgrade replacing a line on the same day (1 Feb): 100 → 150, no overlap, no gap:
        # expansion 50.
        (
            [line("100", "2023-01-01", "2024-02-01"), line("150", "2024-02-01")],
            Movement.EXPANSION,
            "100",
            "150",
            "50",
        ),
        # The same replacement on b: the old line is not active on b, only the new one is.
        (
            [line("100", "2023-01-01", "2024-02-15"), line("150", "2024-02-15")],
            Movement.EXPANSION,
            "100",
            "150",
            "50",
        ),
        # Downgrade: 100 → 60: contraction 40.
        (
            [line("100", "2023-01-01", "2024-02-01"), line("60", "2024-02-01")],
            Movement.CONTRACTION,
            "100",
            "60",
            "40",
        ),
        # Churn mid-period: 100 → 0: churn 100.
        ([line("100", "2023-03-01", "2024-02-01")], Movement.CHURN, "100", "0", "100"),
        # Ends exactly on b (exclusive): not active on b: churn 100.
        ([line("100", "2023-03-01", "2024-02-15")], Movement.CHURN, "100", "0", "100"),
        # Downgrade to a free plan: 100 → 0 is churn, not contraction.
        (
            [line("100", "2023-01-01", "2024-02-01"), line("0", "2024-02-01")],
            Movement.CHURN,
            "100",
            "0",
            "100",
        ),
        # Win-back: paid Jan-May 2023, back from 10 Feb 2024: 0 → 80: reactivation 80.
        (
            [line("100", "2023-01-01", "2023-06-01"), line("80", "2024-02-10")],
            Movement.REACTIVATION,
            "0",
            "80",
            "80",
        ),
        # Ends exactly on a: not active on a (m0 = 0), but it was active on 14 Jan, before a:
        # back at 120 on 1 Feb is reactivation 120.
        (
            [line("100", "2023-01-01", "2024-01-15"), line("120", "2024-02-01")],
            Movement.REACTIVATION,
            "0",
            "120",
            "120",
        ),
        # A free line before a is not MRR: its first paid month is new, 0 → 40.
        (
            [line("0", "2023-01-01", "2023-12-01"), line("40", "2024-02-01")],
            Movement.NEW,
            "0",
            "40",
            "40",
        ),
        # A free line still running does not count either: 0 → 40 new.
        ([line("0", "2023-01-01"), line("40", "2024-02-01")], Movement.NEW, "0", "40", "40"),
        # A paid line before a that ends the day it starts was never active: new 40.
        (
            [line("100", "2023-05-01", "2023-05-01"), line("40", "2024-02-01")],
            Movement.NEW,
            "0",
            "40",
            "40",
        ),
        # Churned on 20 Jan and back on 1 Feb at the same 100: only a and b are looked at,
        # so 100 → 100 is flat.
        (
            [line("100", "2023-01-01", "2024-01-20"), line("100", "2024-02-01")],
            Movement.FLAT,
            "100",
            "100",
            "0",
        ),
    ],
)
def test_account_movement(lines: list[Line], kind: Movement, m0: str, m1: str, amount: str) -> None:
    result = movements(lines, A, B)
    assert result.accounts == (AccountMovement("x", kind, D(m0), D(m1)),)
    assert result.accounts[0].amount == D(amount)
    assert result.reconciles


@pytest.mark.parametrize(
    "lines",
    [
        # Free all along: no MRR on a or b, so no movement to report.
        [line("0", "2023-01-01")],
        # Gone before a: MRR neither on a nor on b.
        [line("100", "2023-01-01", "2024-01-15")],
        # Started and ended inside the period: never seen on a or on b.
        [line("100", "2024-01-20", "2024-02-10")],
    ],
)
def test_account_without_mrr_on_a_or_b_has_no_movement(lines: list[Line]) -> None:
    assert movements(lines, A, B).accounts == ()


# A small book, 10 Mar → 10 Apr 2024. On a: acme 100, globex 200, initech 50, umbrella 150,
# Σm0 = 500 over 4 accounts. Moves: acme upgrades to 120 (expansion 20), globex downgrades
# to 150 (contraction 50), initech churns (churn 50), umbrella stays (flat), hooli is new at
# 80, stark (paid in 2023) comes back at 60 (reactivation 60).
BOOK = [
    line("100", "2023-01-01", "2024-03-20", "acme"),
    line("120", "2024-03-20", None, "acme"),
    line("200", "2023-02-01", "2024-04-01", "globex"),
    line("150", "2024-04-01", None, "globex"),
    line("50", "2023-03-01", "2024-04-01", "initech"),
    line("150", "2023-04-01", None, "umbrella"),
    line("80", "2024-03-25", None, "hooli"),
    line("60", "2023-01-01", "2023-07-01", "stark"),
    line("60", "2024-04-05", None, "stark"),
]


@pytest.mark.parametrize(
    ("figure", "expected"),
    [
        ("start_mrr", D(500)),  # 100 + 200 + 50 + 150
        ("end_mrr", D(560)),  # 120 + 150 + 0 + 150 + 80 + 60
        ("new", D(80)),
        ("reactivation", D(60)),
        ("expansion", D(20)),
        ("contraction", D(50)),
        ("churn", D(50)),
        ("accounts_start", 4),
        ("accounts_churned", 1),
        ("grr", D("0.8")),  # (500 - 50 - 50) / 500 = 400 / 500
        ("nrr", D("0.84")),  # (120 + 150 + 0 + 150) / 500 = 420 / 500
        ("logo_churn_rate", D("0.25")),  # 1 churned / 4 at start
        ("reconciles", True),  # 500 + 80 + 60 + 20 - 50 - 50 = 560
    ],
)
def test_small_book_figures(figure: str, expected: object) -> None:
    assert getattr(movements(BOOK, date(2024, 3, 10), date(2024, 4, 10)), figure) == expected


def test_small_book_classifies_each_account_once() -> None:
    result = movements(BOOK, date(2024, 3, 10), date(2024, 4, 10))
    assert {a.account_id: a.kind for a in result.accounts} == {
        "acme": Movement.EXPANSION,
        "globex": Movement.CONTRACTION,
        "hooli": Movement.NEW,
        "initech": Movement.CHURN,
        "stark": Movement.REACTIVATION,
        "umbrella": Movement.FLAT,
    }
    assert [result.count(kind) for kind in Movement] == [1, 1, 1, 1, 1, 1]


@pytest.mark.parametrize(
    "lines",
    [
        [],  # empty book
        [line("80", "2024-01-20")],  # only a new account: end MRR 80 but nothing at start
        [line("0", "2023-01-01")],  # only a free account
    ],
)
def test_rates_are_none_without_starting_mrr(lines: list[Line]) -> None:
    result = movements(lines, A, B)
    assert (result.start_mrr, result.accounts_start) == (D(0), 0)
    assert (result.nrr, result.grr, result.logo_churn_rate) == (None, None, None)
    assert result.reconciles


@pytest.mark.parametrize(
    ("monthly", "annual"),
    [
        ("0", "0"),  # 1 - 1^12
        ("0.1", "0.717570463519"),  # 1 - 0.9^12 = 1 - 0.282429536481
        ("0.5", "0.999755859375"),  # 1 - 1/4096 = 1 - 0.000244140625
        ("1", "1"),  # 1 - 0^12
    ],
)
def test_annualised_compounds_a_monthly_loss_rate(monthly: str, annual: str) -> None:
    assert annualised(D(monthly)) == D(annual)


@pytest.mark.parametrize("rate", ["-0.01", "1.01", "NaN"])
def test_annualised_rejects_a_rate_outside_0_to_1(rate: str) -> None:
    with pytest.raises(ValueError, match="lies in"):
        annualised(D(rate))


@pytest.mark.parametrize(
    ("mrr", "start", "end", "message"),
    [
        (D("-1"), date(2024, 1, 1), None, "Decimal >= 0"),
        (D("NaN"), date(2024, 1, 1), None, "Decimal >= 0"),
        (1.5, date(2024, 1, 1), None, "Decimal >= 0"),  # money is never a float
        (D(1), date(2024, 1, 2), date(2024, 1, 1), "before it starts"),
    ],
)
def test_line_rejects_what_the_contract_forbids(
    mrr: Decimal, start: date, end: date | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Line("x", mrr, start, end)


def test_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        movements([], B, A)


def _random_book(rng: random.Random, origin: date) -> list[Line]:
    book = []
    for account in range(rng.randint(0, 8)):
        for _ in range(rng.randint(1, 4)):
            start = origin + timedelta(days=rng.randint(0, 120))
            end = None if rng.random() < 0.3 else start + timedelta(days=rng.randint(0, 90))
            cents = 0 if rng.random() < 0.15 else rng.randint(1, 50_000)
            book.append(Line(f"a{account}", D(cents).scaleb(-2), start, end))
    return book


@pytest.mark.parametrize("seed", range(300))
def test_random_books_reconcile(seed: int) -> None:
    rng = random.Random(seed)
    origin = date(2024, 1, 1)
    book = _random_book(rng, origin)
    a = origin + timedelta(days=rng.randint(0, 150))
    b = a + timedelta(days=rng.randint(0, 60))
    result: Movements = movements(book, a, b)

    assert result.reconciles
    assert result.start_mrr == sum(mrr_on(book, a).values(), D(0))
    assert result.end_mrr == sum(mrr_on(book, b).values(), D(0))
    if result.grr is None:
        assert result.start_mrr == 0
    else:
        assert D(0) <= result.grr <= D(1)
        assert result.logo_churn_rate is not None and D(0) <= result.logo_churn_rate <= D(1)
        # DESIGN.md gives NRR two ways; both must agree.
        net = result.start_mrr - result.churn - result.contraction + result.expansion
        assert result.nrr == net / result.start_mrr
    # "Had MRR before a", checked the slow way: MRR on every day from the origin to a - 1.
    had_mrr = set().union(
        *(mrr_on(book, origin + timedelta(days=d)) for d in range((a - origin).days))
    )
    for account in result.accounts:
        if account.kind in (Movement.NEW, Movement.REACTIVATION):
            assert (account.kind is Movement.REACTIVATION) == (account.account_id in had_mrr)
