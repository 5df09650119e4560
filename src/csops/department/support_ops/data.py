"""Reading tickets and account context from the warehouse (the I/O edge of Support Ops).

Everything is read as known at an instant: comments up to it, subscription lines as known
on its day (`lines_known`), ARR = 12 x MRR on that day.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import duckdb

from csops.analytics.sql_models import compile_model
from csops.department.support_ops.timeline import Comment, TicketRecord


@dataclass(frozen=True)
class AccountContext:
    account_id: str
    name: str
    segment: str | None
    owner_email: str | None
    arr: Decimal
    plan: str | None  # the plan of the account's largest line
    renewal_on: date | None  # the nearest term end after the day (start + billing periods)

    def days_to_renewal(self, day: date) -> int | None:
        return None if self.renewal_on is None else (self.renewal_on - day).days


def day_of(at: datetime) -> date:
    """The day an instant belongs to; the end of day D (midnight after it) is D's."""
    return (at - timedelta(microseconds=1)).date()


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_term_end(start: date, period_months: int, day: date) -> date:
    """The first term end strictly after `day` for a line started on `start`."""
    period = max(period_months, 1)
    # Jump close, then step: whole periods elapsed by `day`.
    elapsed = (day.year - start.year) * 12 + day.month - start.month
    k = max(1, elapsed // period)
    end = add_months(start, k * period)
    while end <= day:
        k += 1
        end = add_months(start, k * period)
    while k > 1 and add_months(start, (k - 1) * period) > day:
        k -= 1
        end = add_months(start, k * period)
    return end


def load_accounts(con: duckdb.DuckDBPyConnection, day: date) -> dict[str, AccountContext]:
    lines = compile_model("lines_known", "duckdb", {"as_of": day})
    rows = con.execute(
        f"""
        WITH lines AS ({lines})
        SELECT a.account_id, a.name, a.segment, a.owner_email,
               l.mrr, l.plan, l.start_date, l.billing_period_months, l.end_date
        FROM accounts AS a LEFT JOIN lines AS l ON l.account_id = a.account_id
        ORDER BY a.account_id, l.mrr DESC NULLS LAST, l.subscription_id
        """
    ).fetchall()
    result: dict[str, AccountContext] = {}
    mrr: dict[str, Decimal] = {}
    plans: dict[str, str | None] = {}
    renewals: dict[str, date] = {}
    names: dict[str, tuple[str, str | None, str | None]] = {}
    for account_id, name, segment, owner, line_mrr, plan, start, period, end in rows:
        names[account_id] = (name, segment, owner)
        if line_mrr is None or (end is not None and end <= day):
            continue  # no line, or a line that has ended by the day (end is exclusive)
        mrr[account_id] = mrr.get(account_id, Decimal(0)) + Decimal(line_mrr)
        plans.setdefault(account_id, plan)
        renewal = next_term_end(start, int(period or 1), day)
        if end is not None:
            renewal = min(renewal, end)  # a known end date comes first
        if account_id not in renewals or renewal < renewals[account_id]:
            renewals[account_id] = renewal
    for account_id, (name, segment, owner) in names.items():
        result[account_id] = AccountContext(
            account_id,
            name,
            segment or None,
            owner or None,
            12 * mrr.get(account_id, Decimal(0)),
            plans.get(account_id),
            renewals.get(account_id),
        )
    return result


def load_tickets(
    con: duckdb.DuckDBPyConnection,
    at: datetime,
    created_from: datetime | None = None,
    ticket_id: str | None = None,
) -> list[TicketRecord]:
    """Tickets created by `at`: those created since `created_from` and every ticket still
    unsolved at `at` (all of them when `created_from` is None), with their comments up to
    `at`. `ticket_id` picks one."""
    where = ["t.created_at <= $at"]
    params: dict[str, object] = {"at": at}
    if ticket_id is not None:
        where.append("t.ticket_id = $ticket_id")
        params["ticket_id"] = ticket_id
    elif created_from is not None:
        where.append("(t.created_at >= $since OR t.solved_at IS NULL OR t.solved_at > $at)")
        params["since"] = created_from
    picked = f"SELECT * FROM tickets AS t WHERE {' AND '.join(where)}"
    comments: dict[str, list[Comment]] = {}
    for tid, kind, created, body, public, status in con.execute(
        f"""
        SELECT c.ticket_id, c.author_kind, c.created_at, c.body, c.public,
               json_extract_string(c.attributes, '$.status')
        FROM ticket_comments AS c JOIN ({picked}) AS t USING (ticket_id)
        WHERE c.created_at <= $at
        ORDER BY c.ticket_id, c.created_at, c.comment_key
        """,
        params,
    ).fetchall():
        # The contract leaves `public` optional: a comment not marked private is public.
        comment = Comment(created, kind, public is not False, body or "", status or None)
        comments.setdefault(tid, []).append(comment)
    records = []
    for row in con.execute(
        f"""
        SELECT ticket_id, account_id, created_at, priority, channel, status, category,
               subject, body, first_reply_at, solved_at
        FROM ({picked}) ORDER BY created_at, ticket_id
        """,
        params,
    ).fetchall():
        tid, account, created, priority, channel, status, category, subject, body, fr, solved = row
        records.append(
            TicketRecord(
                ticket_id=tid,
                account_id=account,
                created_at=created,
                comments=tuple(comments.get(tid, ())),
                priority=priority or None,
                channel=channel or None,
                status=status or None,
                category=category or None,
                subject=subject or "",
                body=body or "",
                first_reply_at=fr,
                solved_at=solved,
            )
        )
    return records
