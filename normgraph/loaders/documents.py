"""Documents a user ingests: their text, and where they mention an instrument, a state or a programme.

The recogniser is data: the surface forms are the labels and alternative labels the graph holds
(queries/profiles/surface-forms.rq), compiled into one pattern that prefers the longest form.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from pyoxigraph import NamedNode, Triple

from ..errors import InputError
from ..files import read_text, regular_file
from ..rdf import DCT_FORMAT, DCT_TITLE, RDF_TYPE, facts, ng
from ..terms import DOCUMENTS

TEXT_TYPES = {".txt": "text/plain", ".text": "text/plain", ".md": "text/markdown", ".markdown": "text/markdown",
              ".html": "text/html", ".htm": "text/html", ".pdf": "application/pdf"}
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Mention:
    target: str
    kind: str
    form: str
    start: int
    end: int


class Recogniser:
    """Finds every surface form in a text; forms in capitals (C29, IPEC) must match their case, names need not."""

    def __init__(self, forms: list[dict]):
        self.exact: dict[str, tuple[str, str]] = {}
        self.folded: dict[str, tuple[str, str]] = {}
        for row in forms:
            form = " ".join(row["form"].split())
            # Two-letter forms (ISO codes, initials) would match ordinary words.
            if len(form) < 3:
                continue
            table = self.folded if any(ch.islower() for ch in form) else self.exact
            table.setdefault(form.lower() if table is self.folded else form, (row["target"], row["kind"]))
        alternatives = [(form, False) for form in self.exact] + [(form, True) for form in self.folded]
        alternatives.sort(key=lambda pair: -len(pair[0]))
        pattern = "|".join(("(?i:%s)" if folded else "%s") % r"\s+".join(map(re.escape, form.split(" ")))
                           for form, folded in alternatives)
        self.pattern = re.compile(rf"(?<!\w)(?:{pattern})(?!\w)")

    def mentions(self, text: str) -> Iterator[Mention]:
        for match in self.pattern.finditer(text):
            written = " ".join(match.group(0).split())
            target = self.exact.get(written) or self.folded.get(written.lower())
            if target:
                yield Mention(target[0], target[1], match.group(0), match.start(), match.end())


class TextOfHtml(HTMLParser):
    SKIPPED = {"script", "style", "head", "template"}
    BLOCKS = {"p", "div", "li", "br", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in self.SKIPPED
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        self.skipping -= tag in self.SKIPPED and self.skipping > 0

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def document_text(path: Path) -> tuple[str, str]:
    """The text normgraph reads from a file, and the file's media type; offsets refer to this text."""
    media_type = TEXT_TYPES.get(path.suffix.lower())
    if not media_type:
        raise InputError(f"{path}: cannot read {path.suffix or 'files without an extension'}; "
                         f"known: {', '.join(sorted(TEXT_TYPES))}")
    if media_type == "application/pdf":
        return pdf_text(regular_file(path)), media_type
    raw = read_text(path, "document")
    if media_type == "text/html":
        parser = TextOfHtml()
        parser.feed(raw)
        return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts)).strip(), media_type
    return raw, media_type


def pdf_text(path: Path) -> str:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:
        raise InputError(f"{path}: reading PDF needs pypdf: pip install 'normgraph[pdf]'") from None
    try:
        return "\n\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    except (PdfReadError, OSError, ValueError) as error:
        raise InputError(f"{path}: not a readable PDF ({error})") from None


def document_iri(path: Path) -> str:
    """One graph per file: its readable name and a digest of its full path, so that a/report.md and b/report.md,
    or ü.txt and ö.txt, never share a graph, and the same file ingested again replaces its own."""
    import hashlib

    readable = re.sub(r"[^a-z0-9]+", "-", path.name.lower()).strip("-") or "document"
    return DOCUMENTS + f"{readable}-{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:10]}"


def passages(text: str) -> Iterator[tuple[int, int]]:
    """The paragraphs of a text as (start, end) offsets."""
    start = 0
    for gap in PARAGRAPH_BREAK.finditer(text):
        yield start, gap.start()
        start = gap.end()
    yield start, len(text)


def document_triples(path: Path, text: str, media_type: str, found: list[Mention]) -> Iterator[Triple]:
    """The document, its passages that hold a mention, and the mentions (in text order)."""
    document = NamedNode(document_iri(path))
    yield from facts(document, [(RDF_TYPE, ng("Document")), (DCT_TITLE, path.name), (DCT_FORMAT, media_type),
                                (ng("characters"), len(text)), (ng("asOf"), dt.date.today().isoformat())])
    for number, (start, end) in enumerate(passages(text)):
        inside = [m for m in found if start <= m.start < end]
        if not inside:
            continue
        passage = NamedNode(f"{document.value}/passage/{number}")
        yield from facts(passage, [(RDF_TYPE, ng("Passage")), (ng("inDocument"), document),
                                   (ng("startOffset"), start), (ng("endOffset"), end),
                                   (ng("passageText"), text[start:end])])
        for mention in inside:
            node = NamedNode(f"{document.value}/mention/{mention.start}")
            yield from facts(node, [(RDF_TYPE, ng("Mention")), (ng("mentions"), NamedNode(mention.target)),
                                    (ng("surfaceForm"), mention.form), (ng("startOffset"), mention.start),
                                    (ng("endOffset"), mention.end), (ng("inPassage"), passage),
                                    (ng("inDocument"), document)])
