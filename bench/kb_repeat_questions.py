"""Benchmark and quality check of repeat-question discovery on the demo company.

    python bench/kb_repeat_questions.py --accounts 300 --months 18
    python bench/kb_repeat_questions.py --accounts 3000 --months 18   # ~18k tickets
    python bench/kb_repeat_questions.py --accounts 9000 --months 24 --sample 50000  # 50k

Generates the demo company's files (no ingest: the clustering is what is measured), while
recording each ticket's true topic by wrapping the generator's conversation. The topic is
known only to the generator (tickets carry no topic key; `category` is a coarse group, set
on half the tickets), so it is used here for scoring and never by the product.

Prints: tickets, questions found, time, peak memory (RSS), adjusted Rand index, NMI and
purity against the true topics, share of tickets in "other", and suggest latency.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pyarrow.csv as pacsv
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from csops.demo import support
from csops.demo.company import generate_company
from csops.demo.records import Ticket
from csops.department.knowledge_base.matching import rank
from csops.department.knowledge_base.repeat_questions import TicketText, find_repeat_questions


def generate(out: Path, accounts: int, months: int, seed: int) -> dict[str, str]:
    truth: dict[str, str] = {}
    original = support._Conversation.run

    def run(self: support._Conversation, ticket_id: str, tier: int, seats: int) -> Ticket:
        truth[ticket_id] = self.topic.key
        return original(self, ticket_id, tier, seats)

    support._Conversation.run = run  # type: ignore[method-assign]
    try:
        generate_company(out, accounts=accounts, months=months, seed=seed, end=dt.date(2026, 6, 1))
    finally:
        support._Conversation.run = original  # type: ignore[method-assign]
    return truth


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=300)
    parser.add_argument("--months", type=int, default=18)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--times", type=int, default=1, help="repeat the tickets N times (scale test)"
    )
    parser.add_argument(
        "--sample", type=int, default=0, help="keep a random N of the generated tickets"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        truth = generate(Path(tmp), args.accounts, args.months, args.seed)
        print(f"generated in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        options = pacsv.ParseOptions(newlines_in_values=True)
        table = pacsv.read_csv(Path(tmp) / "tickets.csv", parse_options=options).to_pylist()
        contacts = pacsv.read_csv(Path(tmp) / "contacts.csv", parse_options=options).to_pylist()
    if 0 < args.sample < len(table):
        keep = sorted(random.Random(args.seed).sample(range(len(table)), args.sample))
        table = [table[i] for i in keep]
    names = [c["name"] for c in contacts if c.get("name")]
    tickets = [
        TicketText(
            f"{r['ticket_id']}#{i}" if args.times > 1 else r["ticket_id"],
            r["account_id"],
            r["created_at"].replace(tzinfo=None),
            r["subject"] or "",
            r["body"] or "",
        )
        for i in range(args.times)
        for r in table
    ]
    started = time.perf_counter()
    result = find_repeat_questions(tickets, as_of=dt.date(2026, 6, 1), names=names)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ids = [t.ticket_id.split("#")[0] for t in tickets]
    true = [truth[i] for i in ids]
    found = [result.assignments[t.ticket_id] for t in tickets]
    by_cluster: dict[int, Counter[str]] = {}
    for f, t in zip(found, true, strict=True):
        by_cluster.setdefault(f, Counter())[t] += 1
    purity = sum(c.most_common(1)[0][1] for k, c in by_cluster.items() if k != -1) / len(true)
    sample = tickets[:200]
    rank(result.model, [], sample[0].body)  # warm-up
    t0 = time.perf_counter()
    for ticket in sample:
        rank(result.model, [], f"{ticket.subject}\n{ticket.body}")
    suggest_ms = (time.perf_counter() - t0) / len(sample) * 1000
    print(f"tickets               {len(tickets):,}")
    print(f"true topics           {len(set(true))}")
    print(f"questions found       {len(result.questions)} (silhouette {result.silhouette:.3f})")
    print(f"modularity            {result.modularity:.4f}")
    print(f"in 'other'            {result.other:,} ({result.other / len(tickets):.1%})")
    print(f"adjusted Rand index   {adjusted_rand_score(true, found):.3f}")
    print(f"NMI                   {normalized_mutual_info_score(true, found):.3f}")
    print(f"purity (excl. other)  {purity:.3f}")
    print(f"clustering time       {seconds:.1f}s")
    print(f"peak memory (RSS)     {peak_mb:,.0f} MB")
    print(f"match latency         {suggest_ms:.1f} ms per ticket")


if __name__ == "__main__":
    main()
