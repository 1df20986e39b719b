"""The congress routes in the route × role matrix (``tests/test_access_matrix.py``).

Object routes are tried on an open session of the current term (whose roster holds "rep"),
its open named motion (``poll_id``), and the session's hall display token.
"""
from __future__ import annotations

from tests.access import LOGIN, PUBLIC

UNION = frozenset({"union"})
OFFICE = frozenset({"principal", "recorder"})  # the principal's seat, or 党政办 acting for it

ACCESS: dict[str, object] = {
    "congress.index": LOGIN,
    "congress.create_session": UNION,
    "congress.create_term": UNION,
    "congress.show_session": LOGIN,
    "congress.edit_session": UNION,
    "congress.open_session": UNION,
    "congress.close_session": UNION,
    "congress.sign_in": LOGIN,  # anyone signed in sees the page; only representatives are signed in
    "congress.record_presence": UNION,
    "congress.rotate_display": UNION,
    "congress.public_results": PUBLIC,
    "congress.create_poll": UNION,
    "congress.show_poll": LOGIN,
    "congress.edit_poll": UNION,
    "congress.open_poll": UNION,
    "congress.close_poll": UNION,
    "congress.close_paper": UNION,
    "congress.vote": frozenset({"rep"}),
    "congress.publish": UNION,
    "congress.hall": PUBLIC,  # by its unguessable token
    "congress.hall_code_png": PUBLIC,
    "congress.roster": LOGIN,
    "congress.enrol": UNION,
    "congress.import_roster": UNION,
    "congress.leave": UNION,
    "congress.upload_document": UNION,  # the union is sent back with "no file"
    "congress.download_document": LOGIN,
    "congress.work_report": LOGIN,
    "congress.file_work_report": OFFICE,  # sent back: the session is open, the report is fixed
    "congress.mark_work_report_read": frozenset({"rep"}),
    "congress.leave_opinion": frozenset({"rep"}),
    "congress.answer_opinion": OFFICE,
    "congress.session_report": LOGIN,
}


def sample_args(app, people: dict[str, int]) -> dict[str, object]:
    """An open session with an open named motion, made through the real rules."""
    from portal.extensions import db
    from tests.congress import factories as f

    with app.app_context():
        union = f.user(db.session, "union")
        cs = f.open_session(db.session, union, requires_hall_code=True)
        poll = f.poll(db.session, union, cs)
        from portal.congress.rules.sessions import attach_document
        from portal.files import store

        doc = attach_document(db.session, union, cs, store(app.config["UPLOAD_DIR"], "议程.pdf", b"%PDF-1.4\n%%EOF\n"))
        from portal.congress.rules import work_report

        report = work_report.report_of(db.session, cs)
        opinion = work_report.leave_opinion(db.session, f.user(db.session, "rep"), report, "建议增加青年教师培养措施。")
        compiled = work_report.attach_compiled(db.session, f.user(db.session, "principal"), cs, "决议执行情况报告",
                                               "<section><h2>一、总体情况</h2><p>决议 3 项。</p></section>", doc)
        db.session.commit()
        from sqlalchemy import select

        from portal.congress.models import Representative

        rep_id = db.session.scalar(select(Representative.id).where(Representative.user_id == people["rep"]))
        return {"session_id": cs.id, "poll_id": poll.id, "token": cs.display_token, "term_id": cs.term_id,
                "rep_id": rep_id, "congress_file_id": doc.id, "opinion_id": opinion.id, "report_id": compiled.id}
