"""阳光校务 — the staff portal for democratic management and transparency."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the package itself loads no Flask, so models and rules import without it
    from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, error pages and CLI commands."""
    from flask import Flask

    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from portal.config import defaults

    app.config.from_mapping(defaults(Path(app.instance_path)))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.update(test_config)

    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXY_COUNT"]
        # Wrapping wsgi_app is how Flask documents adding middleware; mypy sees a method.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    from portal import readiness, web, workdays
    from portal.extensions import babel, csrf, db, htmx, login_manager

    readiness.init_app(app)
    workdays.configure(app.config.get("WORKDAY_CALENDAR"))
    db.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale, timezone_selector=lambda: "Asia/Shanghai")
    from portal import delivery

    delivery.init_app(app)  # before web: its after-request hook must run last (it compresses)
    from portal import pagecache

    pagecache.init_app(app)
    web.init_app(app)
    app.request_class = web.PortalRequest  # htmx-aware, and free of control characters
    app.url_map.converters["int"] = web.BoundedInt

    from portal import admin, audit, auth, boards, congress, consultations, decisions, disclosure, evaluation, home, \
        notify, proposals

    for feature in (home, auth, admin, audit, notify, disclosure, congress, evaluation, consultations, proposals,
                    decisions, boards):
        feature.init_app(app)
    if app.config.get("APPROVAL_CHAINS"):
        disclosure.configure_approval(app.config["APPROVAL_CHAINS"])

    from portal.cli import register

    register(app)
    from portal.fastpath import FastPath

    # Outermost: a cached page is served before Flask (see portal.fastpath).
    app.wsgi_app = FastPath(app, app.wsgi_app)  # type: ignore[method-assign]
    return app
