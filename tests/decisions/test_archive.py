"""Issue 20.8: the archive holds only what is final and says so: signed 会议记录 with signers,
times and hashes; unsigned ones listed as 未签署 with no content; every attachment under its
record; a README in Chinese on checking the hashes and the chain head."""
from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import date

from portal.audit.rules import chain_head
from portal.decisions.models import Meeting
from portal.decisions.queries import minutes_text, names_for
from portal.decisions.rules import items as item_rules
from portal.decisions.rules import meetings as meeting_rules
from portal.decisions.rules import resolutions as res_rules
from portal.extensions import db
from portal.files import store
from tests.conftest import login_as
from tests.decisions import factories as f

ON = date(2026, 3, 10)  # school year 2025–2026


def test_only_signed_minutes_every_attachment_and_a_readme(app, client, people):
    with app.app_context():
        s = db.session
        f.school(s)
        rec, sup = f.user(s, "recorder"), f.user(s, "supervisor")
        # a signed meeting whose item carried a file as evidence, and whose resolution has a report with a file
        it = f.item(s, "party", "教师培训经费", technical=True)
        review = store(app.config["UPLOAD_DIR"], "专家论证意见.pdf", b"%PDF-1.4 review\n%%EOF\n")
        item_rules.add_evidence(s, f.user(s, "leader"), it, "expert", held_on=ON, who="专家组", conclusion="可行",
                                attachment=(review.filename, review.stored_name, review.sha256))
        signed = f.settled(s, "party", [it], on=ON)
        f.stances_in_order(s, signed, it, on=ON)
        from portal.decisions.rules import outcomes

        outcomes.vote(s, f.user(s, "secretary"), f.ms(s, ON), signed, it, "hands", yes=7, no=0, abstain=0)
        res = res_rules.add_resolution(s, rec, it, title="培训经费落实", text="", owner=f.user(s, "principal"),
                                       deadline=date(2026, 6, 30))
        meeting_rules.close_meeting(s, f.user(s, "secretary"), signed)
        f.write_minutes(s, signed)
        text = minutes_text(signed, names_for(s, signed))
        meeting_rules.sign_minutes(s, rec, signed, text)
        meeting_rules.sign_minutes(s, sup, signed, text)
        pdf = store(app.config["UPLOAD_DIR"], "进展.pdf", b"%PDF-1.4 progress\n%%EOF\n")
        res_rules.file_report(s, f.user(s, "principal"), res, "已拨付", 50, date(2026, 4, 1),
                              attachment=(pdf.filename, pdf.stored_name, pdf.sha256))
        # a meeting closed but not signed
        other, _ = f.passed_item(s, "未签署会议的议题UNSIGNED", on=date(2026, 3, 20))
        meeting_rules.close_meeting(s, f.user(s, "secretary"), other)
        s.commit()
        ids = {"signed": signed.id, "other": other.id, "hash": signed.minutes_hash, "text": signed.minutes_text}
        seq, head = chain_head(s)
    login_as(client, app, "supervisor")
    zf = zipfile.ZipFile(io.BytesIO(client.get("/decisions/self-check/archive.zip?year=2025").data))
    names = zf.namelist()
    signed_path = f"minutes/2026-03-10-{ids['signed']}.txt"
    assert signed_path in names and not any(n.endswith(f"-{ids['other']}.txt") for n in names)
    assert zf.read(signed_path).decode() == ids["text"]
    assert hashlib.sha256(zf.read(signed_path)).hexdigest() == ids["hash"]  # the hash in the audit chain
    manifest = zf.read("MANIFEST.txt").decode()
    assert f"SHA-256 {ids['hash']}" in manifest
    assert re.search(r"记录员 \S+ 签署于 \d{4}-\d\d-\d\d \d\d:\d\d，监督员 \S+ 签署于 \d{4}-\d\d-\d\d \d\d:\d\d", manifest)
    assert "未签署（不收入内容）" in manifest and "UNSIGNED" not in "".join(
        zf.read(n).decode("utf-8", "replace") for n in names if n.startswith("minutes/"))
    assert f"审计链头：第 {seq} 条，SHA-256 {head}" in manifest
    assert any(n.startswith("evidence/") and n.endswith("专家论证意见.pdf") for n in names)
    report_files = [n for n in names if n.startswith("reports/") and n.endswith("进展.pdf")]
    assert report_files and zf.read(report_files[0]) == b"%PDF-1.4 progress\n%%EOF\n"
    readme = zf.read("README.txt").decode()
    assert "sha256sum -c SHA256SUMS.txt" in readme and "审计链" in readme and "未签署" in readme
    sums = zf.read("SHA256SUMS.txt").decode().splitlines()
    assert len(sums) == len(names) - 1  # every file but the sums themselves, and nothing else
    for line in sums:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(zf.read(name)).hexdigest() == digest


