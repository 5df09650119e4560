"""Pure expansion rules with hand-computed expectations: outcomes, renewals, the plan
ladder, thresholds, expected ARR, owners, rules likelihood, config errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from csops.department.expansion.config import ExpansionConfigError, Threshold, load_config
from csops.department.expansion.frame import AccountFacts, Usage
from csops.department.expansion.ladder import infer_ladder
from csops.department.expansion.likelihood import TrainingSet, fit_scorer
from csops.department.expansion.lines import Line, outcome_sql, paying_sql
from csops.department.expansion.owners import Seat, assign_owners
from csops.department.expansion.scripts import talk_track
from csops.department.expansion.signals import Assessment, Signal, growth, resolve
from csops.department.expansion.value import expected_value

T = date(2026, 1, 1)


def lines_table(lines: list[Line]) -> duckdb.DuckDBPyConnection:
    """A DuckDB session with the lines as the table `lines` (lines_known's columns)."""
    con = duckdb.connect()
    con.register(
        "given",
        pa.table(
            {
                "subscription_id": [f"s{i}" for i in range(len(lines))],
                "account_id": [x.account_id for x in lines],
                "plan": [x.plan for x in lines],
                "product": [x.product for x in lines],
                "mrr": pa.array([x.mrr for x in lines], pa.decimal128(20, 6)),
                "seats": pa.array([x.seats for x in lines], pa.int64()),
                "start_date": pa.array([x.start_date for x in lines], pa.date32()),
                "end_date": pa.array([x.end_date for x in lines], pa.date32()),
                "billing_period_months": [x.billing_period_months for x in lines],
            }
        ),
    )
    con.execute("CREATE TABLE lines AS SELECT * FROM given").fetchall()
    return con


def line(
    mrr: str,
    start: date,
    end: date | None = None,
    seats: int | None = 10,
    plan: str = "Team",
    term: int = 1,
    account: str = "a",
) -> Line:
    return Line(account, plan, "Core", Decimal(mrr), seats, start, end, term)


@pytest.mark.parametrize(
    ("lines", "expanded", "added_mrr", "added_seats"),
    [
        # upgrade on day 30: the old line ends as the new one starts
        (
            [line("100", date(2025, 1, 1), date(2026, 1, 31)), line("180", date(2026, 1, 31))],
            True,
            Decimal(80),
            0,
        ),
        # seats up at the same price (a discount): seats count as expansion
        (
            [
                line("100", date(2025, 1, 1), date(2026, 2, 1)),
                line("100", date(2026, 2, 1), seats=12),
            ],
            True,
            Decimal(0),
            2,
        ),
        # a renewal at the same price and seats is no expansion
        (
            [line("100", date(2025, 1, 1), date(2026, 2, 1)), line("100", date(2026, 2, 1))],
            False,
            Decimal(0),
            0,
        ),
        # a rise on day 91 is outside the 90-day horizon
        (
            [line("100", date(2025, 1, 1), date(2026, 4, 2)), line("150", date(2026, 4, 2))],
            False,
            Decimal(0),
            0,
        ),
        # a rise on day 90 is inside
        (
            [line("100", date(2025, 1, 1), date(2026, 4, 1)), line("150", date(2026, 4, 1))],
            True,
            Decimal(50),
            0,
        ),
        # an add-on line on top
        (
            [line("100", date(2025, 1, 1)), line("20", date(2026, 3, 1), seats=None)],
            True,
            Decimal(20),
            0,
        ),
    ],
)
def test_outcome_is_mrr_or_seats_up_within_horizon(
    lines: list[Line], expanded: bool, added_mrr: Decimal, added_seats: int
) -> None:
    rows = lines_table(lines).execute(outcome_sql("lines", T, 90)).fetchall()
    # an account with no line starting in the horizon has no row: it did not expand
    got = (rows[0][1], rows[0][2], rows[0][3]) if rows else (False, Decimal(0), 0)
    assert got == (expanded, added_mrr, added_seats)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([line("100", date(2025, 6, 15), term=12)], date(2026, 6, 15)),
        ([line("100", date(2023, 6, 15), term=12)], date(2026, 6, 15)),  # third renewal
        ([line("100", date(2025, 6, 15), term=1)], None),  # monthly: no renewal talk
        ([line("100", date(2025, 1, 1), term=12)], date(2027, 1, 1)),  # renews on t itself
        # a term from the 29th of February ends on the last day of shorter Februaries
        ([line("100", date(2024, 2, 29), term=12)], date(2026, 2, 28)),
        ([line("100", date(2025, 1, 31), term=12)], date(2026, 1, 31)),  # later in t's month
        # the earliest over the paying lines; a free line has no renewal talk
        (
            [
                line("100", date(2024, 9, 1), term=24),
                line("50", date(2025, 3, 10), term=12),
                line("0", date(2025, 1, 15), term=12),
            ],
            date(2026, 3, 10),
        ),
    ],
)
def test_next_renewal(lines: list[Line], expected: date | None) -> None:
    rows = lines_table(lines).execute(f"SELECT renewal FROM ({paying_sql('lines', T)})").fetchall()
    assert rows == [(expected,)]


