"""Invoices: one per billing period of every paid subscription line.

Monthly SMB contracts pay by card on the issue day; everything else is invoiced net 30 and
paid within weeks (later when the account is unhappy). A failed charge decided by the
lifecycle leaves a `failed` invoice; when the customer fixes it, a re-issued invoice for
the same period is paid. Invoices not paid by the end of history are `open`.
"""

from __future__ import annotations

import math

from csops.demo.dice import Dice
from csops.demo.records import Invoice
from csops.demo.story import Line, Story
from csops.demo.timeline import Calendar

HOUR = 3600


def _periods(line: Line, cal: Calendar) -> list[tuple[int, int]]:
    """(start, end) day offsets of the line's billing periods that overlap history."""
    stop = cal.days if line.end is None else min(line.end, cal.days)
    out: list[tuple[int, int]] = []
    k = 0
    while True:
        start = cal.shift_months(line.start, k * line.period)
        if start >= stop:
            return out
        end = cal.shift_months(line.start, (k + 1) * line.period)
        if line.end is not None:
            end = min(end, line.end)
        if end > 0:
            out.append((start, end))
        k += 1


def _paid_at(cal: Calendar, dice: Dice, issued: int, card: bool, health: float) -> int:
    if card:
        return cal.epoch(issued, dice.integer(1 * HOUR, 8 * HOUR))
    lag = math.exp(dice.normal(math.log(16), 0.5)) + (12 if health < -0.5 else 0)
    return cal.epoch(issued + int(min(lag, 80)), dice.integer(8 * HOUR, 20 * HOUR))


def invoices(story: Story, cal: Calendar, dice: Dice) -> list[Invoice]:
    card = story.account.segment.name == "SMB"
    rows: list[Invoice] = []
    for line in story.lines:
        if line.mrr <= 0:
            continue
        for start, end in _periods(line, cal):
            h = float(story.health[cal.month_of(start)])
            h = 0.0 if math.isnan(h) else h
            by_card = card and line.period == 1
            due = start if by_card else start + 30
            amount = round(line.mrr * line.period, 2)

            def invoice(
                issued: int,
                due: int,
                paid: int | None,
                status: str,
                line: Line = line,
                amount: float = amount,
                start: int = start,
                end: int = end,
            ) -> Invoice:
                if status == "paid" and (paid is None or paid >= cal.end_epoch):
                    status, paid = "open", None
                return Invoice(
                    "", line.subscription_id, amount, issued, due, paid, status, start, end
                )

            if start in story.failed_charges:
                rows.append(invoice(start, due, None, "failed"))
                recovered = story.failed_charges[start]
                if recovered is not None and recovered < cal.days:
                    paid = cal.epoch(recovered, dice.integer(9 * HOUR, 18 * HOUR))
                    rows.append(invoice(recovered, recovered + (0 if by_card else 7), paid, "paid"))
            elif dice.random() < 0.004:
                rows.append(invoice(start, due, None, "void"))
                fixed = min(start + 1, cal.days - 1)
                rows.append(invoice(fixed, due + 1, _paid_at(cal, dice, fixed, by_card, h), "paid"))
            else:
                rows.append(invoice(start, due, _paid_at(cal, dice, start, by_card, h), "paid"))
    rows.sort(key=lambda r: (r.issued, r.subscription_id, r.status != "failed"))
    for i, row in enumerate(rows, start=1):
        row.invoice_id = f"inv_{story.account.account_id[4:]}_{i:04d}"
    return rows
