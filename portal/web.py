"""Request plumbing shared by every blueprint: rendering page-or-fragment, headers,
sessions, locale, and the error pages."""
from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any, Callable, TypeVar, cast, overload
from urllib.parse import urlsplit

import flask
from flask import (
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    make_response,
    render_template,
    request,
    session,
    url_for,
)
from babel import Locale
from flask_babel import format_datetime as flask_babel_format_datetime
from flask_babel import get_locale, gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from jinja2_fragments.flask import render_block
from sqlalchemy import Select, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import joinedload, lazyload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.exceptions import HTTPException
from werkzeug.datastructures import FileStorage, ImmutableMultiDict, LanguageAccept, iter_multi_items
from werkzeug.routing import IntegerConverter, Map
from htmx_flask.requests import HtmxAwareRequest

from portal import files, readiness, registry
from portal.audit.rules import data_version
from portal.auth import permissions
from portal.auth.models import ROLE_LABELS, User, UserRole
from portal.db import WriterBusy, take_write_lock
from portal.errors import DomainError, Message
from portal.extensions import db, login_manager, write_intent
from portal.formutil import MAX_ID, error_text
from portal.i18n import N_
from portal.textclean import strip_controls
from portal.timeutil import format_local, iso_utc, numeric_template, utcnow
from portal.translate import explain
from portal.workflow import Transition

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# Every answer's security headers (``security_headers``; ``portal.fastpath`` sends the same).
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)

# The language of a reader: the account's, else the ``lang`` cookie's, else the browser's.
LOCALE_CODES = ("zh_CN", "en")

# --- requests -----------------------------------------------------------------------

class CleanMultiDict(ImmutableMultiDict):
    """Query and form values with control and bidi characters removed, for every reader alike."""

    def __init__(self, mapping: Any = None) -> None:
        if mapping is not None:
            mapping = [(k, strip_controls(v) if isinstance(v, str) else v)
                       for k, v in iter_multi_items(mapping)]
        super().__init__(mapping)


class PortalRequest(HtmxAwareRequest):
    parameter_storage_class = CleanMultiDict


def hx() -> Any:
    """htmx_flask's details of this request (falsy unless htmx sent it). ``flask.request``
    is typed as Flask's Request; the app's request class is :class:`PortalRequest`."""
    return cast(PortalRequest, request).htmx


# --- rendering ----------------------------------------------------------------------

def actions(obj: Any) -> dict[str, Transition[Any]]:
    """The workflow steps the reader may take on ``obj`` now, by action name: templates show
    a step's button when its action is here, and never compare the object's state themselves."""
    return {t.action: t for t in type(obj).flow.available(current_user, obj)}


def is_partial() -> bool:
    """An htmx request that wants a fragment: neither boosted nor a history restore."""
    details = hx()
    return bool(details) and not details.boosted and not details.history_restore_request


def render(template: str, block: str | None = None, status: int = 200, **context: Any) -> Response:
    """Render the whole page, or only ``block`` when htmx asks for a fragment.

    Both come from the same template and the same context; only this last step differs.
    """
    if block and is_partial():
        html = render_block(template, block, **context)
    else:
        html = render_template(template, **context)
    resp = make_response(html, status)
    resp.vary.add("HX-Request")
    return resp


def redirect(location: str, code: int = 302) -> Response:
    """``flask.redirect``, typed as the app's response class (which is what it returns)."""
    resp = flask.redirect(location, code)
    assert isinstance(resp, Response)
    return resp


V = TypeVar("V", bound=Callable[..., Any])


def writes_late(view: V) -> V:
    """Mark a view that does slow work (rendering Markdown) before it writes.

    Its request starts with a read transaction, which on SQLite blocks no writer; the view
    calls :func:`begin_write` once the slow part is done, right before its rule function.
    """
    view.writes_late = True  # type: ignore[attr-defined]
    return view


