"""The board routes in the route × role matrix (``tests/test_access_matrix.py``).

Object routes are tried on a board made by the rules and a public published notice."""
from __future__ import annotations

from tests.access import ADMIN, PUBLIC

ACCESS: dict[str, object] = {
    "boards.screen": PUBLIC,  # the board's address is its key: no sign-in, public content only
    "boards.alive": PUBLIC,
    "boards.service_worker": PUBLIC,  # the screens' service worker script, the same for everyone
    "boards.boards": ADMIN,
    "boards.edit": ADMIN,
    "boards.rotate": ADMIN,  # a bare post (no confirm) changes nothing: the matrix keeps the address
    "boards.delete": ADMIN,
    "boards.notice_poster": PUBLIC,
    "boards.tracker_poster": PUBLIC,
    "boards.tracker_charts": PUBLIC,
}


def sample_args(app, people: dict[str, int]) -> dict[str, object]:
    from portal.boards import rules
    from portal.extensions import db
    from tests.disclosure import factories as nf

    with app.app_context():
        board = rules.create_board(db.session, None, "校门口")
        notice = nf.published(db.session, audience="public", title="公开的通知")
        db.session.commit()
        return {"token": board.token, "board_id": board.id, "notice_id": notice.id}
