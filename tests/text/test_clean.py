from __future__ import annotations

import pytest

from csops.text.clean import clean_body, clean_message, clean_subject


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: Export failing", "Export failing"),
        ("RE: Fwd: Export failing", "Export failing"),
        ("URGENT: Export failing", "Export failing"),
        ("Export failing", "Export failing"),
    ],
)
def test_subject_loses_reply_prefixes_and_shouting(subject: str, expected: str) -> None:
    assert clean_subject(subject) == expected


def test_greeting_closing_and_signature_are_stripped() -> None:
    body = "Hi team,\n\nThe export downloads an empty file.\n\nKind regards,\nJane Doe\nOps, Acme"
    assert clean_body(body) == "The export downloads an empty file."


def test_quoted_reply_is_dropped() -> None:
    body = (
        "Still broken after the fix.\n\n> On Tue, Mar 3, 2026 at 10:12, Sam (Support) wrote:\n"
        "> Please clear your cache."
    )
    assert clean_body(body) == "Still broken after the fix."


def test_signature_block_without_closing_is_dropped() -> None:
    body = "Where do I find the ACS URL for SSO?\n\nJane Doe\nIT Administrator | Acme"
    assert clean_body(body) == "Where do I find the ACS URL for SSO?"


def test_question_paragraphs_are_kept() -> None:
    body = "The export fails.\n\nIt started yesterday. Can you help?"
    assert clean_body(body) == body


def test_message_joins_subject_and_body() -> None:
    assert (
        clean_message("Re: Login", "Hello,\nI cannot log in.\nThanks,\nBo")
        == "Login\nI cannot log in."
    )
