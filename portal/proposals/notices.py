"""Who hears of each proposal step (``portal.notify``): whoever must act next, and the
proposer and co-signers whose proposal changed."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import Department, Role, User, UserRole
from portal.i18n import N_
from portal.notify.rules import notify
from portal.proposals.models import Proposal
from portal.proposals.queries import cosigners_now


def _subject(proposal: Proposal) -> tuple[str, int]:
    return ("proposal", proposal.id)


def _cosigners(session: Session, proposal: Proposal) -> list[int]:
    return [c.user_id for c in cosigners_now(session, proposal)]


def _union(session: Session) -> list[int]:
    return list(session.scalars(select(User.id).join(UserRole, UserRole.user_id == User.id)
                                .where(UserRole.role == Role.UNION.value, User.active.is_(True))))


def _head(session: Session, department_id: int | None) -> list[int | None]:
    department = session.get(Department, department_id) if department_id else None
    return [department.head_id] if department else []


def invited(session: Session, proposal: Proposal, invitee_id: int, proposer: User) -> None:
    notify(session, [invitee_id], N_("%(name)s邀请您附议提案“%(title)s”"), subject=_subject(proposal),
           actor_id=proposer.id, name=proposer.name, title=proposal.title)


def cosigned(session: Session, proposal: Proposal, user: User) -> None:
    notify(session, [proposal.proposer_id], N_("%(name)s附议了您的提案“%(title)s”"), subject=_subject(proposal),
           actor_id=user.id, name=user.name, title=proposal.title)


def declined(session: Session, proposal: Proposal, user: User) -> None:
    notify(session, [proposal.proposer_id], N_("%(name)s谢绝附议您的提案“%(title)s”"), subject=_subject(proposal),
           actor_id=user.id, name=user.name, title=proposal.title)


def submitted(session: Session, proposal: Proposal) -> None:
    notify(session, _union(session), N_("提案“%(title)s”已提交，请审查"), subject=_subject(proposal),
           actor_id=proposal.proposer_id, title=proposal.title)


def reviewed(session: Session, proposal: Proposal, actor: User, message: str) -> None:
    notify(session, [proposal.proposer_id, *_cosigners(session, proposal)], message, subject=_subject(proposal),
           actor_id=actor.id, title=proposal.title)


def merged(session: Session, proposal: Proposal, target: Proposal, actor: User) -> None:
    notify(session, [proposal.proposer_id, *_cosigners(session, proposal)],
           N_("提案“%(title)s”已并入第 %(into)d 号提案“%(target)s”，您仍是其提案人或附议人"),
           subject=_subject(proposal), actor_id=actor.id, title=proposal.title, into=target.id, target=target.title)
    notify(session, [target.proposer_id], N_("第 %(id)d 号提案“%(title)s”已并入您的提案“%(target)s”"),
           subject=_subject(target), actor_id=actor.id, id=proposal.id, title=proposal.title, target=target.title)


def assigned(session: Session, proposal: Proposal, lead: Department, others: list[Department], actor: User) -> None:
    assert proposal.deadline is not None
    notify(session, [lead.head_id], N_("提案“%(title)s”交由贵部门承办，请于 %(date)s 前答复"),
           subject=_subject(proposal), actor_id=actor.id, title=proposal.title, date=proposal.deadline.isoformat())
    notify(session, [d.head_id for d in others], N_("提案“%(title)s”请贵部门协办，请在答复前填写协办意见"),
           subject=_subject(proposal), actor_id=actor.id, title=proposal.title)
    notify(session, [proposal.proposer_id], N_("您的提案“%(title)s”已交办，办理期限 %(date)s"),
           subject=_subject(proposal), actor_id=actor.id, title=proposal.title, date=proposal.deadline.isoformat())


def answered(session: Session, proposal: Proposal, actor: User) -> None:
    notify(session, [proposal.proposer_id], N_("您的提案“%(title)s”已答复，请评价"), subject=_subject(proposal),
           actor_id=actor.id, title=proposal.title)
    notify(session, _cosigners(session, proposal), N_("您附议的提案“%(title)s”已答复"), subject=_subject(proposal),
           actor_id=actor.id, title=proposal.title)


def returned(session: Session, proposal: Proposal, actor: User) -> None:
    assert proposal.deadline is not None
    notify(session, [*_head(session, proposal.lead_department_id), *_union(session)],
           N_("提案人对“%(title)s”的答复不满意，请于 %(date)s 前再次办理答复"), subject=_subject(proposal),
           actor_id=actor.id, title=proposal.title, date=proposal.deadline.isoformat())


def rated(session: Session, proposal: Proposal, actor: User) -> None:
    notify(session, [*_head(session, proposal.lead_department_id), *_union(session)],
           N_("提案“%(title)s”的办理已评价，办结"), subject=_subject(proposal), actor_id=actor.id, title=proposal.title)
