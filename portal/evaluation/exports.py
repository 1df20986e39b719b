"""The results of a closed evaluation as XLSX, for the Party committee's files."""
from __future__ import annotations

from flask_babel import gettext as _
from openpyxl import Workbook

from portal.evaluation.forms import GRADE_LABELS
from portal.evaluation.models import GRADES, Evaluation, Grade
from portal.evaluation.queries import SubjectResult
from portal.evaluation.rules import MIN_GROUP
from portal.xlsx import append_row, save


def results_workbook(evaluation: Evaluation, rows: list[SubjectResult]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("评议结果")
    append_row(ws, [evaluation.title, evaluation.period])
    append_row(ws, [_("应参加 %(eligible)d 人，实参加 %(raters)d 人", eligible=evaluation.eligible_count,
                      raters=evaluation.rater_count)])
    append_row(ws, [_("姓名"), _("职务"), *[str(GRADE_LABELS[g.value]) for g in GRADES], _("合计"), _("优秀率"),
                    _("称职以上率")])
    for r in rows:
        if r.shown:
            append_row(ws, [r.subject.user.name, r.subject.title, *[r.counts[g.value] for g in GRADES], r.total,
                            f"{float(r.share(Grade.EXCELLENT)):.1%}",
                            f"{float(r.share(Grade.EXCELLENT, Grade.COMPETENT)):.1%}"])
        else:
            append_row(ws, [r.subject.user.name, r.subject.title,
                            _("评议人数不足 %(n)d 人，不显示结果", n=MIN_GROUP)])
    append_row(ws, [_("票箱校验码（SHA-256）"), evaluation.digest])
    return save(wb)
