"""Read a rendered page the way a crawler or browser does (stdlib parser, no
regexes over HTML), so the SEO and escaping tests check real markup."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Element:
    tag: str
    attrs: dict
    text: str = ""
    end: int | None = None  # index in PageParts.elements just past this element's content


@dataclass
class PageParts:
    elements: list = field(default_factory=list)
    title: str = ""

    def find_all(self, tag, **attrs):
        return [
            el
            for el in self.elements
            if el.tag == tag
            and all(el.attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())
        ]

    def meta(self, *, name=None, prop=None):
        """The content of the one <meta> with this name or property (fails if missing or repeated)."""
        key, value = ("name", name) if name else ("property", prop)
        found = [
            el.attrs.get("content") for el in self.elements if el.tag == "meta" and el.attrs.get(key) == value
        ]
        assert len(found) == 1, f"expected one <meta {key}={value!r}>, found {len(found)}"
        return found[0]

    def link(self, rel):
        found = [el.attrs["href"] for el in self.elements if el.tag == "link" and el.attrs.get("rel") == rel]
        assert len(found) == 1, f"expected one <link rel={rel!r}>, found {len(found)}"
        return found[0]

    def scripts(self):
        return self.find_all("script")

    def inside(self, outer):
        """Elements nested inside `outer`, in document order."""
        start = next(i for i, el in enumerate(self.elements) if el is outer)
        return self.elements[start + 1 : outer.end]

    def within(self, tag, **attrs):
        """Elements nested inside the first element matching tag/attrs."""
        outer = self.find_all(tag, **attrs)
        assert outer, f"no <{tag} {attrs}>"
        return self.inside(outer[0])


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = PageParts()
        self._open = []  # elements not yet closed; each collects the text inside it

    def handle_starttag(self, tag, attrs):
        el = Element(tag, {k: (v if v is not None else "") for k, v in attrs})
        self.parts.elements.append(el)
        if tag not in VOID:
            self._open.append(el)

    def handle_startendtag(self, tag, attrs):
        self.parts.elements.append(Element(tag, {k: (v if v is not None else "") for k, v in attrs}))

    def handle_endtag(self, tag):
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                if tag == "title":
                    self.parts.title = self._open[i].text.strip()
                for el in self._open[i:]:
                    el.end = len(self.parts.elements)
                del self._open[i:]
                break

    def handle_data(self, data):
        for el in self._open:
            el.text += data


def parse(html: str) -> PageParts:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.parts
