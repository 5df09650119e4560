"""Feature rows and labels from one warehouse session, cached per day.

`HealthData(con, until)` reads what is known by the end of `until` (the command's as-of
day) and nothing later: every feature day and every label's horizon end must be <= it.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import numpy.typing as npt

from csops.health.calibration import fit_calibrator_sigmoid
from csops.health.features import (
    FeatureFrame,
    concat,
    event_vocabulary,
    features_on,
    first_event_day,
    prepare_events,
)
from csops.health.labels import churned_after
from csops.health.model import ChurnModel, observation_days, train_churn_model
from csops.health.scorecard import Scorecard, score
from csops.health.scoring import scorecard_risk

# Two 28-day windows of history before the first observation day (trends need both).
WARM_UP_DAYS = 56
MAX_OBSERVATION_DAYS = 24
# Large companies train on fewer (the most recent) observation days, so the training
# matrix stays around this many rows whatever the company's size.
MAX_TRAINING_ROWS = 300_000
MIN_OBSERVATION_DAYS = 4


class HealthData:
    def __init__(self, con: duckdb.DuckDBPyConnection, until: date) -> None:
        self.con = con
        self.until = until
        prepare_events(con, until)
        self.vocabulary = event_vocabulary(con, until)
        self.first_day = first_event_day(con)
        self._frames: dict[date, FeatureFrame] = {}

    def frame(self, day: date) -> FeatureFrame:
        if day > self.until:
            raise ValueError(f"features of {day} are not known on {self.until}")
        if day not in self._frames:
            self._frames[day] = features_on(self.con, day, self.vocabulary)
        return self._frames[day]

    def training_set(
        self, as_of: date, horizon_days: int, step_days: int = 30
    ) -> tuple[FeatureFrame, npt.NDArray[np.float64]]:
        """Rows of every observation day whose outcome is known on `as_of`."""
        last = as_of - timedelta(days=horizon_days)
        first = (self.first_day or last) + timedelta(days=WARM_UP_DAYS)
        days = observation_days(first, last, step_days)
        if days:
            per_day = max(len(self.frame(days[-1])), 1)
            keep = max(MIN_OBSERVATION_DAYS, MAX_TRAINING_ROWS // per_day)
            days = days[-min(keep, MAX_OBSERVATION_DAYS) :]
        labels = churned_after(self.con, as_of, days, horizon_days)
        frames = [self.frame(d) for d in days]
        if not frames:
            names = self.frame(self.until).names
            empty = FeatureFrame([], [], names, np.empty((0, len(names))))
            return empty, np.zeros(0)
        stacked = concat(frames)
        y = np.array(
            [
                float(labels.get((a, d), False))
                for a, d in zip(stacked.account_ids, stacked.days, strict=True)
            ]
        )
        return stacked, y

    def train(self, as_of: date, horizon_days: int, card: Scorecard) -> ChurnModel:
        frame, y = self.training_set(as_of, horizon_days)
        model = train_churn_model(frame, y, as_of=as_of, horizon_days=horizon_days)
        model.metadata["event_types"] = list(self.vocabulary)
        if not model.trusted and len(set(y.tolist())) > 1:
            # The scorecard decides: its score becomes a probability through a sigmoid
            # fitted on the same history (scored day by day, as the cohorts were).
            risk = np.concatenate(
                [scorecard_risk(score(card, self.frame(d))) for d in sorted(set(frame.days))]
            )
            model.metadata["scorecard_calibrator"] = fit_calibrator_sigmoid(risk, y).to_json()
        return model
