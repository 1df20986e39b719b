"""The read side of proposals: the register of a term with its filters (each served by an
index that also gives the order), what waits for whom, overdue answers, and the
committee's report on proposal handling."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Integer, Select, and_, bindparam, cast, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session, joinedload, selectinload

from portal.auth.models import Department, User
from portal.congress.models import CongressTerm
from portal.proposals.models import Answer, Cohandler, Cosign, CosignStatus, Part, Proposal, Status

REGISTER_STATUSES = [s.value for s in Status if s is not Status.DRAFT]


@dataclass
class RegisterFilter:
    status: str = ""
    department_id: int = 0
    answer_class: str = ""
    rating: str = ""
    category: str = ""
    overdue: bool = False


def register(term_id: int, filters: RegisterFilter | None = None, today: date | None = None) -> Select[tuple[Proposal]]:
    """A term's proposals on record (not drafts), newest first, with what the rows show."""
    return _registered(select(Proposal).options(joinedload(Proposal.proposer), joinedload(Proposal.lead_department)),
                       term_id, filters, today)


def _registered(query: Select[Any], term_id: int, filters: RegisterFilter | None, today: date | None) -> Select[Any]:
    """``query`` narrowed to a term's proposals on record by the register's filters, in its order."""
    f = filters or RegisterFilter()
    query = query.where(Proposal.term_id == term_id, Proposal.status != Status.DRAFT.value).order_by(Proposal.id.desc())
    if f.status:
        query = query.where(Proposal.status == f.status)
    if f.department_id:
        query = query.where(Proposal.lead_department_id == f.department_id)
    if f.answer_class:
        query = query.where(Proposal.answer_class == f.answer_class)
    if f.rating:
        query = query.where(Proposal.rating == f.rating)
    if f.category:
        query = query.where(Proposal.category == f.category)
    if f.overdue and today is not None:
        # the longest overdue first: the order the index gives
        query = query.where(Proposal.status == Status.ASSIGNED.value, Proposal.deadline < today) \
            .order_by(None).order_by(Proposal.deadline, Proposal.id)
    return query


class Name(NamedTuple):
    name: str


class RegisterLine(NamedTuple):
    """A proposal as a row of the register page shows it (``proposals/register.html``): plain
    columns, the long texts (案由, 办法, answers) left in the database."""

    id: int
    title: str
    category: str
    status: str
    deadline: date | None
    answer_class: str | None
    rating: str | None
    merged_into_id: int | None
    proposer_name: str
    department_name: str | None

    @property
    def proposer(self) -> Name:
        return Name(self.proposer_name)

    @property
    def lead_department(self) -> Name | None:
        return Name(self.department_name) if self.department_name is not None else None

    def is_overdue(self, today: date) -> bool:
        return Proposal.is_overdue(self, today)  # type: ignore[arg-type]  # the one definition, on the model


def register_lines(term_id: int, filters: RegisterFilter | None = None, today: date | None = None) -> Select[Any]:
    """:func:`register` as the columns of :class:`RegisterLine`: the same rows in the same order."""
    # the names as scalar subqueries, not joins: the pager's count over this query then reads
    # the register's covering index alone
    proposer = select(User.name).where(User.id == Proposal.proposer_id).correlate(Proposal).scalar_subquery()
    department = (select(Department.name).where(Department.id == Proposal.lead_department_id)
                  .correlate(Proposal).scalar_subquery())
    query = select(Proposal.id, Proposal.title, Proposal.category, Proposal.status, Proposal.deadline,
                   Proposal.answer_class, Proposal.rating, Proposal.merged_into_id, proposer, department)
    return _registered(query, term_id, filters, today)


def mine(user: User) -> Select[tuple[Proposal]]:
    """A person's proposals of every term: those they propose (drafts included) and those they
    co-signed, latest change first."""
    cosigned = select(Cosign.proposal_id).where(Cosign.user_id == user.id,
                                                Cosign.status == CosignStatus.ACCEPTED.value)
    return (select(Proposal).options(joinedload(Proposal.term), joinedload(Proposal.lead_department))
            .where(or_(Proposal.proposer_id == user.id, Proposal.id.in_(cosigned)))
            .order_by(Proposal.updated_at.desc(), Proposal.id.desc()))


