"""What may happen now comes from the workflow (``Workflow.available`` through the ``actions()``
template global) and from the permissions, never from a template comparing a state or a kind
with a literal: such a comparison is a second copy of the workflow that drifts from the first."""
from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# ``x.state == 'open'``, ``status in ("draft", ...)``, ``kind != "urge"``: a stored code compared
# in Jinja. Labels looked up by code (``labels.status[p.status]``) are fine.
LITERAL = re.compile(r"""\b(?:\w+\.)*\w*(?:state|status|kind)\s*(?:==|!=|\bnot\s+in\b|\bin\b)\s*[\('"]""")
TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)


def state_literals(text: str) -> list[str]:
    return [m.group(0) for tag in TAG.finditer(text) for m in LITERAL.finditer(tag.group(0))]


def test_the_pattern_finds_what_it_is_for():
    assert state_literals("{% if res.state == 'open' and can(u, 'x', res) %}")
    assert state_literals('{% for p in polls if p.status == "open" %}')
    assert state_literals("{% if meeting.state in ('planned', 'settled') %}")
    assert state_literals("{{ _('a') if row.kind == 'urge' else _('b') }}")
    assert state_literals("{% if kind != 'regular_report' %}")
    assert not state_literals("{{ labels.status[p.status] }} {% if 'settle' in actions(meeting) %}")
    assert not state_literals("<p>state == 'open'</p>")


def test_no_template_compares_a_state_with_a_literal():
    found = [f"{path.relative_to(TEMPLATES)}: {hit}" for path in sorted(TEMPLATES.rglob("*.html"))
             for hit in state_literals(path.read_text(encoding="utf-8"))]
    assert not found, f"{len(found)} state or kind literals in templates:\n" + "\n".join(found)


OWNER = re.compile(r"current_user\.id\s*(?:==|!=|\bin\b|\bnot\s+in\b)|(?:==|!=)\s*current_user\.id")


def test_no_template_decides_ownership_itself():
    """Whose proposal, whose report: a permission (or a rule) answers, never ``current_user.id == …``
    in a template, where a fragment or another page would ask differently."""
    assert OWNER.search('{% if current_user.id == p.proposer_id %}') and OWNER.search("{% if x != current_user.id %}")
    found = [f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for path in sorted(TEMPLATES.rglob("*.html"))
             for tag in TAG.finditer(path.read_text(encoding="utf-8")) for m in OWNER.finditer(tag.group(0))]
    assert not found, "\n".join(found)
