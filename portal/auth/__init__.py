"""Accounts, signing in and out, and the one can()/require() every feature registers into."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from portal.audit.sentences import Sentence, add_sentences
    from portal.auth.inspection import confine_inspector, record_inspection_view
    from portal.auth.views import bp
    from portal.i18n import N_

    app.register_blueprint(bp)
    # After web's hooks (the session's timeouts come first); its after-request hook runs
    # before theirs, so the page is recorded before it is compressed and sent.
    app.before_request(confine_inspector)
    app.after_request(record_inspection_view)
    add_sentences({"inspection.viewed": Sentence(N_("%(actor)s（督导）查看 %(page)s：%(outcome)s"), words={
        "outcome": {"shown": N_("已显示"), "refused": N_("被拒绝"), "failed": N_("未显示")}})})
