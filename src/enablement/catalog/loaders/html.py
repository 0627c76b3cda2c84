"""HTML loader: visible text by heading, tables as rows; nothing remote is ever fetched."""

from __future__ import annotations

from bs4 import BeautifulSoup
from bs4.dammit import EncodingDetector
from bs4.element import Comment, NavigableString, PageElement, Tag

from enablement.catalog.loaders.safety import Limits, decode_text
from enablement.catalog.models import Document
from enablement.catalog.sections import SectionBuilder

_SKIP = {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "head",
         "canvas", "form", "button", "select", "nav"}  # fmt: skip
_INLINE = {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd",
           "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u",
           "var", "wbr", "label", "font", "del", "ins"}  # fmt: skip
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


# html.parser rescans the rest of the text for each construct that never closes (CPython's
# goahead): 200 KB of "<!--" took 30 s, and 50 MB would take days. An opener after the last
# closer it could ever match is plain text anyway, so it is escaped before parsing.
_NEVER_CLOSED = (("<!--", "-->"), ("<![", "]]>"), ("<", ">"))


def parse_html(text: str) -> BeautifulSoup:
    """`text` parsed by the standard-library parser, in time linear in its length."""
    for opener, closer in _NEVER_CLOSED:
        last = text.rfind(closer)
        cut = last + len(closer) if last >= 0 else 0
        if opener in text[cut:]:
            text = text[:cut] + text[cut:].replace(opener, "&lt;" + opener[1:])
    return BeautifulSoup(text, "html.parser")


def load_html(data: bytes, limits: Limits) -> Document:
    """Parse with the standard-library parser: no network, no external entities.

    The page's declared charset (`<meta charset>`, or an XML declaration) is honoured. Any depth
    of nesting is read: the walk keeps its own stack instead of recursing."""
    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    soup = parse_html(decode_text(data, declared=declared))
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if isinstance(title_tag, Tag) else None
    builder = SectionBuilder()
    walker = _Walker(builder)
    walker.walk(soup.body if isinstance(soup.body, Tag) else soup)
    walker.flush()
    return Document(sections=builder.sections(), title=title or builder.first_h1)


class _Walker:
    def __init__(self, builder: SectionBuilder) -> None:
        self._builder = builder
        self._inline: list[str] = []

    def flush(self) -> None:
        text = " ".join(" ".join(self._inline).split())
        self._inline = []
        self._builder.add(text)

    def walk(self, node: Tag) -> None:
        # An explicit stack, not recursion: a 100,000-deep page must not hit the recursion limit.
        # None marks the end of a block element, where the text gathered so far is flushed.
        stack: list[PageElement | None] = list(reversed(list(node.children)))
        while stack:
            child = stack.pop()
            if child is None:
                self.flush()
            elif isinstance(child, Comment):
                continue
            elif isinstance(child, NavigableString):
                self._inline.append(str(child))
            elif isinstance(child, Tag) and self._is_block(child):
                self.flush()
                stack.append(None)
                stack.extend(reversed(list(child.children)))

    def _is_block(self, tag: Tag) -> bool:
        """Handle `tag` if it is a leaf of the walk; True for a block whose children are next."""
        name = tag.name.casefold()
        if name in _SKIP:
            return False
        if name == "br":
            self._inline.append(" ")
        elif name == "img":
            alt = tag.get("alt")
            self._inline.append(alt if isinstance(alt, str) else "")
        elif name in _INLINE:
            self._inline.append(tag.get_text(" "))
        elif name in _HEADINGS:
            self.flush()
            self._builder.heading(_HEADINGS[name], tag.get_text(" ", strip=True))
        elif name == "tr":
            self.flush()
            cells = [c.get_text(" ", strip=True) for c in tag.find_all(["td", "th"])]
            self._builder.add(" | ".join(cell for cell in cells if cell))
        else:
            return True
        return False
