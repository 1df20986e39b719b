"""The audit log read as sentences ("王晓东 在 党委会（第12次）第3项“…” 表态：同意") instead of
codes and JSON. Features register a sentence for each of their actions, how to name their
objects (batched: one query per kind over a page) and how to word their codes; an action
nobody registered still reads as "who: what (object)" from the verb of its name. The raw
record stays in the table, one click away. No Flask; messages are marked, translated when shown."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.models import AuditEvent
from portal.errors import Message
from portal.i18n import N_

Namer = Callable[[Session, list[int]], dict[int, Any]]


@dataclass(frozen=True)
class Sentence:
    """``template`` takes %(actor)s, %(object)s and the summary's keys; ``people`` are summary
    keys holding user ids (given as names); ``words`` turn a key's code into a marked word."""

    template: str
    people: tuple[str, ...] = ()
    words: dict[str, dict[Any, str]] | None = None


SENTENCES: dict[str, Sentence] = {}
NAMERS: dict[str, Namer] = {}

# the verb of an action nobody registered a sentence for, by its last word
VERBS = {
    "created": N_("创建"), "drafted": N_("起草"), "edited": N_("修改"), "submitted": N_("提交"),
    "published": N_("发布"), "withdrawn": N_("撤回"), "returned": N_("退回"), "added": N_("添加"),
    "removed": N_("移除"), "answered": N_("答复"), "login": N_("登录"), "imported": N_("导入"),
    "opened": N_("开启"), "closed": N_("结束"), "voted": N_("投票"), "rated": N_("评价"), "signed_in": N_("签到"),
}
KINDS = {
    "notice": N_("公开事项"), "attachment": N_("附件"), "objection": N_("异议"), "catalogue": N_("公开目录"),
    "proposal": N_("提案"), "congress": N_("教代会"), "consultation": N_("征求意见"), "evaluation": N_("民主评议"),
    "auth": N_("账号"), "user": N_("用户"), "body": N_("机构任职"), "department": N_("部门"), "roster": N_("名册"),
}


def add_sentences(sentences: Mapping[str, Sentence], namers: Mapping[str, Namer] | None = None) -> None:
    SENTENCES.update(sentences)
    NAMERS.update(namers or {})


def _summary(event: AuditEvent) -> dict[str, Any]:
    try:
        found = json.loads(event.summary or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def describe(session: Session, events: Iterable[AuditEvent]) -> dict[int, Message]:
    """Each event's sentence, by event id, for one page of the log (a few queries in all)."""
    events = list(events)
    summaries = {e.id: _summary(e) for e in events}
    wanted: dict[str, set[int]] = {}
    people: set[int] = set()
    for e in events:
        sentence = SENTENCES.get(e.action)
        if e.object_type in NAMERS and e.object_id.isdigit():
            wanted.setdefault(e.object_type, set()).add(int(e.object_id))
        for key in sentence.people if sentence else ():
            if isinstance(summaries[e.id].get(key), int):
                people.add(summaries[e.id][key])
    names: dict[int, str] = {}
    if people:
        from portal.auth.models import User

        names = dict(session.execute(select(User.id, User.name).where(User.id.in_(people))).tuples().all())
    objects = {kind: NAMERS[kind](session, sorted(ids)) for kind, ids in wanted.items()}
    return {e.id: _sentence(e, summaries[e.id], names, objects) for e in events}


def _sentence(event: AuditEvent, summary: dict[str, Any], names: dict[int, str],
              objects: dict[str, dict[int, Any]]) -> Message:
    named = objects.get(event.object_type, {}).get(int(event.object_id)) if event.object_id.isdigit() else None
    obj: Any = named if named is not None else (f"#{event.object_id}" if event.object_id else "")
    sentence = SENTENCES.get(event.action)
    if sentence is None:
        kind, _, verb = event.action.partition(".")
        verb_key = verb if verb in VERBS else verb.rsplit("_", 1)[-1]
        what: Any = Message(VERBS[verb_key]) if verb_key in VERBS else verb
        return Message(N_("%(actor)s：%(what)s%(kind)s %(object)s"), actor=event.actor_name, what=what,
                       kind=Message(KINDS[kind]) if kind in KINDS else kind, object=obj)
    params: dict[str, Any] = {k: v for k, v in summary.items() if isinstance(v, (str, int, float)) or v is None}
    params = {k: "—" if v is None else v for k, v in params.items()}
    for key in sentence.people:
        user_id = summary.get(key)
        params[key] = names.get(user_id, "—") if isinstance(user_id, int) else "—"
    for key, table in (sentence.words or {}).items():
        value = summary.get(key)
        params[key] = Message(table[value]) if value in table else ("—" if value is None else value)
    params.update(actor=event.actor_name, object=obj)
    try:
        return Message(sentence.template, **params)
    except (KeyError, TypeError, ValueError):  # an older event without a key the sentence names: fall back to the raw verb
        return Message(N_("%(actor)s：%(what)s %(object)s"), actor=event.actor_name, what=event.action, object=obj)
