"""What features contribute to shared pages: navigation entries, dashboard to-dos,
home-page sections, how notifications link to their subjects (and, later, public-board items). ``home/`` composes them and imports no feature internals."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from portal.auth.models import User
from portal.auth.permissions import INSPECTOR_ENDPOINTS, Context, can


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: Any  # a lazy string, translated when shown
    action: str  # the permission that must be allowed for the entry to show
    order: int


@dataclass(frozen=True)
class Todo:
    """One line of the dashboard's to-do list: a link, with a count when it stands for many."""

    text: str
    url: str
    count: int | None = None
    warn: bool = False


@dataclass(frozen=True)
class Section:
    """A block a feature adds to the home page (public or dashboard): a template rendered
    with ``section`` in its context, in ``order``."""

    template: str
    order: int
    data: dict[str, Any]


@dataclass(frozen=True)
class SubjectLink:
    """How a notification's subject of one kind links: ``url_for(endpoint, **{arg: id})``."""

    endpoint: str
    arg: str


TodoSource = Callable[[User, Context], list[Todo]]
SectionSource = Callable[[User | None, Context], list[Section]]

NAV: list[NavEntry] = []
TODO_SOURCES: list[TodoSource] = []
SECTION_SOURCES: list[SectionSource] = []
SUBJECT_LINKS: dict[str, SubjectLink] = {}
# events a per-event (随时) disclosure item receives, by kind: (name, day it happened, when
# it was published or None), read by the disclosure catalogue's timeliness check
EventSource = Callable[[Any], list[tuple[str, Any, Any]]]
EVENT_SOURCES: dict[str, EventSource] = {}


@dataclass(frozen=True)
class EventKind:
    """What the catalogue's admin sees of a kind of event: its name, and the channel (党务 /
    校务公开) whose items may receive it."""

    label: Any
    channel: str


EVENT_KINDS: dict[str, EventKind] = {}
# where a record came from in another feature: (kind, id) → [(label, endpoint, values)]
OriginSource = Callable[[Any, int], list[tuple[Any, str, dict[str, Any]]]]
ORIGIN_SOURCES: dict[str, list[OriginSource]] = {}


def add_nav(endpoint: str, label: Any, action: str, order: int) -> None:
    if all(e.endpoint != endpoint for e in NAV):
        NAV.append(NavEntry(endpoint, label, action, order))
        NAV.sort(key=lambda e: e.order)


def add_todos(source: TodoSource) -> None:
    if source not in TODO_SOURCES:
        TODO_SOURCES.append(source)


def add_sections(source: SectionSource) -> None:
    if source not in SECTION_SOURCES:
        SECTION_SOURCES.append(source)


def nav_items(user: Any) -> list[tuple[str, Any]]:
    """The navigation entries this user may follow, in order."""
    confined = getattr(user, "is_inspector_account", False)  # only its own pages, whatever else it could
    return [(e.endpoint, e.label) for e in NAV if can(user, e.action) and (not confined or e.endpoint in INSPECTOR_ENDPOINTS)]


def todos(user: User, ctx: Context) -> list[Todo]:
    """Everything waiting for this user, from every feature."""
    return [todo for source in TODO_SOURCES for todo in source(user, ctx)]


def sections(user: User | None, ctx: Context) -> list[Section]:
    """The home page's blocks from every feature, in order."""
    return sorted((s for source in SECTION_SOURCES for s in source(user, ctx)), key=lambda s: s.order)


def add_subject_link(kind: str, endpoint: str, arg: str) -> None:
    """Say how notifications about subjects of ``kind`` (e.g. "proposal") link to them."""
    SUBJECT_LINKS[kind] = SubjectLink(endpoint, arg)


def subject_url(kind: str, subject_id: int) -> str | None:
    """The page of a notification's subject, or None when no feature links that kind."""
    from flask import url_for

    link = SUBJECT_LINKS.get(kind)
    values: dict[str, Any] = {link.arg: subject_id} if link else {}
    return url_for(link.endpoint, **values) if link else None


def add_event_source(kind: str, source: EventSource, label: Any, channel: str) -> None:
    """Say which events a catalogue item that ``receives`` ``kind`` must disclose, what the
    kind is called, and which channel's items may receive it."""
    EVENT_SOURCES[kind] = source
    EVENT_KINDS[kind] = EventKind(label, channel)


def add_origin(kind: str, source: OriginSource) -> None:
    """Say how a record of ``kind`` (e.g. "notice") links back to what it was made from."""
    ORIGIN_SOURCES.setdefault(kind, [])
    if source not in ORIGIN_SOURCES[kind]:
        ORIGIN_SOURCES[kind].append(source)


def origins(session: Any, kind: str, record_id: int) -> list[tuple[Any, str, dict[str, Any]]]:
    return [link for source in ORIGIN_SOURCES.get(kind, []) for link in source(session, record_id)]