def begin_write(*, expire: bool = True) -> None:
    """End this request's read transaction; the next statement takes the write lock
    (BEGIN IMMEDIATE on SQLite, the advisory lock on PostgreSQL). Objects loaded so far are
    expired, so they are read again, under the lock, on their next use: a rule never decides
    on what another writer changed in between.

    ``expire=False`` keeps them as read, so the lock is not held while they load again: only
    for a rule that itself reads, under the lock, every fact it decides on that can change
    (the vote: ``congress.rules.polls.cast_vote``).

    On PostgreSQL the read transaction goes on and takes the lock as its next statement
    (``portal.db.take_write_lock``: under READ COMMITTED every later statement reads what
    every earlier writer committed), which spares a commit, a second connection checkout
    and its liveness ping; SQLite cannot turn a read transaction into a write one safely."""
    if db.session.in_transaction() and db.session.get_bind().dialect.name == "postgresql":
        take_write_lock(db.session)
    else:
        db.session.commit()
    if expire:
        db.session.expire_all()
    write_intent.set(True)


# --- stored files -------------------------------------------------------------------

@overload
def store_upload(upload: FileStorage) -> files.StoredFile: ...
@overload
def store_upload(upload: FileStorage | None) -> files.StoredFile | None: ...
def store_upload(upload: FileStorage | None) -> files.StoredFile | None:
    """Check, hash and write an uploaded file, then :func:`begin_write`: for views marked
    :func:`writes_late`, so the slow part holds no write lock. None when no file was chosen
    (Flask-WTF's ``FileField`` gives None then); the write begins all the same.
    Raises :class:`portal.files.FileRefused` (nothing written, no write begun)."""
    stored = None
    if upload is not None:
        stored = files.store(current_app.config["UPLOAD_DIR"], upload.filename or "", upload.read())
    begin_write()
    return stored