# Built once (issue 23): building and keying this statement cost more than running it;
# executed with the id as a bound parameter.
_PROPOSAL_PAGE = select(Proposal).options(
    joinedload(Proposal.proposer), joinedload(Proposal.lead_department), joinedload(Proposal.merged_into),
    selectinload(Proposal.cosigns).joinedload(Cosign.user),
    selectinload(Proposal.cohandlers).joinedload(Cohandler.department),
    selectinload(Proposal.answers).joinedload(Answer.department),
    selectinload(Proposal.answers).joinedload(Answer.answered_by),
    selectinload(Proposal.attachments),
).where(Proposal.id == bindparam("proposal_id"))


def load(session: Session, proposal_id: int) -> Proposal | None:
    """One proposal with everything its page shows."""
    return session.scalar(_PROPOSAL_PAGE, {"proposal_id": proposal_id})


def parts(session: Session, proposal: Proposal) -> list[Part]:
    return list(session.scalars(select(Part).options(joinedload(Part.department), joinedload(Part.by))
                                .where(Part.proposal_id == proposal.id).order_by(Part.round, Part.id)))


def cosigners_now(session: Session, proposal: Proposal) -> list[Cosign]:
    """Who co-signed, as the database has it now (``Proposal.cosigners`` says who counts)."""
    session.flush()
    session.refresh(proposal, ["cosigns"])
    return proposal.cosigners


def merged_here(session: Session, proposal: Proposal) -> list[Proposal]:
    """The proposals merged into this one, with their proposers and co-signers."""
    return list(session.scalars(
        select(Proposal).options(joinedload(Proposal.proposer), selectinload(Proposal.cosigns).joinedload(Cosign.user))
        .where(Proposal.merged_into_id == proposal.id).order_by(Proposal.id)
    ))


def overdue(today: date) -> Select[tuple[Proposal]]:
    """Assigned proposals past their deadline (served by ``ix_proposal_overdue``)."""
    return select(Proposal).where(Proposal.status == Status.ASSIGNED.value, Proposal.deadline < today)


def led_by(user: User) -> Any:
    """SQL: proposals whose lead department this user heads."""
    return Proposal.lead_department_id.in_(select(Department.id).where(Department.head_id == user.id))


def cohandled_by(user: User) -> Any:
    return Proposal.id.in_(select(Cohandler.proposal_id).join(Department, Department.id == Cohandler.department_id)
                           .where(Department.head_id == user.id))


def invitations(user: User) -> Select[tuple[Proposal]]:
    """Proposals this user is asked to co-sign and has not answered."""
    return (select(Proposal).join(Cosign, Cosign.proposal_id == Proposal.id)
            .where(Cosign.user_id == user.id, Cosign.status == CosignStatus.INVITED.value,
                   Proposal.status.in_([Status.DRAFT.value, Status.SUBMITTED.value]))
            .order_by(Proposal.id))


@dataclass
class Report:
    """The committee's report on proposal handling: counts and the list."""

    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_department: list[tuple[str, int, int, int]] = field(default_factory=list)  # name, assigned, answered, overdue
    by_rating: dict[str, int] = field(default_factory=dict)
    by_answer: dict[str, int] = field(default_factory=dict)
    rows: list[Proposal] = field(default_factory=list)
    unresolved: list[Proposal] = field(default_factory=list)  # 不满意 after the second round


