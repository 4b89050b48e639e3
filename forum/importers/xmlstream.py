"""Reading large XML archives safely and piece by piece.

defusedxml's expat reader refuses entity declarations and external references (no XXE, no
"billion laughs"); the file is fed in chunks, and each record element (a Disqus ``post``, a
WordPress ``item``) is handed over as a small tree with the line of its start tag, then dropped,
so memory stays flat however large the file is.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler, feature_namespaces
from xml.sax.xmlreader import AttributesNSImpl, Locator

from defusedxml import DefusedXmlException
from defusedxml.expatreader import create_parser

from forum.importers.archive import ArchiveUnreadable

CHUNK_BYTES = 64 * 1024


class XmlNode:
    """An element: namespace, local name, attributes, text, children, and its line."""

    __slots__ = ("attrs", "children", "line", "name", "ns", "parts")

    def __init__(self, ns: str, name: str, attrs: dict[tuple[str, str], str], line: int) -> None:
        self.ns = ns
        self.name = name
        self.attrs = attrs
        self.line = line
        self.children: list[XmlNode] = []
        self.parts: list[str] = []

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def find(self, name: str, ns: str | None = None) -> XmlNode | None:
        """The first child called ``name`` (in a namespace starting with ``ns``, if given)."""
        for child in self.children:
            if child.name == name and (ns is None or child.ns.startswith(ns)):
                return child
        return None

    def findall(self, name: str, ns: str | None = None) -> list[XmlNode]:
        return [c for c in self.children if c.name == name and (ns is None or c.ns.startswith(ns))]

    def child_text(self, name: str, ns: str | None = None) -> str:
        child = self.find(name, ns)
        return child.text.strip() if child is not None else ""

    def attr(self, name: str, ns: str | None = None) -> str | None:
        for (attr_ns, attr_name), value in self.attrs.items():
            if attr_name == name and (ns is None or (attr_ns or "").startswith(ns)):
                return value
        return None


class _Builder(ContentHandler):
    def __init__(
        self, is_record: Callable[[XmlNode, int], bool], on_record: Callable[[XmlNode], None]
    ):
        super().__init__()
        self.is_record = is_record
        self.on_record = on_record
        self.stack: list[XmlNode] = []
        self.root: XmlNode | None = None
        self.locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:
        self.locator = locator

    def startElementNS(
        self, name: tuple[str | None, str], qname: str | None, attrs: AttributesNSImpl
    ) -> None:
        line = self.locator.getLineNumber() if self.locator else 0
        node = XmlNode(
            name[0] or "",
            name[1],
            {(k[0] or "", k[1]): v for k, v in attrs.items()},
            line or 0,
        )
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:
        node = self.stack.pop()
        if self.stack and self.is_record(node, len(self.stack)):
            self.stack[-1].children.pop()
            self.on_record(node)

    def characters(self, content: str) -> None:
        if self.stack:
            self.stack[-1].parts.append(content)


def read_records(
    path: Path,
    *,
    is_record: Callable[[XmlNode, int], bool],
    on_record: Callable[[XmlNode], None],
    progress: Callable[[int], None] | None = None,
) -> XmlNode:
    """Stream ``path``, calling ``on_record`` for each element ``is_record(node, depth)`` picks.

    Returns the root with what is left (the elements that are not records). Raises
    ``ArchiveUnreadable`` with a line number for a malformed or unsafe file.
    """
    builder = _Builder(is_record, on_record)
    parser = create_parser(forbid_dtd=False, forbid_entities=True, forbid_external=True)
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(builder)
    builder.setDocumentLocator(parser)  # feed() never sets one; the parser is a Locator
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                parser.feed(chunk)
                if progress is not None:
                    progress(len(chunk))
            parser.close()
    except OSError as exc:
        raise ArchiveUnreadable(f"cannot be read ({exc.strerror})") from None
    except SAXParseException as exc:
        raise ArchiveUnreadable(
            f"not well-formed XML: {exc.getMessage()}", exc.getLineNumber()
        ) from None
    except DefusedXmlException as exc:
        raise ArchiveUnreadable(
            "refused: the file declares entities or loads external resources, which archives "
            f"never need and attacks do ({type(exc).__name__})",
            parser.getLineNumber(),
        ) from None
    if builder.root is None:
        raise ArchiveUnreadable("the file holds no XML")
    return builder.root
