"""Words a school office uses (issue 21.13): the visible text of the pages says 校验码, 订阅,
格式说明 and 导出 Excel; the technical term (SHA-256, Atom, XLSX, Markdown) is at most in a
tooltip. The public home says what its tracker shows (the Party committee's and the office
meeting's resolutions), not "教职工代表大会决议"."""
from __future__ import annotations

from html.parser import HTMLParser

from tests.conftest import login_as

TECHNICAL = ("SHA-256", "Atom", "XLSX", "Markdown", "HTML")


class Visible(HTMLParser):
    """The text a reader sees: no attributes, no script or style."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = Visible()
    parser.feed(html)
    return " ".join(parser.parts)


def test_public_home_says_what_its_tracker_shows(app, client, people):
    text = visible(client.get("/").text)
    assert "教职工代表大会决议" not in text
    assert "党组织会议、校长办公会议作出的决议" in text


def test_plain_words_with_the_technical_term_in_a_tooltip(app, client, people):
    login_as(client, app, "admin")
    pages = {"/notices/school": "订阅", "/proposals": "导出 Excel", "/proposals/report": "导出 Excel",
             "/disclosure/compliance": "导出 Excel", "/audit/": "校验码"}
    for url, word in pages.items():
        html = client.get(url).text
        text = visible(html)
        assert word in text, url
        assert not [t for t in TECHNICAL if t in text], url
    html = client.get("/notices/school").text
    assert 'title="Atom' in html  # the term, for whoever needs it
    login_as(client, app, "union")
    text = visible(client.get("/consultations/new").text)
    assert "格式说明" in text and "Markdown" not in text and "HTML" not in text
