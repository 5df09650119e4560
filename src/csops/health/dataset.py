"""Feature rows and labels from one warehouse session, cached per day.

`HealthData(con, until)` reads what is known by the end of `until` (the command's as-of
day) and nothing later: every feature day and every label's horizon end must be <= it.
Opening it aggregates the events of the year before `until` (every command scores that
day) and takes the company's event vocabulary from them; other days are aggregated when
their features are first asked for.

Event vocabularies: a model trained as of day X uses the vocabulary known on X (the most
frequent types of the year up to X: a backtest origin's own, never the as-of day's), and
a stored model is scored with its own. A day's features are computed once, with the
per-type columns of every vocabulary asked for so far (the vocabularies of many days
come from one scan, `vocabularies`, so a backtest asks for all of its origins' first);
each request takes the columns of its own vocabulary. A vocabulary asked for after a day
was computed adds its missing types to that day from the day's event windows only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from functools import cached_property

import duckdb
import numpy as np
import numpy.typing as npt

from csops.health.calibration import fit_calibrator_sigmoid
from csops.health.event_windows import (
    prepare_event_windows,
    vocabularies_on,
    vocabulary_of_windows,
)
from csops.health.features import (
    FeatureFrame,
    add_types,
    concat,
    feature_names,
    features_on,
    with_types,
)
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
        self._vocabularies: dict[date, list[str]] = {until: self.vocabulary}
        # Every event type asked for so far, in the order first asked for: the per-type
        # columns a day's features are computed with (`_frames[day]` has `_types[day]`).
        self._wanted: list[str] = list(self.vocabulary)
        self._frames: dict[date, FeatureFrame] = {}
        self._types: dict[date, set[str]] = {}

    @cached_property
    def first_day(self) -> date | None:
        """The day of the first event known on `until`."""
        end = until_end(self.until)
        row = self.con.execute(
            f"SELECT CAST(MIN(occurred_at) AS DATE) FROM events WHERE occurred_at < {end}"
        ).fetchall()[0]
        return row[0] if isinstance(row[0], date) else None

    def vocabularies(self, days: Iterable[date]) -> dict[date, list[str]]:
        """The event vocabulary known on each of `days` (its most frequent event types
        over the 365 days up to it), those not known yet from one scan of the events; they
        are asked for from then on (see the module docstring)."""
        wanted = sorted(set(days))
        if wanted and wanted[-1] > self.until:
            raise ValueError(f"the vocabulary of {wanted[-1]} is not known on {self.until}")
        missing = [d for d in wanted if d not in self._vocabularies]
        self._vocabularies.update(vocabularies_on(self.con, missing))
        found = {d: self._vocabularies[d] for d in wanted}
        for vocabulary in found.values():
            self._want(vocabulary)
        return found

    def vocabulary_on(self, day: date) -> list[str]:
        """The event vocabulary known on `day` (`self.vocabulary` on `until`)."""
        return self.vocabularies([day])[day]

    def feature_names(self, vocabulary: Sequence[str] | None = None) -> list[str]:
        """The columns of `frame(day, vocabulary)`."""
        return feature_names(self.vocabulary if vocabulary is None else vocabulary)

    def frame(self, day: date, vocabulary: Sequence[str] | None = None) -> FeatureFrame:
        """The features of every account active on `day`, with the per-type features of
        `vocabulary` (default: the vocabulary of `until`)."""
        types = self.vocabulary if vocabulary is None else list(vocabulary)
        return with_types(self._full(day, types), types)

    def _want(self, types: Iterable[str]) -> None:
        known = set(self._wanted)
        self._wanted += [t for t in dict.fromkeys(types) if t not in known]

    def _full(self, day: date, types: Sequence[str] = ()) -> FeatureFrame:
        """The features of `day` with the per-type columns of every type asked for (at
        least `types`): computed once; a type asked for later is added to it."""
        if day > self.until:
            raise ValueError(f"features of {day} are not known on {self.until}")
        self._want(types)
        if day not in self._frames:
            self._frames[day] = features_on(self.con, day, self._wanted)
            self._types[day] = set(self._wanted)
        elif not self._types[day].issuperset(types):
            more = [t for t in self._wanted if t not in self._types[day]]
            self._frames[day] = add_types(self.con, self._frames[day], day, more)
            self._types[day].update(more)
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
            per_day = max(len(self._full(days[-1])), 1)
            keep = max(MIN_OBSERVATION_DAYS, MAX_TRAINING_ROWS // per_day)
            days = days[-min(keep, MAX_OBSERVATION_DAYS) :]
        return days, MAX_TRAINING_ROWS // max(len(days), 1)

    def training_frames(self, as_of: date, horizon_days: int) -> list[FeatureFrame]:
        """The (sampled) rows of every observation day, oldest day first, with the event
        vocabulary known on `as_of`."""
        vocabulary = self.vocabulary_on(as_of)
        days, limit = self.observation_plan(as_of, horizon_days)
        frames = (self.frame(d, vocabulary) for d in days)
        return [take_rows(f, sample_rows(f, limit)) for f in frames]

    def labelled_frames(
        self, as_of: date, horizon_days: int
    ) -> tuple[list[FeatureFrame], list[npt.NDArray[np.float64]]]:
        """The frames of `training_frames` and, for each, whether each of its accounts
        churned within `horizon_days` (1.0) or not (0.0), as known on `as_of`."""
        frames = self.training_frames(as_of, horizon_days)
        days = [f.days[0] for f in frames if len(f)]
        known = churned_after(self.con, as_of, days, horizon_days)
        labels = [
            np.fromiter(
                (known.get(k, False) for k in zip(f.account_ids, f.days, strict=True)),
                dtype=np.float64,
                count=len(f),
            )
            for f in frames
        ]
        return frames, labels

    def training_set(
        self, as_of: date, horizon_days: int
    ) -> tuple[FeatureFrame, npt.NDArray[np.float64]]:
        """Rows of every observation day whose outcome is known on `as_of`."""
        frames, labels = self.labelled_frames(as_of, horizon_days)
        if not frames:
            names = self.feature_names(self.vocabulary_on(as_of))
            empty = FeatureFrame([], [], names, np.empty((0, len(names))))
            return empty, np.zeros(0)
        return concat(frames), np.concatenate(labels)

    def train(self, as_of: date, horizon_days: int, card: Scorecard) -> ChurnModel:
        """A model of the history known on `as_of`, its event vocabulary included."""
        vocabulary = self.vocabulary_on(as_of)
        frame, y = self.training_set(as_of, horizon_days)
        model = train_churn_model(frame, y, as_of=as_of, horizon_days=horizon_days)
        model.metadata["event_types"] = list(vocabulary)
        if not model.trusted and len(set(y.tolist())) > 1:
            # The scorecard decides: its score becomes a probability through a sigmoid
            # fitted on the same history (scored day by day, as the cohorts were).
            days, limit = self.observation_plan(as_of, horizon_days)
            risk = np.concatenate(
                [
                    scorecard_risk(score(card, f))[sample_rows(f, limit)]
                    for f in (self.frame(d, vocabulary) for d in days)
                ]
            )
            model.metadata["scorecard_calibrator"] = fit_calibrator_sigmoid(risk, y).to_json()
        return model
