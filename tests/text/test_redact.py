from __future__ import annotations

import pytest

from csops.text.redact import Redactor, luhn_ok


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to jane.doe@acme.com please", "write to [email] please"),
        ("call +1 415-555-0199 today", "call [phone] today"),
        ("card 4111 1111 1111 1111 was charged", "card [card] was charged"),
        ("order 4111 1111 1111 1112 failed", "order 4111 1111 1111 1112 failed"),  # not Luhn
        ("see https://app.example.com/reset?token=abc123 now", "see [url] now"),
        (
            "see https://status.example.com/incidents now",
            "see https://status.example.com/incidents now",
        ),
        ("since 2026-03-01 it fails", "since 2026-03-01 it fails"),
        ("we have 25 seats", "we have 25 seats"),
    ],
)
def test_personal_data_is_replaced(text: str, expected: str) -> None:
    assert Redactor().redact(text) == expected


def test_contact_names_are_redacted_case_sensitively() -> None:
    redactor = Redactor.for_names(["Mark Olsen", "Al"])
    assert (
        redactor.redact("Mark Olsen said to mark it; Al agreed")
        == "[name] [name] said to mark it; Al agreed"
    )


def test_blank_replacement_for_vectorising() -> None:
    assert Redactor(blank="").redact("mail bo@x.io now") == "mail  now"


def test_luhn() -> None:
    assert luhn_ok("4111111111111111")
    assert not luhn_ok("4111111111111112")
