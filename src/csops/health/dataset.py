"""Feature rows and labels from one warehouse session, cached per day.

`HealthData(con, until)` reads what is known by the end of `until` (the command's as-of
day) and nothing later: every feature day and every label's horizon end must be <= it.
Opening it aggregates the events of the year before `until` (every command scores that
day) and takes the company's event vocabulary from them; other days are aggregated when
their features are first asked for.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cached_property

import duckdb
import numpy as np
import numpy.typing as npt

from csops.health.calibration import fit_calibrator_sigmoid
from csops.health.event_windows import prepare_event_windows, vocabulary_of_windows
from csops.health.features import FeatureFrame, concat, features_on
from csops.health.labels import churned_after
from csops.health.model import ChurnModel, observation_days, train_churn_model
from csops.health.scorecard import Scorecard, score
from csops.health.scoring import scorecard_risk

# Two 28-day windows of history before the first observation day (trends need both).
WARM_UP_DAYS = 56
MAX_OBSERVATION_DAYS = 24
# Large companies train on fewer (the most recent) observation days, and beyond
# MIN_OBSERVATION_DAYS on a sample of each day's accounts, so the training matrix stays
# around MAX_TRAINING_ROWS rows whatever the company's size. Each observation day costs a
# pass over a year of events; enough days are kept for a purged time split and
# calibration folds (see model.py).
MAX_TRAINING_ROWS = 300_000
MIN_OBSERVATION_DAYS = 8


def sample_rows(frame: FeatureFrame, limit: int) -> npt.NDArray[np.int64]:
    """At most `limit` rows of a day's frame, in account order: all of them, or a random
    sample seeded by the day (the same data gives the same sample)."""
    if len(frame) <= limit:
        return np.arange(len(frame), dtype=np.int64)
    rng = np.random.default_rng(frame.days[0].toordinal())
    return np.sort(rng.choice(len(frame), size=limit, replace=False)).astype(np.int64)


def take_rows(frame: FeatureFrame, rows: npt.NDArray[np.int64]) -> FeatureFrame:
    if len(rows) == len(frame):
        return frame
    keep = rows.tolist()
    return FeatureFrame(
        [frame.account_ids[i] for i in keep],
        [frame.days[i] for i in keep],
        frame.names,
        frame.values[rows],
        {k: [v[i] for i in keep] for k, v in frame.categories.items()},
    )


def until_end(day: date) -> str:
    """The first instant after `day`, as a SQL timestamp."""
    return f"TIMESTAMP '{(day + timedelta(days=1)).isoformat()}'"


class HealthData:
    def __init__(self, con: duckdb.DuckDBPyConnection, until: date) -> None:
        self.con = con
        self.until = until
        prepare_event_windows(con, until)
        self.vocabulary = vocabulary_of_windows(con)
        self._frames: dict[date, FeatureFrame] = {}

    @cached_property
    def first_day(self) -> date | None:
        """The day of the first event known on `until`."""
        end = until_end(self.until)
        row = self.con.execute(
            f"SELECT CAST(MIN(occurred_at) AS DATE) FROM events WHERE occurred_at < {end}"
        ).fetchall()[0]
        return row[0] if isinstance(row[0], date) else None

    def frame(self, day: date) -> FeatureFrame:
        if day > self.until:
            raise ValueError(f"features of {day} are not known on {self.until}")
        if day not in self._frames:
            self._frames[day] = features_on(self.con, day, self.vocabulary)
        return self._frames[day]

    def observation_plan(
        self, as_of: date, horizon_days: int, step_days: int = 30
    ) -> tuple[list[date], int]:
        """The observation days of a training set whose outcomes are known on `as_of`, and
        the most rows (accounts) to take from each."""
        last = as_of - timedelta(days=horizon_days)
        first = (self.first_day or last) + timedelta(days=WARM_UP_DAYS)
        days = observation_days(first, last, step_days)
        if days:
            per_day = max(len(self.frame(days[-1])), 1)
            keep = max(MIN_OBSERVATION_DAYS, MAX_TRAINING_ROWS // per_day)
            days = days[-min(keep, MAX_OBSERVATION_DAYS) :]
        return days, MAX_TRAINING_ROWS // max(len(days), 1)

    def training_frames(self, as_of: date, horizon_days: int) -> list[FeatureFrame]:
        """The (sampled) rows of every observation day, oldest day first."""
        days, limit = self.observation_plan(as_of, horizon_days)
        return [take_rows(f, sample_rows(f, limit)) for f in map(self.frame, days)]

    def training_set(
        self, as_of: date, horizon_days: int
    ) -> tuple[FeatureFrame, npt.NDArray[np.float64]]:
        """Rows of every observation day whose outcome is known on `as_of`."""
        frames = self.training_frames(as_of, horizon_days)
        if not frames:
            names = self.frame(self.until).names
            empty = FeatureFrame([], [], names, np.empty((0, len(names))))
            return empty, np.zeros(0)
        days = [f.days[0] for f in frames if len(f)]
        labels = churned_after(self.con, as_of, days, horizon_days)
        stacked = concat(frames)
        keys = zip(stacked.account_ids, stacked.days, strict=True)
        y = np.fromiter((labels.get(k, False) for k in keys), dtype=np.float64, count=len(stacked))
        return stacked, y

    def train(self, as_of: date, horizon_days: int, card: Scorecard) -> ChurnModel:
        frame, y = self.training_set(as_of, horizon_days)
        model = train_churn_model(frame, y, as_of=as_of, horizon_days=horizon_days)
        model.metadata["event_types"] = list(self.vocabulary)
        if not model.trusted and len(set(y.tolist())) > 1:
            # The scorecard decides: its score becomes a probability through a sigmoid
            # fitted on the same history (scored day by day, as the cohorts were).
            days, limit = self.observation_plan(as_of, horizon_days)
            risk = np.concatenate(
                [
                    scorecard_risk(score(card, f))[sample_rows(f, limit)]
                    for f in map(self.frame, days)
                ]
            )
            model.metadata["scorecard_calibrator"] = fit_calibrator_sigmoid(risk, y).to_json()
        return model
