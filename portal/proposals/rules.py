"""Proposal rules: the whole lifecycle as plain functions over a session, each writing its
audit event and telling (``portal.notify``) whoever must act next or whose proposal changed.

The checks here hold whoever asks, and name the person who may: only a representative of
the term proposes or co-signs, never one's own; only the union (the proposal committee)
reviews and assigns; only the head of the lead department answers; only the proposer rates,
and after 不满意 once more, then the rating is final. ``portal.proposals.permissions``
decides who may try a route at all.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.audit.rules import record
from portal.auth.models import Department, Role, User
from portal.errors import DomainError
from portal.i18n import N_
from portal.org.memberships import Memberships
from portal.org.roster import current_term
from portal.proposals import notices, queries, similar
from portal.proposals.models import (
    MERGE_TARGETS,
    PROPOSAL_FLOW,
    AnswerClass,
    Answer,
    Category,
    Cohandler,
    Cosign,
    CosignStatus,
    Part,
    Proposal,
    ProposalAttachment,
    Rating,
    Status,
)
from portal.timeutil import to_local, utcnow

if TYPE_CHECKING:
    from portal.files import StoredFile

TITLE_MAX = 120
TEXT_MAX = 10_000
REASON_MAX = 2_000
MAX_ATTACHMENTS = 10
# The school's setting: how many co-signers a proposal needs before review (default 2).
SETTINGS = {"min_cosigners": 2, "second_round_days": 15}


class ProposalError(DomainError):
    """A request the proposal rules refuse; the message explains why."""


def _today(now: datetime | None) -> date:
    return to_local(now or utcnow()).date()


def _move(proposal: Proposal, action: str, refusal: str, **params: object) -> None:
    PROPOSAL_FLOW.move(proposal, action, ProposalError(refusal, **params))
    proposal.updated_at = utcnow()


def _text(value: str, empty: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ProposalError(empty)
    if len(value) > limit:
        raise ProposalError(N_("内容不能超过 %(max)d 个字。"), max=limit)
    return value


def _fields(title: str, reason: str, measures: str, category: str) -> tuple[str, str, str, str]:
    title = _text(title, N_("请填写提案标题。"), TITLE_MAX)
    reason = _text(reason, N_("请填写案由。"), TEXT_MAX)
    measures = _text(measures, N_("请填写建议措施。"), TEXT_MAX)
    if category not in {c.value for c in Category}:
        raise ProposalError(N_("请选择提案类别。"))
    return title, reason, measures, category


def _representative(session: Session, user: User, term_id: int, on: date, refusal: str) -> None:
    if not Memberships(session, on).is_representative(user.id, term_id):
        raise ProposalError(refusal)


# --- drafting and co-signing ---------------------------------------------------------------

def create_draft(session: Session, proposer: User, *, title: str, reason: str, measures: str, category: str,
                 now: datetime | None = None) -> Proposal:
    """A representative of the current term starts a proposal as a draft."""
    now = now or utcnow()
    term = current_term(session, _today(now))
    if term is None:
        raise ProposalError(N_("目前没有在任期内的教代会，不能提出提案。"))
    _representative(session, proposer, term.id, _today(now), N_("只有本届教代会代表可以提出提案。"))
    title, reason, measures, category = _fields(title, reason, measures, category)
    proposal = Proposal(term_id=term.id, title=title, reason=reason, measures=measures, category=category,
                        proposer_id=proposer.id, status=Status.DRAFT.value, created_at=now, updated_at=now)
    session.add(proposal)
    session.flush()
    similar.index(session, proposal)
    record(session, proposer, "proposal.drafted", proposal, term=term.id)
    return proposal


def update_draft(session: Session, actor: User, proposal: Proposal, *, title: str, reason: str, measures: str,
                 category: str) -> None:
    if not proposal.is_draft:
        raise ProposalError(N_("只有草稿可以修改。"))
    if actor.id != proposal.proposer_id:
        raise ProposalError(N_("只有提案人可以修改提案。"))
    proposal.title, proposal.reason, proposal.measures, proposal.category = _fields(title, reason, measures, category)
    proposal.updated_at = utcnow()
    similar.index(session, proposal)
    record(session, actor, "proposal.edited", proposal)


def attach(session: Session, actor: User, proposal: Proposal, stored: StoredFile) -> ProposalAttachment:
    """A file of the draft (by the proposer), or of the answer being written (by a handler:
    before the lead department answers, or the co-handler's part)."""
    if proposal.is_draft:
        if actor.id != proposal.proposer_id:
            raise ProposalError(N_("只有提案人可以为提案添加附件。"))
        round_ = 0
    elif proposal.status in (Status.ASSIGNED.value, Status.ANSWERED.value):
        if not handles(session, actor, proposal):
            raise ProposalError(N_("只有承办、协办部门的负责人可以为答复添加附件。"))
        round_ = proposal.round
    else:
        raise ProposalError(N_("现在不能为该提案添加附件。"))
    count = session.scalar(select(func.count()).select_from(ProposalAttachment)
                           .where(ProposalAttachment.proposal_id == proposal.id)) or 0
    if count >= MAX_ATTACHMENTS:
        raise ProposalError(N_("每个提案最多 %(max)d 个附件。"), max=MAX_ATTACHMENTS)
    att = ProposalAttachment(proposal_id=proposal.id, round=round_, uploaded_by_id=actor.id, **stored.columns())
    session.add(att)
    session.flush()
    record(session, actor, "proposal.attachment_added", att, proposal=proposal.id, filename=att.filename,
           sha256=att.sha256)
    return att


def _cosign_row(session: Session, proposal: Proposal, user_id: int) -> Cosign | None:
    return session.scalar(select(Cosign).where(Cosign.proposal_id == proposal.id, Cosign.user_id == user_id))


def _open_for_cosigning(proposal: Proposal) -> None:
    if not proposal.open_for_cosigning:
        raise ProposalError(N_("该提案已经审查，附议已经截止。"))


def cosign_refusal(proposal: Proposal, user_id: int, row: Cosign | None) -> ProposalError | None:
    """Why this person may not co-sign, whatever the roster says: their own proposal, or
    co-signed already. The page offers 附议 only when this is None."""
    if user_id == proposal.proposer_id:
        return ProposalError(N_("不能附议自己的提案。"))
    if row is not None and row.is_accepted:
        return ProposalError(N_("您已附议该提案，不能重复附议。"))
    return None


def invite(session: Session, proposer: User, proposal: Proposal, invitee: User, now: datetime | None = None) -> Cosign:
    """The proposer invites a representative of the term to co-sign."""
    now = now or utcnow()
    if proposer.id != proposal.proposer_id:
        raise ProposalError(N_("只有提案人可以邀请附议。"))
    _open_for_cosigning(proposal)
    if invitee.id == proposal.proposer_id:
        raise ProposalError(N_("不能邀请自己附议自己的提案。"))
    _representative(session, invitee, proposal.term_id, _today(now), N_("只能邀请本届教代会代表附议。"))
    if _cosign_row(session, proposal, invitee.id) is not None:
        raise ProposalError(N_("已经邀请过%(name)s。"), name=invitee.name)
    row = Cosign(proposal_id=proposal.id, user_id=invitee.id, status=CosignStatus.INVITED.value, invited_at=now)
    session.add(row)
    session.flush()
    record(session, proposer, "proposal.cosign_invited", proposal, user=invitee.id)
    notices.invited(session, proposal, invitee.id, proposer)
    return row


def cosign(session: Session, user: User, proposal: Proposal, now: datetime | None = None) -> Cosign:
    """附议: a representative of the term co-signs (invited or having found it), once, never
    their own."""
    now = now or utcnow()
    _open_for_cosigning(proposal)
    row = _cosign_row(session, proposal, user.id)
    refusal = cosign_refusal(proposal, user.id, row)
    if refusal is not None:
        raise refusal
    _representative(session, user, proposal.term_id, _today(now), N_("只有本届教代会代表可以附议。"))
    if row is None:
        row = Cosign(proposal_id=proposal.id, user_id=user.id, invited_at=now)
        session.add(row)
    row.status, row.answered_at = CosignStatus.ACCEPTED.value, now
    session.flush()
    record(session, user, "proposal.cosigned", proposal)
    notices.cosigned(session, proposal, user)
    return row


def decline(session: Session, user: User, proposal: Proposal, now: datetime | None = None) -> None:
    """An invited representative declines (or withdraws a co-signature before submission)."""
    row = _cosign_row(session, proposal, user.id)
    if row is None:
        raise ProposalError(N_("您没有收到该提案的附议邀请。"))
    if row.status == CosignStatus.DECLINED.value:
        raise ProposalError(N_("您已谢绝附议该提案。"))
    if not proposal.is_draft:
        raise ProposalError(N_("提案已提交审查，附议不能撤回。"))
    row.status, row.answered_at = CosignStatus.DECLINED.value, now or utcnow()
    record(session, user, "proposal.cosign_declined", proposal)
    notices.declined(session, proposal, user)


def cosigner_count(session: Session, proposal: Proposal) -> int:
    return len(queries.cosigners_now(session, proposal))


def submit(session: Session, proposer: User, proposal: Proposal, now: datetime | None = None) -> None:
    """Send the draft to the proposal committee: it needs the set number of co-signers."""
    now = now or utcnow()
    if proposer.id != proposal.proposer_id:
        raise ProposalError(N_("只有提案人可以提交提案。"))
    if not proposal.is_draft:
        raise ProposalError(N_("该提案已经提交。"))
    _representative(session, proposer, proposal.term_id, _today(now), N_("只有本届教代会代表可以提出提案。"))
    have, need = cosigner_count(session, proposal), SETTINGS["min_cosigners"]
    if have < need:
        raise ProposalError(N_("提交审查前至少需要 %(need)d 位代表附议，目前只有 %(have)d 位。"), need=need, have=have)
    _move(proposal, "submit", N_("该提案已经提交。"))
    proposal.submitted_at = now
    record(session, proposer, "proposal.submitted", proposal, cosigners=have)
    notices.submitted(session, proposal)


# --- review -------------------------------------------------------------------------------

def _reviewer(actor: User) -> None:
    if not actor.has_role(Role.UNION):
        raise ProposalError(N_("只有提案工作委员会（工会）可以审查和交办提案。"))


def _reviewed(proposal: Proposal, actor: User, now: datetime) -> None:
    proposal.reviewed_at, proposal.reviewed_by_id = now, actor.id


_ALREADY_REVIEWED = N_("该提案已经审查过，不能重复审查。")


def _check_reviewable(proposal: Proposal) -> None:
    if proposal.is_draft:
        raise ProposalError(N_("该提案尚未提交审查。"))
    if proposal.status != Status.SUBMITTED.value:
        raise ProposalError(_ALREADY_REVIEWED)


def accept(session: Session, actor: User, proposal: Proposal, now: datetime | None = None) -> None:
    """立案."""
    now = now or utcnow()
    _reviewer(actor)
    _check_reviewable(proposal)
    _move(proposal, "accept", _ALREADY_REVIEWED)
    _reviewed(proposal, actor, now)
    record(session, actor, "proposal.accepted", proposal)
    notices.reviewed(session, proposal, actor, N_("您的提案“%(title)s”已立案，将交办承办部门。"))


def merge(session: Session, actor: User, proposal: Proposal, target: Proposal | None, reason: str = "",
          now: datetime | None = None) -> None:
    """并案: the proposal joins ``target``; both stay linked, and the merged one's proposer and
    co-signers are kept on it and hear of it."""
    now = now or utcnow()
    _reviewer(actor)
    _check_reviewable(proposal)
    if target is None:
        raise ProposalError(N_("请填写要并入的提案编号。"))
    if target.id == proposal.id:
        raise ProposalError(N_("不能把提案并入它自己。"))
    if target.status == Status.MERGED.value:
        raise ProposalError(N_("第 %(id)d 号提案已并入其他提案，请并入它所并入的第 %(into)d 号提案。"),
                            id=target.id, into=target.merged_into_id or 0)
    if target.status not in MERGE_TARGETS:
        raise ProposalError(N_("只能并入已提交且未转为意见建议的提案。"))
    if target.term_id != proposal.term_id:
        raise ProposalError(N_("只能并入同一届教代会的提案。"))
    _move(proposal, "merge", _ALREADY_REVIEWED)
    _reviewed(proposal, actor, now)
    proposal.merged_into_id = target.id
    proposal.review_reason = (reason or "").strip()[:REASON_MAX]
    record(session, actor, "proposal.merged", proposal, into=target.id)
    notices.merged(session, proposal, target, actor)


def to_opinion(session: Session, actor: User, proposal: Proposal, reason: str, now: datetime | None = None) -> None:
    """转为意见建议, with the reason the proposer and staff will read."""
    now = now or utcnow()
    _reviewer(actor)
    _check_reviewable(proposal)
    reason = _text(reason, N_("转为意见建议时请写明理由。"), REASON_MAX)
    _move(proposal, "to_opinion", _ALREADY_REVIEWED)
    _reviewed(proposal, actor, now)
    proposal.review_reason = reason
    record(session, actor, "proposal.to_opinion", proposal, reason=reason)
    notices.reviewed(session, proposal, actor, N_("您的提案“%(title)s”未立案，已转为意见建议。"))


# --- assignment and answers ------------------------------------------------------------------

def assign(session: Session, actor: User, proposal: Proposal, lead: Department | None,
           cohandlers: list[Department], deadline: date | None, now: datetime | None = None) -> None:
    """交办 to a lead department (whose head answers) and optional co-handlers, by a deadline."""
    now = now or utcnow()
    _reviewer(actor)
    if proposal.status != Status.ACCEPTED.value:
        raise ProposalError(N_("只有已立案、尚未交办的提案可以交办。"))
    if lead is None:
        raise ProposalError(N_("请选择承办部门。"))
    if lead.head_id is None:
        raise ProposalError(N_("%(dept)s尚未指定负责人，无人可以答复：请先由系统管理员指定负责人。"), dept=lead.name)
    if deadline is None:
        raise ProposalError(N_("请填写办理期限。"))
    if deadline < _today(now):
        raise ProposalError(N_("办理期限不能早于今天。"))
    _move(proposal, "assign", N_("只有已立案、尚未交办的提案可以交办。"))
    proposal.lead_department_id, proposal.deadline, proposal.assigned_at = lead.id, deadline, now
    proposal.round = 1
    others = {d.id: d for d in cohandlers if d.id != lead.id}
    session.add_all(Cohandler(proposal_id=proposal.id, department_id=d) for d in sorted(others))
    session.flush()
    record(session, actor, "proposal.assigned", proposal, lead=lead.id, cohandlers=sorted(others),
           deadline=deadline.isoformat())
    notices.assigned(session, proposal, lead, list(others.values()), actor)


def heads_lead(actor: User, proposal: Proposal, session: Session) -> bool:
    lead = session.get(Department, proposal.lead_department_id) if proposal.lead_department_id else None
    return lead is not None and lead.head_id == actor.id


def cohandling_departments(session: Session, actor: User, proposal: Proposal) -> list[Department]:
    """The co-handling departments of this proposal that ``actor`` heads."""
    return list(session.scalars(
        select(Department).join(Cohandler, Cohandler.department_id == Department.id)
        .where(Cohandler.proposal_id == proposal.id, Department.head_id == actor.id).order_by(Department.id)
    ))


def handles(session: Session, actor: User, proposal: Proposal) -> bool:
    return heads_lead(actor, proposal, session) or bool(cohandling_departments(session, actor, proposal))


def answer(session: Session, actor: User, proposal: Proposal, answer_class: str, explanation: str,
           now: datetime | None = None) -> Answer:
    """The head of the lead department answers this round: solved / being solved or planned /
    cannot be solved now, with an explanation."""
    now = now or utcnow()
    if proposal.status == Status.ANSWERED.value or proposal.status == Status.CLOSED.value:
        raise ProposalError(N_("本轮已经答复，请等待提案人评价。"))
    if proposal.status != Status.ASSIGNED.value:
        raise ProposalError(N_("该提案尚未交办，不能答复。"))
    if not heads_lead(actor, proposal, session):
        raise ProposalError(N_("该提案未交办给您负责的部门，只有承办部门的负责人可以答复。"))
    if answer_class not in {a.value for a in AnswerClass}:
        raise ProposalError(N_("请选择答复类别。"))
    explanation = _text(explanation, N_("请填写答复说明。"), TEXT_MAX)
    assert proposal.lead_department_id is not None
    row = Answer(proposal_id=proposal.id, round=proposal.round, department_id=proposal.lead_department_id,
                 answer_class=answer_class, explanation=explanation, answered_by_id=actor.id, answered_at=now)
    session.add(row)
    _move(proposal, "answer", N_("该提案尚未交办，不能答复。"))
    proposal.answer_class = answer_class
    session.flush()
    record(session, actor, "proposal.answered", proposal, round=row.round, answer_class=answer_class)
    notices.answered(session, proposal, actor)
    return row


def add_part(session: Session, actor: User, proposal: Proposal, text: str, now: datetime | None = None) -> Part:
    """A co-handling department adds its part to this round's answer (once a round)."""
    now = now or utcnow()
    if proposal.status not in (Status.ASSIGNED.value, Status.ANSWERED.value):
        raise ProposalError(N_("该提案不在办理中。"))
    departments = cohandling_departments(session, actor, proposal)
    if not departments:
        raise ProposalError(N_("只有协办部门的负责人可以填写协办意见。"))
    done = set(session.scalars(select(Part.department_id).where(Part.proposal_id == proposal.id,
                                                                 Part.round == proposal.round)))
    department = next((d for d in departments if d.id not in done), None)
    if department is None:
        raise ProposalError(N_("本轮已填写协办意见。"))
    text = _text(text, N_("请填写协办意见。"), TEXT_MAX)
    part = Part(proposal_id=proposal.id, department_id=department.id, round=proposal.round, text=text,
                by_id=actor.id, at=now)
    session.add(part)
    session.flush()
    record(session, actor, "proposal.part_added", proposal, department=department.id, round=proposal.round)
    return part


def rate(session: Session, actor: User, proposal: Proposal, rating: str, comment: str = "",
         now: datetime | None = None) -> None:
    """The proposer rates the answer. 不满意 in the first round returns it to the lead
    department for one more round; the second rating is final."""
    now = now or utcnow()
    if actor.id != proposal.proposer_id:
        raise ProposalError(N_("只有提案人可以评价答复。"))
    if proposal.status == Status.CLOSED.value:
        raise ProposalError(N_("评价已是最终结果，不能再次评价。"))
    if proposal.status != Status.ANSWERED.value:
        raise ProposalError(N_("答复之后才能评价。"))
    if rating not in {r.value for r in Rating}:
        raise ProposalError(N_("请选择满意、基本满意或不满意。"))
    row = session.scalar(select(Answer).where(Answer.proposal_id == proposal.id, Answer.round == proposal.round))
    assert row is not None
    row.rating, row.rating_comment, row.rated_at = rating, (comment or "").strip()[:REASON_MAX], now
    proposal.rating = rating
    if rating == Rating.DISSATISFIED.value and proposal.round == 1:
        _move(proposal, "return", N_("答复之后才能评价。"))
        proposal.round = 2
        today = _today(now)
        proposal.deadline = max(proposal.deadline or today, today + timedelta(days=SETTINGS["second_round_days"]))
        proposal.answer_class = None
        record(session, actor, "proposal.rated", proposal, rating=rating, round=1, returned=True,
               deadline=proposal.deadline.isoformat())
        notices.returned(session, proposal, actor)
        return
    _move(proposal, "rate", N_("答复之后才能评价。"))
    proposal.closed_at = now
    record(session, actor, "proposal.rated", proposal, rating=rating, round=proposal.round, returned=False)
    notices.rated(session, proposal, actor)