def test_meeting_papers_go_under_their_meeting_listed_and_summed(app, client, people):
    """Item 20.8: each meeting's papers (会议材料) are in the bundle under papers/<day>-<id>/,
    named in MANIFEST.txt under their meeting (with their item and the hash recorded at
    upload), in SHA256SUMS.txt, and the README says where they are; a paper storage has lost
    is named as missing, not silently left out."""
    from portal.decisions.models import MeetingPaper
    from portal.files import path_of

    with app.app_context():
        s = db.session
        f.school(s)
        meeting, item = f.passed_item(s, "校服采购方案", on=ON)
        meeting_rules.close_meeting(s, f.user(s, "secretary"), meeting)
        sec = f.user(s, "secretary")
        agenda = store(app.config["UPLOAD_DIR"], "议程.pdf", b"%PDF-1.4 agenda\n%%EOF\n")
        plan = store(app.config["UPLOAD_DIR"], "采购方案.pdf", b"%PDF-1.4 plan\n%%EOF\n")
        lost = store(app.config["UPLOAD_DIR"], "比价表.pdf", b"%PDF-1.4 quotes\n%%EOF\n")
        rows = [MeetingPaper(meeting_id=meeting.id, uploaded_by_id=sec.id, **agenda.columns()),
                MeetingPaper(meeting_id=meeting.id, item_id=item.id, uploaded_by_id=sec.id, **plan.columns()),
                MeetingPaper(meeting_id=meeting.id, item_id=item.id, uploaded_by_id=sec.id, **lost.columns())]
        s.add_all(rows)
        s.commit()
        path_of(app.config["UPLOAD_DIR"], lost.stored_name).unlink()
        folder = f"papers/{ON.isoformat()}-{meeting.id}/"
        ids = [r.id for r in rows]
        plan_sha, title = plan.sha256, meeting.title
    login_as(client, app, "supervisor")
    zf = zipfile.ZipFile(io.BytesIO(client.get("/decisions/self-check/archive.zip?year=2025").data))
    names = zf.namelist()
    assert zf.read(f"{folder}{ids[0]}-议程.pdf") == b"%PDF-1.4 agenda\n%%EOF\n"
    assert zf.read(f"{folder}{ids[1]}-采购方案.pdf") == b"%PDF-1.4 plan\n%%EOF\n"
    assert f"{folder}{ids[2]}-比价表.pdf" not in names
    manifest = zf.read("MANIFEST.txt").decode()
    assert f"会议材料：{folder}{ids[1]}-采购方案.pdf（议题：校服采购方案），上传时 SHA-256 {plan_sha}" in manifest
    assert f"会议材料：{folder}{ids[2]}-比价表.pdf（议题：校服采购方案）" in manifest and "（存储中找不到）" in manifest
    assert manifest.index(f"{ON.isoformat()} {title}：未签署") < manifest.index(f"{folder}{ids[0]}")  # under its meeting
    sums = dict(reversed(line.split("  ", 1)) for line in zf.read("SHA256SUMS.txt").decode().splitlines())
    assert sums[f"{folder}{ids[1]}-采购方案.pdf"] == plan_sha
    assert "papers/" in zf.read("README.txt").decode()
