"""The product's event vocabulary: which plan unlocks an event, how common it is, and the
properties it carries. Index positions are used as compact codes during generation."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from csops.demo.catalog import PLANS


@dataclass(frozen=True, slots=True)
class EventType:
    name: str
    min_tier: int  # lowest plan tier where the feature exists
    weight: float  # relative frequency among events that follow a login; 0 = never sampled
    property_share: float = 0.0  # share of events that carry properties
    properties: tuple[dict[str, str | bool], ...] = ()
    needs_integration: bool = False  # only after the account's first integration
    needs_report: bool = False  # only after the account's first report


def _teams() -> tuple[dict[str, str | bool], ...]:
    return tuple({"team": t} for t in ("finance", "sales", "marketing", "ops", "product", "hr"))


EVENT_TYPES: tuple[EventType, ...] = (
    EventType("login", 0, 0.0),
    EventType(
        "dashboard_viewed",
        0,
        30.0,
        0.5,
        tuple({"dashboard": d} for d in ("overview", "pipeline", "revenue", "ops")),
    ),
    EventType("search_performed", 0, 13.0),
    EventType("report_created", 0, 6.0, 0.8, _teams(), needs_report=True),
    EventType(
        "report_exported",
        0,
        5.0,
        1.0,
        tuple({"format": f} for f in ("csv", "csv", "xlsx", "pdf")),
        needs_report=True,
    ),
    EventType("comment_added", 0, 8.0),
    EventType("file_uploaded", 0, 4.0),
    EventType("mobile_session", 0, 5.0, 1.0, ({"os": "ios"}, {"os": "android"})),
    EventType("user_invited", 0, 0.0, 1.0, ({"role": "member"},)),
    EventType(
        "integration_connected",
        0,
        0.25,
        1.0,
        tuple(
            {"integration": i}
            for i in ("salesforce", "hubspot", "slack", "snowflake", "bigquery", "jira", "zendesk")
        ),
    ),
    EventType(
        "data_source_added",
        0,
        0.8,
        1.0,
        tuple({"source": s} for s in ("postgres", "mysql", "s3", "google_sheets", "snowflake")),
        needs_integration=True,
    ),
    EventType(
        "admin_settings_changed",
        0,
        0.7,
        1.0,
        tuple({"setting": s} for s in ("timezone", "branding", "permissions", "notifications")),
    ),
    EventType(
        "plan_limit_reached",
        0,
        0.0,
        1.0,
        ({"limit": "seats"}, {"limit": "api_calls"}, {"limit": "reports"}),
    ),
    EventType("api_call", 1, 9.0, needs_integration=True),
    EventType("workflow_created", 1, 1.8, 0.7, _teams(), needs_integration=True),
    EventType("workflow_run", 1, 7.0, needs_integration=True),
    EventType("alert_configured", 1, 1.4, 1.0, ({"channel": "email"}, {"channel": "slack"})),
    EventType(
        "export_scheduled",
        2,
        1.6,
        1.0,
        (
            {"format": "csv", "frequency": "weekly"},
            {"format": "xlsx", "frequency": "monthly"},
            {"format": "csv", "frequency": "daily"},
        ),
        needs_report=True,
    ),
    EventType("ai_insights_used", 2, 3.5, 0.3, _teams()),
    EventType("audit_log_viewed", 3, 0.9),
    EventType("sso_configured", 3, 0.0, 1.0, ({"provider": "okta"}, {"provider": "azure_ad"})),
)
EVENT_INDEX: dict[str, int] = {e.name: i for i, e in enumerate(EVENT_TYPES)}
TRIAL_PROPERTY = {"trial": True}


def _property_table() -> tuple[tuple[str, ...], tuple[tuple[int, ...], ...]]:
    values: list[str] = [json.dumps(TRIAL_PROPERTY, sort_keys=True)]
    per_type: list[tuple[int, ...]] = []
    for event in EVENT_TYPES:
        codes: list[int] = []
        for prop in event.properties:
            text = json.dumps(prop, sort_keys=True)
            if text not in values:
                values.append(text)
            codes.append(values.index(text))
        per_type.append(tuple(codes))
    return tuple(values), tuple(per_type)


PROPERTY_VALUES, PROPERTY_CODES = _property_table()
TRIAL_CODE = 0


def type_cdf() -> npt.NDArray[np.float64]:
    """Cumulative sampling weights of post-login events, one row per plan tier."""
    weights = np.array(
        [[e.weight if e.min_tier <= p.tier else 0.0 for e in EVENT_TYPES] for p in PLANS]
    )
    cdf: npt.NDArray[np.float64] = np.cumsum(weights, axis=1)
    return cdf / cdf[:, -1:]


def higher_tier_cdf() -> npt.NDArray[np.float64]:
    """Per tier: sampling weights of features that only exist on the next tier up."""
    rows = []
    for plan in PLANS:
        row = [e.weight if e.min_tier == plan.tier + 1 else 0.0 for e in EVENT_TYPES]
        if sum(row) == 0:
            row = [e.weight if e.min_tier <= plan.tier else 0.0 for e in EVENT_TYPES]
        rows.append(row)
    cdf: npt.NDArray[np.float64] = np.cumsum(np.array(rows), axis=1)
    return cdf / cdf[:, -1:]


MIN_TIER = np.array([e.min_tier for e in EVENT_TYPES], dtype=np.int64)
NEEDS_INTEGRATION = np.array([e.needs_integration for e in EVENT_TYPES])
NEEDS_REPORT = np.array([e.needs_report for e in EVENT_TYPES])
PROPERTY_SHARE = np.array([e.property_share for e in EVENT_TYPES])
