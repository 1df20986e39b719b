"""Rich text: the Markdown staff write (notices, consultation drafts and summaries, the work
report) as sanitised HTML. One renderer for every feature. Pure: no database, no Flask.

Rendering is slow work next to a write: views render before they take the write lock, and
hand the HTML to the rule.
"""
from __future__ import annotations

import re

import cmarkgfm
import nh3
from cmarkgfm import cmark
from markupsafe import escape

_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}


def render_markdown(text: str) -> str:
    """Markdown to HTML, then sanitised: no raw HTML, scripts, styles or ``hx-*`` survive.

    cmark (CommonMark with GitHub's tables) runs in time linear in its input, so anything up
    to a notice's 50,000 characters renders in milliseconds (Python-Markdown took minutes on 50,000 "[").
    Its safe mode already drops raw HTML and empties unsafe link targets; nh3 then keeps only
    our tags, and a link left without an address is shown as its text.
    """
    # "不支持 HTML": tags typed in the text are dropped first, so that a line which starts
    # with one is still Markdown (CommonMark would take the whole line as an HTML block).
    text = _HTML_TAG.sub("", text or "")
    html = cmarkgfm.github_flavored_markdown_to_html(text, options=cmark.Options.CMARK_OPT_DEFAULT)
    if _nesting(html) > MAX_NESTING:
        # 25,000 nested quotes ("> > > ...") take the sanitiser seconds; nobody writes them.
        html = "<p>" + escape(text).replace("\n", "<br>") + "</p>"
    html = nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return _LINK_WITHOUT_ADDRESS.sub(r"\1", html)


# A tag as typed: "<" and a letter (or "</"), up to the next ">" on the line. [^<>\n] keeps
# the scan linear: a run of "<a<a<a..." never rescans the rest of the line.
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>")
MAX_NESTING = 64
_TAG = re.compile(r"<(/?)([a-z0-9]+)[^>]*?(/?)>")
_VOID = {"br", "hr", "img", "input"}


def _nesting(html: str) -> int:
    """How deeply cmark's (well-formed) output nests its elements: one linear pass."""
    depth = deepest = 0
    for closing, name, self_closing in _TAG.findall(html):
        if name in _VOID or self_closing:
            continue
        depth += -1 if closing else 1
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            break
    return deepest


# nh3 writes attributes with double quotes; an <a> whose href is missing or empty is unwrapped.
_LINK_WITHOUT_ADDRESS = re.compile(r'<a(?![^>]*\shref="[^"]+")[^>]*>(.*?)</a>', re.S)
