"""The charts (server-drawn SVG, ``portal.charts``) with their translated titles and labels,
for the board's charts slide, the tracker and the leadership's dashboard section."""
from __future__ import annotations

from typing import Any

from flask import Response
from flask_babel import gettext as _
from flask_login import current_user

from portal import charts
from portal.auth import permissions
from portal.auth.models import User
from portal.auth.permissions import Context, can
from portal.boards import queries
from portal.boards.forms import PROPOSAL_STATE_LABELS, RATING_LABELS, TRACK_LABELS
from portal.boards.views import bp
from portal.extensions import db
from portal.pagecache import public_page
from portal.registry import Section
from portal.timeutil import to_local
from portal.web import render


def build_charts(series: queries.Series) -> dict[str, Any]:
    """The charts of ``series``, titled and labelled in the reader's language; ``by_owner``
    is a list (one small chart of months per owner, the six with most reports)."""
    def monthly(data: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
        return [(_("%(m)d月", m=int(label[3:])), ok, due) for label, ok, due in data]

    months = monthly(series.months)
    busiest = {name for name, _ok, _due in _busiest(series.per_owner)}
    return {
        "by_owner": [charts.columns(name, monthly(data)) for name, data in series.owner_months if name in busiest],
        "months": charts.columns(_("按时报告率（近 12 个月，按月）"), months),
        "states": charts.bars(_("决议按状态"), [(str(TRACK_LABELS.get(s, s)), n) for s, n in series.by_state]),
        "owners": charts.shares(_("各责任人按时报告率（近 12 个月）"), _busiest(series.per_owner)),
        "proposals": charts.bars(_("提案按状态"), [(str(PROPOSAL_STATE_LABELS.get(s, s)), n)
                                                  for s, n in series.proposal_states]),
        "ratings": charts.bars(_("提案人评价"), [(str(RATING_LABELS.get(r, r)), n) for r, n in series.proposal_ratings]),
    }


def _busiest(per_owner: list[tuple[str, int, int]], n: int = 6) -> list[tuple[str, int, int]]:
    """The ``n`` owners with the most reports due, by name (a chart a screen can hold)."""
    return sorted(sorted(per_owner, key=lambda t: -t[2])[:n])


def chart_sections(user: User | None, ctx: Context) -> list[Section]:
    """The charts on the leadership's dashboard (the figures of what the reader may see)."""
    if user is None or not can(user, "board.charts"):
        return []
    today = to_local(ctx.now).date()
    series = queries.series(db.session, ctx, today, visible=permissions.listing(user, "resolution.view", ctx))
    return [Section("boards/_dashboard_charts.html", 50, {"charts": build_charts(series)})]


@bp.get("/tracker/charts")
@public_page()
def tracker_charts() -> Response:
    """The tracker's and the proposals' charts over what the reader may see (the tracker page
    loads the block; it is also a page of its own)."""
    permissions.require("resolution.tracker")
    ctx = permissions.current_context()
    today = to_local(ctx.now).date()
    series = queries.series(db.session, ctx, today, visible=permissions.listing(current_user, "resolution.view", ctx))
    return render("boards/tracker_charts.html", block="tracker_charts", charts=build_charts(series))
