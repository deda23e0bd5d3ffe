"""Editors write page bodies in Markdown; what reaches a page is sanitized HTML.

Raw HTML in the source is escaped by the Markdown renderer (html=False) and the
result is cleaned again by nh3 with a short allowlist, so no script, style,
frame or event handler can be stored in a rendered body, whatever is typed.
"""

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "hr", "code",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}


def render_markdown(source: str) -> str:
    """Markdown source -> sanitized HTML fragment."""
    html = _markdown.render(source or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )


def lines(text: str) -> list[str]:
    """A field edited as one item per line -> the non-blank items."""
    return [line.strip().lstrip("-•* ").strip() for line in (text or "").splitlines() if line.strip()]
