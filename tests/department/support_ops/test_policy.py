"""Policies file: which policy applies, and errors that name the file and the key."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from csops.department.support_ops.policy import (
    PolicyError,
    TicketTraits,
    load_policies,
    parse_policies,
)

POLICIES = """
arr_bands:
  - {name: small, below: 10000}
  - {name: large}
policies:
  - name: vip-chat
    when: {arr_band: [large], channel: [chat]}
    hours: calendar
    targets: {first_reply: 15}
  - name: enterprise
    when: {segment: [Enterprise], plan: [Scale, Premium]}
    targets: {first_reply: {minutes: 60, hours: calendar}, resolution: 480}
  - name: urgent
    when: {priority: [urgent]}
    targets: {first_reply: 30}
  - name: everyone
    targets: {first_reply: 480}
"""


@pytest.mark.parametrize(
    ("traits", "policy"),
    [
        (TicketTraits("low", channel="Chat", arr=Decimal(20000)), "vip-chat"),
        (TicketTraits("low", channel="chat", arr=Decimal(9999)), "everyone"),
        (TicketTraits("low", segment="enterprise", plan="Scale"), "enterprise"),
        (TicketTraits("urgent", segment="Enterprise", plan="Starter"), "urgent"),
        (TicketTraits("URGENT"), "urgent"),
        (TicketTraits(None), "everyone"),
        (TicketTraits("low", segment=None, plan="Scale"), "everyone"),
    ],
)
def test_first_matching_policy_applies(traits: TicketTraits, policy: str) -> None:
    found = parse_policies(POLICIES, "p.yaml").policy_for(traits)
    assert found is not None and found.name == policy


def test_targets_take_the_policy_clock_unless_they_name_their_own() -> None:
    enterprise = parse_policies(POLICIES, "p.yaml").policies[1]
    assert not enterprise.targets["first_reply"].business
    assert enterprise.targets["resolution"].business
    assert enterprise.targets["resolution"].schedule.name == "business"


def test_no_policy_matches_without_a_catch_all() -> None:
    policies = parse_policies("policies: [{name: u, when: {priority: [urgent]}, "
                              "targets: {first_reply: 5}}]", "p.yaml")  # fmt: skip
    assert policies.policy_for(TicketTraits("low")) is None


def test_default_file_covers_every_priority() -> None:
    policies = load_policies()
    for priority in ("urgent", "high", "normal", "low", None):
        assert policies.policy_for(TicketTraits(priority)) is not None
    assert "pending" in policies.pause_statuses


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("policies: [{name: a, targets: {first_reply: -5}}]",
         "policies[0] (a).targets.first_reply.minutes: Input should be greater than 0"),
        ("policies: [{name: a, targets: {first_replyx: 5}}]",
         "policies[0] (a).targets.first_replyx"),
        ("policies: [{name: a, when: {prio: [x]}, targets: {first_reply: 5}}]",
         "policies[0] (a).when.prio: Extra inputs are not permitted"),
        ("policies: [{name: a, schedule: nope, targets: {first_reply: 5}}]",
         "policies[0] (a).schedule: no schedule named 'nope'"),
        ("schedules: {b: {timezone: Mars/X, hours: {mon: '09:00-17:00'}}}\n"
         "policies: [{name: a, targets: {first_reply: 5}}]",
         "schedules.b.timezone: unknown time zone 'Mars/X'"),
        ("schedules: {b: {hours: {mon: '9-17'}}}\npolicies: [{name: a, targets: {first_reply: 5}}]",
         "schedules.b.hours: mon: '9-17' is not a window like 09:00-17:00"),
        ("policies: [{name: a, when: {arr_band: [huge]}, targets: {first_reply: 5}}]",
         "policies[0] (a).when.arr_band: unknown band(s) huge"),
        ("arr_bands: [{name: a, below: 10}, {name: b, below: 5}]\n"
         "policies: [{name: a, targets: {first_reply: 5}}]",
         "arr_bands: `below` must increase"),
        ("policies: {", "line 1 is not valid YAML"),
        ("- 1", "expected a mapping"),
        ("policies: []", "policies: List should have at least 1 item"),
    ],
)  # fmt: skip
def test_bad_file_names_file_and_key(text: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policies(text, "/etc/sla.yaml")
    assert str(caught.value).startswith("/etc/sla.yaml")
    assert message in str(caught.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read"):
        load_policies(tmp_path / "absent.yaml")
