"""The decision routes in the route × role matrix (``tests/test_access_matrix.py``).

Object routes are tried on a Party meeting chaired by "secretary", recorded by "recorder" and
supervised by "supervisor", its agenda settled, its item (proposed by "leader") under
discussion; and on a staff-visible resolution owned by "principal" from an earlier meeting."""
from __future__ import annotations

from tests.access import LOGIN, PUBLIC

INSIDERS = frozenset({"leader", "secretary", "principal", "recorder", "supervisor", "admin"})
PROPOSERS = frozenset({"leader", "secretary", "principal"})
KEEPERS = frozenset({"recorder", "secretary"})  # the meeting's recorder and chair

ACCESS: dict[str, object] = {
    "decisions.workspace": INSIDERS,
    "decisions.procedure": INSIDERS,
    "decisions.adopt_procedure": frozenset({"secretary", "admin"}),
    "decisions.new_item": PROPOSERS,
    "decisions.item": INSIDERS,
    "decisions.record_view": frozenset({"secretary", "principal"}),
    "decisions.add_evidence": PROPOSERS,  # the proposer, the secretary and the principal
    "decisions.set_two_thirds": frozenset({"secretary"}),
    "decisions.repropose": PROPOSERS,
    "decisions.evidence_file": INSIDERS,
    "decisions.new_meeting": frozenset({"recorder", "secretary", "principal"}),
    "decisions.meeting": INSIDERS,
    "decisions.minutes": INSIDERS,
    "decisions.schedule": frozenset({"secretary"}),
    "decisions.unschedule": frozenset({"secretary"}),
    "decisions.settle": frozenset({"secretary"}),
    "decisions.send_papers": frozenset({"secretary"}),
    "decisions.attendance": KEEPERS,
    "decisions.hand_over_chair": KEEPERS,
    "decisions.stance": KEEPERS,
    "decisions.close": KEEPERS,
    "decisions.vote": KEEPERS,
    "decisions.decide": KEEPERS,
    "decisions.open_secret": KEEPERS,
    "decisions.close_secret": KEEPERS,
    # members present at the sample meeting (the seated test users): secretary, principal, leader
    "decisions.cast_secret": frozenset({"secretary", "principal", "leader"}),
    "decisions.defer": KEEPERS,
    "decisions.add_resolution": KEEPERS,
    "decisions.sign": frozenset({"recorder", "supervisor"}),
    "decisions.write_minutes": frozenset({"recorder"}),
    "decisions.add_paper": frozenset({"secretary"}),
    "decisions.paper_file": INSIDERS,
    "decisions.mark_papers_read": INSIDERS,  # attendees mark; other insiders are refused on the page
    "decisions.withdraw_signature": frozenset({"recorder"}),
    "decisions.tracker": PUBLIC,
    "decisions.tracker_export": PUBLIC,
    "decisions.resolution": LOGIN,  # staff-visible
    "decisions.report_file": LOGIN,
    "decisions.file_report": frozenset({"principal"}),
    "decisions.urge": frozenset({"secretary"}),
    "decisions.supervision_note": frozenset({"secretary"}),
    "decisions.confirm": frozenset({"secretary"}),
    "decisions.disclose": frozenset({"secretary"}),
    "decisions.add_opinion": frozenset({"supervisor"}),
    "decisions.answer_opinion": frozenset({"secretary"}),
    "decisions.record_approval": frozenset({"principal", "secretary"}),
    "decisions.reconsider": PROPOSERS,
    "decisions.congress_report": frozenset({"union", "admin", "secretary", "principal", "recorder"}),
    "decisions.attach_congress_report": frozenset({"principal", "recorder"}),  # sent back: no session chosen
    "decisions.self_check": frozenset({"secretary", "principal", "supervisor", "admin"}),
    "decisions.archive": frozenset({"secretary", "principal", "supervisor", "admin"}),
    "decisions.congress_report_export": frozenset({"union", "admin", "secretary", "principal", "recorder"}),
}


def sample_args(app, people: dict[str, int]) -> dict[str, object]:
    """Values for URL parameters, by name (objects made through the real rules)."""
    from datetime import date

    from portal.decisions.models import MeetingPaper, SupervisionOpinion
    from portal.decisions.rules import items as item_rules
    from portal.decisions.rules import resolutions as res_rules
    from portal.extensions import db
    from portal.files import store
    from tests.decisions import factories as f

    with app.app_context():
        s = db.session
        f.school(s)
        res = f.resolution(s, on=date(2026, 2, 10))
        # with files, so that the download routes have something to give
        pdf = store(app.config["UPLOAD_DIR"], "进展.pdf", b"%PDF-1.4\n%%EOF\n")
        report = res_rules.file_report(s, f.user(s, "principal"), res, "进展顺利", 30, date(2026, 3, 1),
                                       attachment=(pdf.filename, pdf.stored_name, pdf.sha256))
        item = f.item(s, "party", "教师培训经费安排")
        review = store(app.config["UPLOAD_DIR"], "评审意见.pdf", b"%PDF-1.4\n%%EOF\n")
        evidence = item_rules.add_evidence(s, f.user(s, "leader"), item, "expert", held_on=f.DAY, who="专家组",
                                           conclusion="可行",
                                           attachment=(review.filename, review.stored_name, review.sha256))
        meeting = f.settled(s, "party", [item])
        paper = MeetingPaper(meeting_id=meeting.id, uploaded_by_id=f.user(s, "secretary").id,
                             **store(app.config["UPLOAD_DIR"], "议程.pdf", b"%PDF-1.4\n%%EOF\n").columns())
        s.add(paper)
        opinion = SupervisionOpinion(subject_kind="meeting", subject_id=meeting.id, by_id=f.user(s, "supervisor").id,
                                     text="请核实会议材料送达时间。")
        s.add(opinion)
        s.commit()
        return {"meeting_id": meeting.id, "item_id": item.id, "resolution_id": res.id, "report_id": report.id,
                "evidence_id": evidence.id, "body": "party", "paper_id": paper.id, "kind": "meeting",
                "subject_id": meeting.id, "opinion_id": opinion.id}