def test_main_line_seats_and_mrr_on_a_day() -> None:
    lines = [
        line("100", date(2025, 1, 1), seats=5, plan="Team"),
        line("300", date(2025, 6, 1), seats=10, plan="Business"),  # the largest: main
        line("300", date(2025, 8, 1), seats=3, plan="Zeta"),  # same MRR, later: not main
        line("40", date(2025, 1, 1), date(2026, 1, 1), seats=8),  # ended on t: not counted
        line("0", date(2025, 1, 1), seats=50, plan="Sandbox"),  # free: not counted
    ]
    sql = f"SELECT mrr, seats, plan, line_mrr, line_seats FROM ({paying_sql('lines', T)})"
    assert lines_table(lines).execute(sql).fetchall() == [
        (Decimal(700), 18, "Business", Decimal(300), 10)
    ]


def test_ladder_orders_plans_by_median_price_per_seat() -> None:
    lines = [
        line("500", T, seats=10, plan="Pro"),  # 50 per seat
        line("300", T, seats=5, plan="Pro"),  # 60
        line("700", T, seats=10, plan="Pro"),  # 70 -> median 60
        line("100", T, seats=5, plan="Basic"),  # 20
        line("900", T, seats=10, plan="Max"),  # 90
        line("0", T, seats=10, plan="Free"),  # free lines are not on the ladder
    ]
    ladder = infer_ladder(lines)
    assert [
        (s.plan, s.rank, s.per_seat) for s in sorted(ladder.steps.values(), key=lambda s: s.rank)
    ] == [
        ("Basic", 0, Decimal("20.00")),
        ("Pro", 1, Decimal("60.00")),
        ("Max", 2, Decimal("90.00")),
    ]
    nxt = ladder.next_step("Core", "Pro")
    assert nxt is not None and nxt.plan == "Max"
    assert ladder.next_step("Core", "Max") is None
    assert ladder.next_step("Core", "Unknown") is None


def test_ladder_falls_back_to_price_per_line_without_seats() -> None:
    ladder = infer_ladder(
        [line("300", T, seats=None, plan="Gold"), line("100", T, seats=None, plan="Silver")]
    )
    nxt = ladder.next_step("Core", "Silver")
    assert nxt is not None and nxt.plan == "Gold" and nxt.per_seat is None
    assert nxt.per_line == Decimal("300.00")


@pytest.mark.parametrize(
    ("setting", "values", "expected"),
    [
        (Threshold(threshold=0.7), [0.1, 5.0], 0.7),
        (Threshold(percentile=75, min_threshold=0.0), [1.0, 2.0, 3.0, 4.0], 3.25),
        (Threshold(percentile=75, min_threshold=0.8), [0.1, 0.2, 0.3, 0.4], 0.8),
        (Threshold(percentile=50, min_threshold=0.2), [], 0.2),
    ],
)
def test_threshold_from_the_company_distribution(
    setting: Threshold, values: list[float], expected: float
) -> None:
    assert resolve(setting, values) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("now", "before", "baseline", "expected"),
    [(30, 20, 10, 0.5), (10, 20, 10, -0.5), (30, 9, 10, None), (5, 0, 0, None)],
)
def test_growth_needs_a_baseline(
    now: int, before: int, baseline: int, expected: float | None
) -> None:
    assert growth(now, before, baseline) == expected


def _assessment(
    signals: tuple[str, ...], users: int, seats: int, mrr: str, plan: str
) -> Assessment:
    lines = [
        line("200", T, seats=4, plan="Team", account="x"),
        line("800", T, seats=10, plan="Business", account="y"),
    ]
    ladder = infer_ladder(lines)
    own = line(mrr, T, seats=seats, plan=plan, account="a")
    facts = AccountFacts(
        "a", "A", None, None, None, own.mrr, own, Usage(users, 0, 0, 0, 0, ()), None, (), None
    )
    return Assessment(
        facts=facts,
        signals=tuple(Signal(s, 1.0, "") for s in signals),
        seats=seats,
        seat_utilisation=users / seats,
        growth_28=None,
        growth_90=None,
        renewal=None,
        plan=ladder.step("Core", plan),
        next_plan=ladder.next_step("Core", plan),
        higher_features=(),
        new_groups=(),
    )


