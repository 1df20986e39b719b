"""The congress's terms and rosters, answered once (portal.org.roster) for every feature."""
from __future__ import annotations

from datetime import date

from portal.evaluation.models import Evaluation, Raters
from portal.evaluation.rules import eligible_raters
from portal.org.memberships import Memberships
from portal.org.models import CongressTerm, Representative, TermKind
from portal.org.roster import current_term, roster_ids, roster_people, terms_of
from tests.conftest import make_user


def _term(session, number: int, starts: date, ends: date, kind: TermKind = TermKind.CONGRESS) -> CongressTerm:
    term = CongressTerm(number=number, name=f"第{number}届", starts_on=starts, ends_on=ends, kind=kind.value)
    session.add(term)
    session.flush()
    return term


def test_the_current_term_is_the_newest_whose_dates_include_the_day(session, people):
    fifth = _term(session, 5, date(2021, 9, 1), date(2026, 8, 31))
    sixth = _term(session, 6, date(2026, 7, 1), date(2031, 6, 30))  # overlaps the fifth's last months
    assert current_term(session, date(2025, 1, 1)) is fifth
    assert current_term(session, date(2026, 8, 1)) is sixth
    assert current_term(session, date(2100, 6, 1)) is None  # after every term, the fixtures' too


def test_a_roster_on_a_day_counts_dates_the_term_and_active_accounts(session, people):
    term = _term(session, 5, date(2021, 9, 1), date(2026, 8, 31))
    stays, leaves, late, off = (make_user(n) for n in ("r-stays", "r-leaves", "r-late", "r-off"))
    off.active = False
    for u, joined, left in ((stays, date(2021, 9, 1), None), (leaves, date(2021, 9, 1), date(2023, 12, 31)),
                            (late, date(2024, 3, 1), None), (off, date(2021, 9, 1), None)):
        session.add(Representative(term_id=term.id, user_id=u.id, joined_on=joined, left_on=left))
    session.flush()
    assert roster_ids(session, term.id, date(2023, 6, 1)) == sorted([stays.id, leaves.id])
    assert roster_ids(session, term.id, date(2024, 6, 1)) == sorted([stays.id, late.id])
    assert roster_ids(session, term.id, date(2027, 1, 1)) == []  # the term is over
    assert [u.id for u in roster_people(session, term.id, date(2024, 6, 1))] == \
        [u.id for u in sorted([stays, late], key=lambda u: u.staff_no)]
    assert terms_of(session, leaves.id, date(2023, 6, 1)) == {term.id}
    assert terms_of(session, leaves.id, date(2024, 6, 1)) == frozenset()


def test_an_assembly_term_is_the_whole_active_staff_for_every_feature(session, people):
    """教职工大会: memberships (so every permission), evaluation raters and the roster agree."""
    term = _term(session, 7, date(2026, 1, 1), date(2030, 12, 31), TermKind.ASSEMBLY)
    teacher, gone = make_user("teacher-a"), make_user("teacher-b", active=False)
    on = date(2026, 3, 1)
    assert teacher.id in roster_ids(session, term.id, on) and gone.id not in roster_ids(session, term.id, on)
    assert Memberships(session, on).is_representative(teacher.id, term.id)
    assert not Memberships(session, on).is_representative(gone.id, term.id)
    evaluation = Evaluation(title="评议", period="2026", raters=Raters.REPRESENTATIVES.value, term_id=term.id,
                            created_by_id=teacher.id)
    assert eligible_raters(session, evaluation, on) == roster_ids(session, term.id, on)
