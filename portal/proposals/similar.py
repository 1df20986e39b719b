"""Similar proposals: Chinese character trigrams, computed here in Python and kept in
``proposal_gram`` (gram, proposal) rows, so the search is the same indexed lookup on SQLite
and PostgreSQL. Similarity is the overlap of the two trigram sets (shared trigrams over the
smaller set: a short title typed so far still finds the long proposal it repeats, which
the Jaccard index would drown); phrases every proposal uses (关于, 建议, 学校 ...) are left
out first so they make nothing alike."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal.proposals.models import Proposal, ProposalGram, Status

# Words that any proposal may contain; left in, they would make unrelated ones look alike.
_FILLER = re.compile("关于|建议|提案|希望|学校|我校|进一步|加强|问题|的|和|与|及|了|在|对|为")
_KEEP = re.compile(r"[^0-9a-z\u3400-\u9fff]+")
MAX_GRAMS = 300
REASON_CHARS = 400
THRESHOLD = 0.2
MIN_SHARED = 2


def grams(title: str, reason: str = "") -> set[str]:
    """The distinct character trigrams of title and (the start of) the reason."""
    found: set[str] = set()
    for part in (title or "", (reason or "")[:REASON_CHARS]):
        text = unicodedata.normalize("NFKC", part).lower()
        text = _KEEP.sub(" ", _FILLER.sub(" ", text))
        for run in text.split():
            found.update(run[i:i + 3] for i in range(len(run) - 2))
            if len(found) >= MAX_GRAMS:
                return set(sorted(found)[:MAX_GRAMS])
    return found


def index(session: Session, proposal: Proposal) -> None:
    """(Re)write the proposal's trigram rows."""
    found = grams(proposal.title, proposal.reason)
    if proposal.id is not None:
        session.execute(delete(ProposalGram).where(ProposalGram.proposal_id == proposal.id))
    session.add_all(ProposalGram(proposal_id=proposal.id, gram=g) for g in sorted(found))
    proposal.gram_count = len(found)
    session.flush()


@dataclass(frozen=True)
class Match:
    proposal: Proposal
    score: float


def find(session: Session, title: str, reason: str = "", exclude_id: int | None = None, limit: int = 5) -> list[Match]:
    """Submitted proposals of any term most like this text, best first (drafts are their
    authors' own and are never offered)."""
    wanted = grams(title, reason)
    if len(wanted) < MIN_SHARED:
        return []
    shared = func.count().label("shared")
    candidates = (
        select(ProposalGram.proposal_id, shared)
        .where(ProposalGram.gram.in_(sorted(wanted)))
        .group_by(ProposalGram.proposal_id)
        .having(func.count() >= MIN_SHARED)
        .order_by(shared.desc(), ProposalGram.proposal_id.desc())
        .limit(40)
        .subquery()
    )
    rows = session.execute(
        select(Proposal, candidates.c.shared).join(candidates, candidates.c.proposal_id == Proposal.id)
        .where(Proposal.status != Status.DRAFT.value, Proposal.id != (exclude_id or 0))
    ).all()
    matches = [Match(p, n / min(len(wanted), p.gram_count)) for p, n in rows if p.gram_count]
    matches = [m for m in matches if m.score >= THRESHOLD]
    return sorted(matches, key=lambda m: (-m.score, -m.proposal.id))[:limit]