@pytest.mark.parametrize(
    ("signals", "users", "seats", "mrr", "plan", "arr", "route"),
    [
        # upgrade: Business 80/seat x max(4 seats, 5 users) - 200 = 200 MRR -> 2400 ARR
        (("plan_limit",), 5, 4, "200", "Team", "2400.00", "upgrade"),
        # seats: 12 users on 10 seats at 50/seat: 2 missing x 50 x 12 = 1200
        (("seat_utilisation",), 12, 10, "500", "Team", "1200.00", "seats"),
        # seats fired at 9 of 10: at least 10% of the seats, 1 x 50 x 12 = 600
        (("seat_utilisation",), 9, 10, "500", "Team", "600.00", "seats"),
        # growth only: the larger route; upgrade 80 x 10 - 500 = 300 -> 3600
        (("usage_growth_28",), 3, 10, "500", "Team", "3600.00", "upgrade"),
        # top plan with no missing seats: nothing to add
        (("promoter_nps",), 3, 10, "800", "Business", "0", "none"),
    ],
)
def test_expected_added_arr(
    signals: tuple[str, ...], users: int, seats: int, mrr: str, plan: str, arr: str, route: str
) -> None:
    value = expected_value(_assessment(signals, users, seats, mrr, plan))
    assert (value.added_arr, value.route) == (Decimal(arr), route)


def test_owner_balancing_respects_capacity() -> None:
    seats = [
        Seat("a1", "ann", "SMB", "NA", True, 900.0),
        Seat("a2", "ann", "SMB", "NA", True, 800.0),
        Seat("a3", "ann", "SMB", "NA", True, 700.0),  # ann is full: goes to cat (same book)
        Seat("a4", "ann", "SMB", "NA", True, 600.0),  # cat full too: dan (same segment)
        Seat("a5", "ann", "SMB", "NA", True, 500.0),  # dan's second
        Seat("a6", "ann", "SMB", "NA", True, 400.0),  # everyone full
        Seat("c1", "cat", "SMB", "NA", False, 0.0),
        Seat("d1", "dan", "SMB", "EMEA", False, 0.0),
        Seat("e1", "eve", "Enterprise", "NA", False, 0.0),  # another segment: never used
        Seat("n1", None, "SMB", "NA", False, 0.0),
    ]
    result = assign_owners(seats, lambda owner: 2 if owner != "cat" else 1)
    assert {k: v.owner for k, v in result.items()} == {
        "a1": "ann",
        "a2": "ann",
        "a3": "cat",
        "a4": "dan",
        "a5": "dan",
        "a6": None,
        "c1": "cat",
        "d1": "dan",
        "e1": "eve",
        "n1": None,
    }
    assert result["a3"].note == "rebalanced from ann (at capacity)"
    assert result["a6"].note.startswith("unassigned")


def test_rules_likelihood_is_noisy_or_of_signal_weights() -> None:
    config = load_config()
    scorer = fit_scorer(TrainingSet([[0.0] * 11], [False], [T]), config)
    assert scorer.method == "rules"
    fired = {"seat_utilisation": [True, False], "higher_plan_features": [True, False]}
    # 1 - (1 - 0.05) x (1 - 0.25) x (1 - 0.2) = 0.43; no signal: the base rate
    assert scorer.score(np.zeros((2, 11)), fired).tolist() == pytest.approx([0.43, 0.05])
    assert scorer.flag_threshold == pytest.approx(0.075)


def test_learned_likelihood_when_enough_positive_examples() -> None:
    config = load_config()
    rows = [[float(i % 2)] + [0.0] * 10 for i in range(80)]
    labels = [i % 2 == 1 for i in range(80)]
    scorer = fit_scorer(TrainingSet(rows, labels, [T] * 80), config)
    assert scorer.method == "learned"
    assert scorer.base_rate == 0.5
    assert scorer.describe()["coefficients"]["seat_utilisation"] > 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("signals: {seat_utilisation: {percentile: 120}}", "signals.seat_utilisation.percentile"),
        ("signals: {seat_utilization: {}}", "signals.seat_utilization: Extra inputs"),
        ("likelihood: {rule_weights: {seat_use: 0.2}}", "unknown signal(s) seat_use"),
        ("owners: [1, 2]", "owners: Input should be"),
        ("signals: [", "not valid YAML"),
    ],
)
def test_broken_config_names_file_key_and_why(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "expansion.yaml"
    path.write_text(text)
    with pytest.raises(ExpansionConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(str(path)) and expected in str(info.value)


def test_partial_config_keeps_the_other_defaults(tmp_path: Path) -> None:
    path = tmp_path / "expansion.yaml"
    path.write_text("signals: {plan_limit: {event_types: [limit_hit]}}\n")
    config = load_config(path)
    assert config.signals.plan_limit.event_types == ("limit_hit",)
    assert config.signals.seat_utilisation.min_threshold == 0.8
    assert config.likelihood.weight("plan_limit") == 0.3


def test_talk_track_uses_the_accounts_own_evidence() -> None:
    a = _assessment(("plan_limit",), 5, 4, "200", "Team")
    signal = Signal("plan_limit", 3.0, "plan limit hit 3 times, last on 2026-01-01")
    text = talk_track(a, signal, expected_value(a))
    assert "plan limit hit 3 times, last on 2026-01-01" in text
    assert "what Business adds" in text and "about 2,400 a year more" in text
    top = _assessment(("promoter_nps",), 3, 10, "800", "Business")
    assert "Explore which other teams" in talk_track(
        top, Signal("promoter_nps", 9, "NPS 9"), expected_value(top)
    )