def report(session: Session, term_id: int, today: date) -> Report:
    """Counts by status, department, answer class and rating, and every proposal on record."""
    result = Report()
    on_record = and_(Proposal.term_id == term_id, Proposal.status != Status.DRAFT.value)
    for column, target in ((Proposal.status, result.by_status), (Proposal.rating, result.by_rating),
                           (Proposal.answer_class, result.by_answer)):
        for value, n in session.execute(select(column, func.count()).where(on_record).group_by(column)):
            if value:
                target[value] = n
    result.total = sum(result.by_status.values())
    answered = or_(Proposal.status == Status.ANSWERED.value, Proposal.status == Status.CLOSED.value)
    late = and_(Proposal.status == Status.ASSIGNED.value, Proposal.deadline < today)
    rows = session.execute(
        select(Department.name, func.count(), func.count().filter(answered), func.count().filter(late))
        .join(Proposal, Proposal.lead_department_id == Department.id).where(on_record)
        .group_by(Department.id, Department.name, Department.position).order_by(Department.position, Department.name)
    ).all()
    result.by_department = [(name, n, a, o) for name, n, a, o in rows]
    result.rows = list(session.scalars(register(term_id).order_by(None).order_by(Proposal.id)))
    result.unresolved = [p for p in result.rows if p.unresolved]
    return result


# What waits for whom, as plain rows: (kind, proposal id, title, the person or None, deadline).
def terms_newest_first(session: Session) -> list[CongressTerm]:
    return list(session.scalars(select(CongressTerm).order_by(CongressTerm.number.desc())))


class DepartmentName(NamedTuple):
    id: int
    name: str


def department_names(session: Session) -> list[DepartmentName]:
    """Every department, in the school's order."""
    rows = session.execute(select(Department.id, Department.name).order_by(Department.position, Department.name))
    return [DepartmentName(i, n) for i, n in rows]


def departments(session: Session) -> list[Department]:
    """The departments in the school's order (the lead and co-handling departments to pick)."""
    return list(session.scalars(select(Department).order_by(Department.position, Department.name)))


def departments_by_id(session: Session) -> dict[int, Department]:
    return {d.id: d for d in session.scalars(select(Department).order_by(Department.position, Department.name))}


class TodoFact(NamedTuple):
    """One proposal step someone must take: ``kind`` (invited, rate, answer, part, review,
    assign, unresolved), the proposal, who must take it (None: the union), and the proposal's deadline."""

    kind: str
    proposal_id: int
    title: str
    who: int | None
    deadline: date | None


def todo_facts(session: Session) -> list[TodoFact]:
    """Every proposal step someone must take, in one statement (the dashboard keeps the
    result per data version, so it costs one query after a change and none otherwise):
    invitations to co-sign, answers to rate, answers and co-handlers' parts due (with the
    department head), and proposals to review or to assign (for the union)."""
    nobody = cast(null(), Integer)
    p = Proposal
    rows: Any = union_all(
        select(literal("invited"), p.id, p.title, Cosign.user_id, p.deadline).join(Cosign, Cosign.proposal_id == p.id)
        .where(Cosign.status == CosignStatus.INVITED.value, p.status.in_([Status.DRAFT.value, Status.SUBMITTED.value])),
        select(literal("rate"), p.id, p.title, p.proposer_id, p.deadline).where(p.status == Status.ANSWERED.value),
        select(literal("answer"), p.id, p.title, Department.head_id, p.deadline)
        .join(Department, Department.id == p.lead_department_id).where(p.status == Status.ASSIGNED.value),
        select(literal("part"), p.id, p.title, Department.head_id, p.deadline)
        .join(Cohandler, Cohandler.proposal_id == p.id).join(Department, Department.id == Cohandler.department_id)
        .where(p.status == Status.ASSIGNED.value),
        select(literal("review"), p.id, p.title, nobody, p.deadline).where(p.status == Status.SUBMITTED.value),
        select(literal("assign"), p.id, p.title, nobody, p.deadline).where(p.status == Status.ACCEPTED.value),
        select(literal("unresolved"), p.id, p.title, nobody, p.deadline).where(p.unresolved),
    )
    return [TodoFact(str(k), int(i), str(t), w, d) for k, i, t, w, d in session.execute(rows)]
