"""Spreadsheets of the tracker and of the report to the congress, through ``portal/xlsx.py``
(user text never becomes a formula)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook

from portal.decisions.queries import TrackerRow
from portal.errors import Message
from portal.i18n import N_
from portal.proposals.queries import Report
from portal.xlsx import append_row, save

Translate = Callable[[str], str]


def tracker_xlsx(rows: list[TrackerRow[Any]], headers: list[str], status_label: Callable[[str], str],
                 body_label: Callable[[str], str]) -> bytes:
    wb = Workbook()
    _resolutions(wb, rows, headers, status_label, body_label)
    return save(wb)


def congress_report_xlsx(rows: list[TrackerRow], headers: list[str], status_label: Callable[[str], str],
                         body_label: Callable[[str], str], proposals: tuple[str, Report, date] | None) -> bytes:
    """The report to the congress: the resolutions, then the handling of proposals (term
    name, the committee's report, the day) as the committee's own sheets."""
    wb = Workbook()
    _resolutions(wb, rows, headers, status_label, body_label)
    if proposals is not None:
        from portal.proposals.exports import add_report_sheets

        add_report_sheets(wb, *proposals)
    return save(wb)


def _resolutions(wb: Workbook, rows: list[TrackerRow[Any]], headers: list[str], status_label: Callable[[str], str],
                 body_label: Callable[[str], str]) -> None:
    ws = wb.active
    assert ws is not None
    ws.title = _("决议督办")  # every sheet is named in Chinese, never openpyxl's "Sheet"
    append_row(ws, headers)
    for r in rows:
        res = r.resolution
        append_row(ws, [
            res.id, res.title, body_label(res.body), r.meeting_title, r.owner_name, res.decided_on.isoformat(),
            res.deadline.isoformat() if res.deadline else "", status_label(r.status.value),
            r.last_report.isoformat() if r.last_report else "", r.next_due.isoformat() if r.next_due else "",
            r.reports, r.urgings,
        ])


@dataclass(frozen=True)
class ArchivedPaper:
    """One of a meeting's papers (会议材料) for the archive: where it goes in the bundle, the
    SHA-256 recorded at upload, and its bytes (None when storage has lost it)."""

    path: str
    item: str  # the agenda item it belongs to ("" for the meeting as a whole)
    sha256: str
    data: bytes | None


@dataclass(frozen=True)
class ArchivedMinutes:
    """One meeting's 会议记录 for the archive: its frozen text when signed by both, else only
    its name (``text`` None: listed as 未签署, with no content)."""

    path: str
    title: str
    held_on: date
    text: str | None = None
    sha256: str = ""
    recorder: str = ""
    recorder_at: str = ""
    supervisor: str = ""
    supervisor_at: str = ""
    papers: tuple[ArchivedPaper, ...] = ()


README = N_("""阳光校务 · 议事决策与决议督办归档包（%(year)d—%(next)d 学年）

本归档包只收入已由记录员和监督员签署的会议记录；尚未签署的会议只在 MANIFEST.txt 中列为“未签署”，不收入其内容。

一、文件
  minutes/      已签署的会议记录，内容与签署时冻结的文本逐字相同
  reports/      决议执行情况报告，附件放在其报告同名目录下
  evidence/     议题前置程序的记录附件（座谈会纪要、论证意见等），按议题编号存放
  papers/       会议材料（会前送达与会人员的文件），按“会议日期-会议编号”分目录存放；
                MANIFEST.txt 在每次会议下列出其材料、所属议题和上传时记录的 SHA-256 摘要
  resolutions.xlsx  决议督办台账
  MANIFEST.txt  清单：审计链头，每次会议记录的签署人、签署时间和 SHA-256 摘要，未签署的会议
  SHA256SUMS.txt    本包每个文件的 SHA-256 摘要

二、核对文件摘要
  在解压后的目录中运行：sha256sum -c SHA256SUMS.txt
  （Windows：certutil -hashfile 文件名 SHA256，与 SHA256SUMS.txt 中的值比对。）
  每个文件都应显示“OK”（或摘要一致）。

三、核对会议记录与审计链
  每份会议记录的摘要（MANIFEST.txt 中的 SHA-256）在签署时已写入系统的审计链（事项 meeting.minutes_signed）。
  在系统的审计日志中查到该会议的签署记录，其摘要应与本包中的文件摘要一致。

四、核对审计链头
  MANIFEST.txt 记录了打包时审计链的序号和链头摘要。此后任何对历史记录的修改、插入、删除都会改变链头：
  管理员运行 flask --app portal audit verify 可以逐条验证审计链；首页页脚公开显示当前链头，
  其序号不小于本包所记序号，且按序号查到的那一条摘要应与本包所记一致。
""")


def _paper_flag(paper: ArchivedPaper) -> str:
    """Whether the bytes in the bundle are the ones uploaded (the hash recorded then)."""
    import hashlib

    if paper.data is None:
        return str(Message(N_("（存储中找不到）")))
    if hashlib.sha256(paper.data).hexdigest() != paper.sha256:
        return str(Message(N_("（与上传时的摘要不符）")))
    return ""


def archive_zip(year: int, chain: tuple[int, str], minutes: list[ArchivedMinutes], resolutions_xlsx: bytes,
                reports: list[tuple[str, str]], attachments: list[tuple[str, bytes | None]]) -> bytes:
    """The school year's archive bundle: signed 会议记录 only (unsigned ones named in the
    manifest as 未签署), the resolutions spreadsheet, every progress report, every attached
    file under its record, each meeting's papers (会议材料) under papers/<day>-<meeting id>/; MANIFEST.txt with signers, signing times, hashes and the audit
    chain head; SHA256SUMS.txt for ``sha256sum -c``; a README in Chinese on checking both."""
    import hashlib
    import io
    import zipfile

    files: list[tuple[str, bytes]] = [(m.path, m.text.encode("utf-8")) for m in minutes if m.text is not None]
    files.append(("resolutions.xlsx", resolutions_xlsx))
    files += [(name, text.encode("utf-8")) for name, text in reports]
    files += [(name, data) for name, data in attachments if data is not None]
    files += [(p.path, p.data) for m in minutes for p in m.papers if p.data is not None]
    manifest = [str(Message(N_("学年：%(year)d—%(next)d"), year=year, next=year + 1)),
                str(Message(N_("审计链头：第 %(seq)d 条，SHA-256 %(hash)s"), seq=chain[0], hash=chain[1])), "",
                str(Message(N_("会议记录：")))]
    for m in minutes:
        if m.text is None:
            manifest.append(str(Message(N_("  %(day)s %(title)s：未签署（不收入内容）"), day=m.held_on.isoformat(),
                                        title=m.title)))
        else:
            manifest.append(str(Message(
                N_("  %(day)s %(title)s：%(path)s，SHA-256 %(hash)s；记录员 %(recorder)s 签署于 %(recorder_at)s，"
                   "监督员 %(supervisor)s 签署于 %(supervisor_at)s"),
                day=m.held_on.isoformat(), title=m.title, path=m.path, hash=m.sha256, recorder=m.recorder,
                recorder_at=m.recorder_at, supervisor=m.supervisor, supervisor_at=m.supervisor_at)))
        for paper in m.papers:
            manifest.append(str(Message(N_("    会议材料：%(path)s%(item)s，上传时 SHA-256 %(hash)s%(flag)s"), path=paper.path,
                                        item=str(Message(N_("（议题：%(title)s）"), title=paper.item)) if paper.item else "",
                                        hash=paper.sha256, flag=_paper_flag(paper))))
    missing = [name for name, data in attachments if data is None] + [
        p.path for m in minutes for p in m.papers if p.data is None]
    if missing:
        manifest += ["", str(Message(N_("存储中找不到的附件：")))] + [f"  {name}" for name in missing]
    files.append(("MANIFEST.txt", ("\n".join(manifest) + "\n").encode("utf-8")))
    files.append(("README.txt", str(Message(README, year=year, next=year + 1)).encode("utf-8")))
    sums = [f"{hashlib.sha256(data).hexdigest()}  {name}" for name, data in files]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            zf.writestr(name, data)
        zf.writestr("SHA256SUMS.txt", "\n".join(sums) + "\n")
    return buf.getvalue()
