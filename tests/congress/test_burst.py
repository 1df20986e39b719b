"""Vote burst at a quick size: 60 representatives (and 6 of them twice, at the same moment)
against gunicorn with 3 workers on this run's database. ``make bench`` runs 300 (and 2,000
on PostgreSQL): benchmarks/vote_burst.py."""
from __future__ import annotations

import os

from benchmarks.vote_burst import run_burst

VOTERS = int(os.environ.get("BURST_VOTERS", "60"))


def test_vote_burst(app):
    url = app.config["DATABASE_URL"]
    figures = run_burst(url, VOTERS, workers=3)
    print(f"vote burst: {figures}")
    assert figures["errors"] == 0 and figures["other"] == 0 and figures["server_tracebacks"] == 0
    assert figures["locked_in_responses"] == 0 and figures["locked_in_log"] == 0
    assert figures["cast"] == figures["ballots"] == figures["who_voted"] == VOTERS  # counted == cast
    assert figures["duplicates"] == 0 and figures["already_voted"] == len(range(0, VOTERS, 10))
