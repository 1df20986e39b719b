"""Disclosure (党务公开 / 校务公开): the catalogue with its cadence, notices through their
publication workflow, 公示 periods with objections, acknowledgements, search and feeds.

The worked example of the package template (README, "Layout"): models, rules, queries,
permissions, forms, exports, views/. Importing the package loads no Flask; :func:`init_app`
wires the feature into an app.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, the permissions, the navigation entries and the to-dos."""
    from flask_babel import lazy_gettext as _l

    from portal import registry
    from portal.disclosure import permissions  # noqa: F401 - registers the checks on import
    from portal.disclosure.views import bp
    from portal.disclosure.views.manage import approval_todos, unread_todos
    from portal.disclosure.views.catalogue import overdue_todos
    from portal.disclosure.views.reading import home_sections

    app.register_blueprint(bp)
    registry.add_nav("disclosure.party", _l("党务公开"), "notice.list", 20)
    registry.add_nav("disclosure.school", _l("校务公开"), "notice.list", 21)
    registry.add_nav("disclosure.workspace", _l("发布与审批"), "notice.workspace", 22)
    registry.add_nav("disclosure.compliance", _l("公开目录"), "catalogue.compliance", 23)
    for source in (approval_todos, unread_todos, overdue_todos):
        registry.add_todos(source)
    registry.add_sections(home_sections)
    registry.add_subject_link("notice", "disclosure.show", "notice_id")


def configure_approval(chains: dict[str, list[str]]) -> None:
    """Set the school's own approval order, e.g. ``{"school": ["PRINCIPAL", "VICE_PRINCIPAL"]}``
    (names of ``portal.org.models.Office``), from the ``APPROVAL_CHAINS`` setting."""
    from portal.disclosure.rules import APPROVAL_CHAINS
    from portal.org.models import Office

    for channel, offices in chains.items():
        if channel not in APPROVAL_CHAINS:
            raise ValueError(f"APPROVAL_CHAINS: unknown channel {channel!r}")
        APPROVAL_CHAINS[channel] = tuple(Office[name] for name in offices)