def send_stored(filename: str, stored_name: str, content_type: str = "", *, public: bool = False) -> Response:
    """A file kept by :mod:`portal.files` as a download (never inline), under its original
    name, as the type it was checked to be (from the name where the row keeps none), sandboxed
    and unsniffed; 404 when there is none on disk. ``public``: anyone may fetch it, so shared
    caches may keep it five minutes; otherwise nothing keeps it."""
    try:
        path = files.path_of(current_app.config["UPLOAD_DIR"], stored_name)
        resp = flask.send_file(path, mimetype=content_type or files.content_type_for(filename), as_attachment=True,
                               download_name=filename, conditional=True, max_age=0)
    except FileNotFoundError:
        abort(404)
    resp.headers["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


def absolute_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for feeds and QR codes, on the configured ``PUBLIC_URL``: never on the
    request's Host header (``Host: evil.example`` would otherwise poison cached feeds)."""
    return str(current_app.config["PUBLIC_URL"]).rstrip("/") + url_for(endpoint, **values)


def redirect_to(url: str) -> Response:
    """Redirect after a successful form post; htmx gets ``HX-Redirect`` so the whole page moves."""
    if hx():
        resp = make_response("", 204)
        resp.headers["HX-Redirect"] = url
        return resp
    return redirect(url, 303)


# ids and page numbers beyond MAX_ID are nobody's: 404, never an overflow


class BoundedInt(IntegerConverter):
    """``<int:...>`` URL parts that a database integer can hold."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def paginate(query: Select, per_page: int, row: Callable[..., Any] | None = None) -> dict[str, Any]:
    """One page of ``query`` (from ``?page=``) and the counts the pager shows: two queries.
    ``row``: a query of plain columns, each row made by ``row(*columns)`` (a list's NamedTuple)."""
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_ID // per_page)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    one_page = query.limit(per_page).offset((page - 1) * per_page)
    rows = db.session.scalars(one_page).all() if row is None else [row(*r) for r in db.session.execute(one_page)]
    return {"rows": rows, "total": total, "page": page, "pages": max((total + per_page - 1) // per_page, 1)}


def page_of(items: list[Any], per_page: int) -> dict[str, Any]:
    """One page (from ``?page=``) of a list already in memory, with the pager's counts: for
    lists whose totals need every row anyway (the tracker's headline figures)."""
    pages = max((len(items) + per_page - 1) // per_page, 1)
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    return {"rows": items[(page - 1) * per_page:page * per_page], "total": len(items), "page": page, "pages": pages}


def page_url(page: int) -> str:
    """This page's URL with the same filters and another ``page=``."""
    args = {**(request.view_args or {}), **request.args.to_dict(), "page": page}
    assert request.endpoint is not None  # a page with a pager was routed to a view
    return url_for(request.endpoint, **args)


def safe_next(target: str | None, fallback: str) -> str:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target


def is_same_origin() -> bool:
    """Whether the browser says this request came from one of our own pages.

    ``Sec-Fetch-Site`` decides when present; otherwise ``Origin``, then ``Referer``, must
    name this host. A request with none of them is not taken as ours.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site == "same-origin"
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    if not source or source == "null":
        return False
    parts = urlsplit(source)
    return parts.scheme in ("http", "https") and parts.netloc == request.host


def client_address() -> str:
    # Behind a reverse proxy set PROXY_COUNT so ProxyFix puts the client's address here.
    return request.remote_addr or "unknown"


# --- a database that cannot be served -----------------------------------------------

def unavailable(found: Message) -> Response:
    """The answer while the database cannot be served: /healthz's JSON, or the page."""
    if request.endpoint == "home.healthz":
        resp = flask.jsonify(readiness.unavailable_details(found))
        resp.status_code = 503
        resp.headers["Retry-After"] = "30"
        return resp
    return unavailable_page(503, _("系统维护中"), explain(found))


def unavailable_page(code: int, title: str, message: str) -> Response:
    """A page that needs no database (not who is signed in, not the navigation): for a
    database that cannot be reached or served, and for errors about the database itself."""
    g.no_database = True
    g._login_user = login_manager.anonymous_user()  # Flask-Login would load the user to render
    resp = make_response(render_template("errors/unavailable.html", code=code, title=title, message=message), code)
    if code == 503:
        resp.headers["Retry-After"] = "30"
    resp.headers["Cache-Control"] = "no-store"
    return into_main(resp)


def into_main(resp: Response) -> Response:
    """An error answer to an htmx fragment request: htmx 2 does not swap 4xx/5xx by default,
    so say where the message should go (the page's main region)."""
    if is_partial():
        resp.headers["HX-Retarget"] = "#main"
        resp.headers["HX-Reswap"] = "innerHTML"
    return resp


# --- a refused step -----------------------------------------------------------------

# A step a rule (or the form) refused: the page or block explains why, in place. htmx 2
# swaps no 4xx by itself; static/js/portal.js swaps every 4xx that carries a body.
REFUSED = 422

# The one place an IntegrityError becomes words for the reader: a constraint that a rule did
# not name (rules that expect one name it with portal.db.refused_on_conflict).
CONFLICT = N_("这项操作与刚刚完成的另一项操作冲突，没有生效。请刷新页面查看最新情况。")


class FormInvalid(Exception):
    """Raised by :func:`require_valid` inside :func:`attempt`: the form's errors, translated."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class Attempt:
    """What became of a step run by :func:`attempt`: ``error`` is the reader's explanation
    when it was refused (nothing was written), None once it was committed."""

    def __init__(self) -> None:
        self.error: str | None = None

    def __bool__(self) -> bool:
        return self.error is None

    @property
    def status(self) -> int:
        """200 once committed, :data:`REFUSED` when refused: the status to render with."""
        return 200 if self.error is None else REFUSED

    def flash(self, success: str | None = None) -> None:
        """Flash the refusal, or ``success``: for a view that redirects either way."""
        if self.error is not None:
            flash(self.error, "error")
        elif success:
            flash(success, "success")


def require_valid(form: Any) -> None:
    """Inside :func:`attempt`: refuse the step with the form's errors unless it validates."""
    if not form.validate_on_submit():
        raise FormInvalid(error_text(form) or _("请检查填写的内容。"))


@contextmanager
def attempt() -> Iterator[Attempt]:
    """The one path of a step: run the rule in the block inside the request's write, commit
    once; when a rule refuses (any :class:`DomainError`), the form is invalid
    (:func:`require_valid`) or a constraint refuses the write, roll everything back and keep
    the explanation in ``error`` for the view to render in place with ``status``::

        with attempt() as done:
            require_valid(form)
            rules.leave_opinion(db.session, current_user, report, form.body.data)
        if done:
            return redirect_to(...)
        return render("...", block="opinion_form", status=done.status, opinion_error=done.error, ...)

    Anything else (``abort()``, a bug) passes through untouched: the error handlers roll back.
    """
    done = Attempt()
    try:
        yield done
    except DomainError as exc:
        db.session.rollback()
        if isinstance(exc, WriterBusy):  # the lock stays taken: what follows only reads (the answer)
            write_intent.set(False)
        done.error = explain(exc)
    except FormInvalid as exc:
        db.session.rollback()
        done.error = exc.text
    except IntegrityError:
        db.session.rollback()
        log.warning("a constraint refused a write that no rule named", exc_info=True)
        done.error = _(CONFLICT)
    else:
        db.session.commit()


# --- locale -------------------------------------------------------------------------

# Parsed once: flask_babel parses whatever the selector returns on every request, and
# ``babel.Locale.parse`` of a string lists the locale data each time (a third of a cached
# page's cost in the profile); a ``Locale`` is passed through as it is.
LOCALES = {code: Locale.parse(code) for code in LOCALE_CODES}


def choose_locale(account: str | None, cookie: str | None, accept: LanguageAccept) -> str:
    """The reader's language code: their account's, else the ``lang`` cookie's, else the
    browser's best match (Chinese when none). Flask's here, the fast path's before Flask."""
    for code in (account, cookie):
        if code in LOCALE_CODES:
            return code
    return accept.best_match(list(LOCALE_CODES), default="zh_CN")


def select_locale() -> Locale:
    if g.get("no_database"):  # the maintenance page: asking who is signed in needs the database
        return LOCALES[choose_locale(None, None, request.accept_languages)]
    account = current_user.locale if current_user and current_user.is_authenticated else None
    return LOCALES[choose_locale(account, request.cookies.get("lang"), request.accept_languages)]


def datetimeformat(value: Any, format: str | None = None, rebase: bool = True) -> str:  # noqa: A002 - Babel's name
    """The ``datetimeformat`` filter: a numeric pattern by a template compiled once (see
    ``timeutil.numeric_template``: the same text as Babel's, without its per-call lookups);
    anything else by flask-babel. The school's time zone is the only one the portal shows."""
    from datetime import datetime

    if format and rebase and isinstance(value, datetime):
        template = numeric_template(format)
        if template is not None:
            return format_local(value, template)
    return flask_babel_format_datetime(value, format, rebase)


# --- sessions -----------------------------------------------------------------------

def start_session(user: Any) -> None:
    """Called at login: a fresh session (no fixation) stamped for the timeouts."""
    from flask_login import login_user

    session.clear()
    login_user(user)
    now = utcnow().timestamp()
    session["login_at"] = now
    session["seen_at"] = now


def session_expired(sess: MutableMapping[str, Any], config: Mapping[str, Any]) -> bool:
    """Whether a signed-in session is past its absolute lifetime or idle too long; otherwise its
    "last seen" stamp moves on, at most once a minute to spare the cookie. Flask's session here,
    the fast path's (``portal.fastpath``) before Flask."""
    now = utcnow().timestamp()
    login_at = sess.get("login_at", 0)
    seen_at = sess.get("seen_at", 0)
    if now - login_at > config["SESSION_ABSOLUTE_HOURS"] * 3600:
        return True
    if now - seen_at > config["SESSION_IDLE_MINUTES"] * 60:
        return True
    if now - seen_at > 60:
        sess["seen_at"] = now
    return False


def init_app(app: Flask) -> None:
    """Register the request hooks, the template globals and the error pages below."""
    login_manager.user_loader(load_user)
    app.extensions["user_cache"] = {}
    login_manager.unauthorized_handler(unauthorized)
    app.before_request(refuse_unless_ready)
    app.before_request(check_session)
    app.after_request(security_headers)
    app.add_template_filter(iso_utc, "iso_utc")
    app.add_template_filter(datetimeformat, "datetimeformat")  # over flask-babel's (registered before)
    app.context_processor(template_globals)
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(WriterBusy, writer_busy)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, last_resort)


# --- request hooks ------------------------------------------------------------------

def load_user(token: str) -> User | None:
    """The signed-in user of a session cookie, unless deactivated or logged out since."""
    try:
        user_id, version = (int(p) for p in token.split(":", 1))
    except ValueError:
        return None
    user = _reader(user_id)
    if user is None or not user.active or user.session_version != version:
        return None
    return user


def reader_version() -> tuple[int, int]:
    """The data version of per-reader caches, asked once per request: the signed-in user's
    copy here and the pages of ``pagecache.reader_page``."""
    if "reader_version" not in g:
        g.reader_version = data_version(db.session)
    version: tuple[int, int] = g.reader_version
    return version


USER_COLUMNS = tuple(attr.key for attr in sa_inspect(User).column_attrs)  # the user copy's values, in order


def _reader(user_id: int) -> User | None:
    """The user row, from the database or, for a GET with the page cache on, from this
    worker's copy of it taken at the current reader data version (``audit.rules.data_version``,
    asked once per request and shared with ``pagecache.reader_page``).

    Everything that decides whether and as whom a cookie is served (deactivation, logout,
    password change or reset, roles, party membership, language) changes only through a rule
    that appends to the audit chain, so the version moves and the next request reads the row
    afresh. The copy holds plain values, never an ORM object: each request gets its own
    instance, put into its session as if loaded (no query). The department is loaded on
    access. A write (any other method) always reads the row. A change made outside the rules
    (raw SQL) would not show on a signed-in GET until the version next moves."""
    if not (current_app.config["PAGE_CACHE"] and request.method in ("GET", "HEAD")):
        return db.session.get(User, user_id, options=[joinedload(User.role_rows)])  # one query
    cache: dict[int, tuple[tuple[int, int], tuple[Any, ...], tuple[str, ...]]] = current_app.extensions["user_cache"]
    version = reader_version()  # before the row: the copy is never older than its key
    hit = cache.get(user_id)
    if hit is None or hit[0] != version:
        user = db.session.get(User, user_id, options=[joinedload(User.role_rows), lazyload(User.department)])
        if user is None:
            return None
        cache[user_id] = (version, tuple(getattr(user, k) for k in USER_COLUMNS),
                          tuple(r.role for r in user.role_rows))
        if len(cache) > current_app.config.get("USER_CACHE_ENTRIES", 4096):
            cache.pop(next(iter(cache), user_id), None)  # the oldest (another thread may be at it too)
        return user
    _version, values, roles = hit
    user = User(**dict(zip(USER_COLUMNS, values)))
    rows = [UserRole(user_id=user_id, role=role) for role in roles]
    for row in rows:
        make_transient_to_detached(row)
        db.session.add(row)
    make_transient_to_detached(user)
    db.session.add(user)
    set_committed_value(user, "role_rows", rows)
    return user


def unauthorized() -> Response:
    """To the login page (an htmx request is told to go there, not sent a login fragment)."""
    login = url_for("auth.login", next=request.full_path.rstrip("?"))
    if hx():
        resp = make_response("", 401)
        resp.headers["HX-Redirect"] = login
        return resp
    flash(_("请先登录。"), "info")
    return redirect(login)


def refuse_unless_ready() -> Response | None:
    """Before anything asks the database: a database that cannot be served gets the
    maintenance page (or /healthz its 503), never a 500 from deep inside a view."""
    if request.endpoint == "static":
        return None
    found = readiness.problem(current_app)
    return None if found is None else unavailable(found)


def check_session() -> Response | None:
    """Whether this request writes early (the write lock), the session's timeouts, and a
    password that must be changed before anything else."""
    view = current_app.view_functions.get(request.endpoint or "")
    write_intent.set(request.method not in SAFE_METHODS and not getattr(view, "writes_late", False))
    if request.endpoint == "static":  # the same file for everyone: no session, no database
        return None
    if current_user.is_authenticated and session_expired(session, current_app.config):
        logout_user()
        session.clear()
        flash(_("登录已超时，请重新登录。"), "info")
        return login_manager.unauthorized()
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in permissions.ALLOWED_BEFORE_PASSWORD_CHANGE
    ):
        if hx():
            resp = make_response("", 401)
            resp.headers["HX-Redirect"] = url_for("auth.change_password")
            return resp
        return redirect(url_for("auth.change_password"))
    return None


def security_headers(resp: Response) -> Response:
    h = resp.headers
    for name, value in SECURITY_HEADERS:
        h.setdefault(name, value)
    # Static files are the same for everyone (and cached long by portal.delivery); asking
    # who is signed in would also cost a database query per stylesheet.
    if request.endpoint != "static":
        if g.get("no_database"):  # the maintenance page: nobody is asked for
            h["Cache-Control"] = "no-store"
        elif current_user and current_user.is_authenticated and h.get("Cache-Control") != "private, no-cache":
            # a signed-in page stays out of every cache, but for the small polled fragments that
            # ask to be revalidated (ETag: the unread badge, the presence block)
            h["Cache-Control"] = "no-store"
        resp.vary.add("Cookie")
    return resp


def template_globals() -> dict[str, Any]:
    return {
        "can": permissions.can,
        "actions": actions,
        "explain": explain,
        "nav_items": registry.nav_items,
        "is_partial": is_partial,
        "get_locale": get_locale,
        "page_url": page_url,
        "school_name": current_app.config["SCHOOL_NAME"],
        "role_label": lambda code: _(ROLE_LABELS.get(code, code)),
    }


# --- error pages ----------------------------------------------------------------------

def error_page(code: int, title: str, message: str) -> Response:
    return into_main(render("errors/error.html", block="error_body", status=code, code=code, title=title,
                            message=message))


def csrf_error(e: CSRFError) -> Response:
    # Keep what the user typed after a genuine expiry: offer the same fields back with a
    # fresh token. A request from another site gets no such form, or one click by the
    # victim would submit the attacker's fields with a valid token.
    same_origin = is_same_origin()
    kept = [
        (k, v)
        for k, v in request.form.items(multi=True)
        if k != "csrf_token" and "password" not in k
    ] if same_origin else []
    resp = render(
        "errors/csrf.html",
        block="csrf_body",
        status=400,
        kept=kept,
        resubmit=same_origin,
        action=request.path,
        reason=e.description,
    )
    return into_main(resp)


HTTP_MESSAGES = {
    400: (_l("请求有误"), _l("提交的内容无法处理，请检查后重试。")),
    403: (_l("无权访问"), _l("您没有访问此页面的权限。如有疑问，请联系系统管理员。")),
    404: (_l("页面不存在"), _l("您要找的页面不存在，可能已被移动。")),
    405: (_l("请求方式不允许"), _l("此页面不接受这种请求。")),
    413: (_l("文件过大"), _l("上传的内容超过了大小限制。")),
    429: (_l("请求过于频繁"), _l("请稍后再试。")),
}


def http_error(e: HTTPException) -> Response:
    title, message = HTTP_MESSAGES.get(e.code or 500, (e.name, e.description or ""))
    return error_page(e.code or 500, str(title), str(message))


def writer_busy(e: WriterBusy) -> Response:
    """A write that could not begin in time (the write lock stayed taken, ``portal.db``):
    nothing was written; said as such, with a page that asks the database nothing (and
    reads, if anything, without queueing for the lock again)."""
    _discard_session()
    write_intent.set(False)
    g._login_user = login_manager.anonymous_user()  # the locale would load the user to translate
    return unavailable_page(503, _("系统繁忙"), explain(e))


def last_resort(e: Exception) -> Response:
    """Every error the views did not expect gets the portal's page, whatever failed and
    whenever: this handler never raises (an error escaping it would reach the browser as
    the server's bare English page). A read that lost its database connection (the
    database restarted) is tried once more on a new one."""
    try:
        return _server_error(e)
    except Exception:  # noqa: BLE001 - the last resort must not fail
        log.exception("error page failed")
        return Response(N_("服务器出错，您的操作没有生效。请稍后再试。"), 500, mimetype="text/plain")


def _server_error(e: Exception) -> Response:
    lost_connection = isinstance(e, DBAPIError) and e.connection_invalidated
    if not lost_connection:
        log.exception("unhandled error")
    _discard_session()
    if lost_connection and request.method in SAFE_METHODS and not g.get("retried"):
        g.retried = True
        log.warning("database connection lost; trying %s once more", request.path)
        app = current_app
        try:
            return app.make_response(app.preprocess_request() or app.dispatch_request())
        except HTTPException as again:
            return http_error(again)
        except Exception as again:  # noqa: BLE001 - the second failure gets the page below
            e = again
            log.exception("the retry failed too")
            _discard_session()
    title, message = _("服务器出错"), _("处理请求时出错，您的操作没有生效。请稍后再试。")
    if not isinstance(e, SQLAlchemyError | readiness.NotReady):
        try:
            return error_page(500, title, message)
        except Exception:  # noqa: BLE001 - the page asks the database (who is signed in)
            log.exception("error page failed")
            _discard_session()
    return unavailable_page(500, title, message)


def _discard_session() -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - a dead connection cannot roll back; drop it
        log.warning("rollback failed", exc_info=True)
        db.discard()
