"""SPARQL as text: reading what a query does before any engine parses it (its form, nesting, updates and
SERVICE targets), and writing bound parameters into it as terms for engines that cannot take them otherwise."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

UPDATE_FORMS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
QUERY_FORMS = {"SELECT": "SELECT", "ASK": "ASK", "CONSTRUCT": "GRAPH", "DESCRIBE": "GRAPH"}


# The SPARQL parser recurses once per nested group: thousands of levels overflow its stack and kill the process.
MAX_NESTING = 200


# The terminals of the SPARQL 1.1 grammar (section 19.8) that can hold a character which means something
# elsewhere: strings, IRIs, prefixed names (whose local part may escape '#', '{', '.' ... as \# or %23),
# variables and comments. Everything else is a keyword or one character of punctuation.
PN_LOCAL_CHAR = r"(?:[\w.:\-\u00B7\u0300-\u036F\u203F-\u2040]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
TOKEN = re.compile(r'''(?P<long>"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""|\'\'\'[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*\'\'\')'''
                   r'''|(?P<string>"[^"\\\n\r]*(?:\\.[^"\\\n\r]*)*"|'[^'\\\n\r]*(?:\\.[^'\\\n\r]*)*')'''
                   r'''|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)|(?P<comment>\#[^\n\r]*)'''
                   r'''|(?P<variable>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)'''
                   rf'''|(?P<pname>(?:[^\W\d_][\w.\-]*)?:{PN_LOCAL_CHAR}*)'''
                   r'''|(?P<blank>_:[\w.\-]+)|(?P<word>[^\W\d_]\w*)|(?P<space>\s+)|(?P<other>[\s\S])''')
# SPARQL reads \uXXXX and \UXXXXXXXX anywhere in a query as the character they name, before its grammar
# (section 19.2): "\u0053ERVICE" is SERVICE.
CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def unescaped(query: str) -> str:
    def character(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group(0)
    return CODEPOINT_ESCAPE.sub(character, query)


def tokens(query: str) -> Iterator[tuple[str, str]]:
    """(kind, text) of every token but spaces and comments, read as the engine reads the query."""
    for match in TOKEN.finditer(unescaped(query)):
        if match.lastgroup not in ("comment", "space"):
            yield match.lastgroup, match.group(0)


@dataclass(frozen=True)
class Reading:
    """What a query does, read in one pass over its tokens: the keyword after its prologue (its form, or an
    update's), how deep its groups and brackets nest, what each SERVICE names (an IRI without its brackets,
    a prefixed name or a variable), and whether its answer is fixed by the data it reads (no SERVICE, and none of
    the functions whose value changes from run to run)."""
    keyword: str
    depth: int
    services: tuple[str, ...]
    repeatable: bool


# SPARQL 1.1 functions whose value is not fixed by the data (section 17.4): the time of the query, random
# numbers, fresh identifiers and fresh blank nodes.
UNREPEATABLE_FUNCTIONS = {"NOW", "RAND", "UUID", "STRUUID", "BNODE"}


# Texts up to this long are read once and remembered (a client repeats its queries); longer ones are read each
# time, so that what the memory holds stays bounded (1,024 texts of 4 kB at most).
REMEMBERED_CHARS = 4096


def reading(query: str) -> Reading:
    return remembered_reading(query) if len(query) <= REMEMBERED_CHARS else read_tokens(query)


@lru_cache(maxsize=1024)
def remembered_reading(query: str) -> Reading:
    return read_tokens(query)


def read_tokens(query: str) -> Reading:
    keyword, depth, deepest, services, after_service, repeatable = None, 0, 0, [], False, True
    for kind, text in tokens(query):
        if keyword is None and not (kind in ("iri", "pname") or (kind == "word" and text.upper() in ("PREFIX", "BASE"))):
            keyword = text.upper()
        if kind == "other" and text in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif kind == "other" and text in "})]":
            depth -= 1
        elif kind == "word" and text.upper() == "SERVICE":
            after_service = True
        elif after_service and not (kind == "word" and text.upper() == "SILENT"):
            services.append(text[1:-1] if kind == "iri" else text)
            after_service = False
        elif kind == "word" and text.upper() in UNREPEATABLE_FUNCTIONS:
            repeatable = False
    return Reading(keyword or "", deepest, tuple(services), repeatable and not services)


def is_update(query: str) -> bool:
    """Whether the text is a SPARQL Update rather than a query."""
    return reading(query).keyword in UPDATE_FORMS


def query_form(query: str, read: Reading | None = None) -> str:
    """SELECT, ASK or GRAPH (CONSTRUCT, DESCRIBE), read from the text: the engine itself parses the query only
    where it runs (a worker, a bounded child, a remote server), so no query is parsed or run here."""
    from ..errors import QueryError

    read = read or reading(query)
    if read.depth > MAX_NESTING:
        raise QueryError(f"the query nests groups {read.depth} deep; normgraph takes up to {MAX_NESTING}")
    keyword = read.keyword
    if keyword not in QUERY_FORMS:
        shown = keyword[:40] or "nothing"
        raise QueryError(f"SPARQL syntax error: a query starts with SELECT, ASK, CONSTRUCT or DESCRIBE after its "
                         f"PREFIX and BASE declarations, not {shown!r}")
    return QUERY_FORMS[keyword]


# Strings, IRIs and comments are copied as they are; only variables outside them are bound.
CLAUSE_ENDS = {"WHERE", "FROM", "HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"}
# A GROUP BY left with only constants groups everything into one group: the keyword goes too.
EMPTY_GROUP_BY = re.compile(r"\bGROUP\s+BY\s+(?=\}|HAVING\b|ORDER\b|LIMIT\b|OFFSET\b|VALUES\b|$)", re.I)


def substitute(query: str, bindings: dict, write_iris: bool = True) -> str:
    """The query with its parameters bound as terms pyoxigraph wrote (never the user's text), meaning what the
    parameter means throughout the query, on the embedded engine and on Oxigraph server and Virtuoso 7.2 alike.

    A parameter is written as the term wherever a body uses it, since expressions inside OPTIONAL groups and
    subqueries cannot see an outer binding: the outer SELECT projects `(term AS ?v)`, subqueries and GROUP BY
    leave it out (Virtuoso joins an unbound column as NULL). With `write_iris=False` an IRI parameter stays a
    variable that triple patterns join on, bound by VALUES at the start of the outer body: Virtuoso fails to
    compile some aggregating subqueries whose subject is a constant, and Oxigraph is fastest with the constant."""
    from pyoxigraph import Literal

    terms = {name: term for name, term in bindings.items() if term is not None}
    written = {name: str(term) for name, term in terms.items() if write_iris or isinstance(term, Literal)}
    joined = {name: str(term) for name, term in terms.items() if name not in written}
    values = (f" VALUES ({' '.join('?' + name for name in joined)}) {{ ({' '.join(joined.values())}) }}"
              if joined else "")
    out = []
    for piece in template(query, frozenset(written)):
        if isinstance(piece, str):
            out.append(piece)
        elif len(piece) == 2:  # the brace that opens the outer body
            out.append(piece[1] + values)
        else:
            variable, text, in_select = piece
            out.append(f"({written[variable]} AS {text})" if in_select else written[variable])
    return EMPTY_GROUP_BY.sub("", "".join(out))


@lru_cache(maxsize=512)
def template(query: str, written: frozenset[str]) -> tuple:
    """The query as fixed text and the places its written parameters go: (variable, its text, in the outer
    projection) for a term, ("body", brace) for the VALUES of the joined ones; a written parameter's mentions in
    subquery projections and GROUP BY are left out. Made once per query and set of parameters: a page or a batch
    binds the same queries thousands of times."""
    pieces: list = []
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            pieces.append("".join(buffer))
            buffer.clear()
    for text, variable, clause in annotated(query):
        if clause == "body":
            flush()
            pieces.append(("body", text))
        elif variable in written:
            if clause in ("subselect", "group"):
                continue
            flush()
            pieces.append((variable, text, clause == "select"))
        else:
            buffer.append(text)
    flush()
    return tuple(pieces)


@lru_cache(maxsize=256)
def annotated(query: str) -> tuple[tuple[str, str | None, str | None], ...]:
    """The query's tokens, each with the variable it names (if any) and the clause it sits in: "select" (the
    outer projection), "subselect", "group" (GROUP BY) or None; the brace that opens the outer body is "body".
    A variable inside brackets there is part of an expression (MAX(IF(?i = ?p, ...)) AS ?x), not a column.
    Read once per query text: a batch binds the same queries thousands of times."""
    tokens, clause, previous_word, depth, brackets, outer_body = [], None, "", 0, 0, False
    for match in TOKEN.finditer(query):
        kind, text = match.lastgroup, match.group(0)
        variable, where = None, None
        if kind == "word":
            upper = text.upper()
            if upper == "SELECT":
                clause = "select" if depth == 0 else "subselect"
            elif upper == "BY" and previous_word == "GROUP":
                clause = "group"
            elif upper in CLAUSE_ENDS:
                clause = None
            previous_word = upper
        elif kind == "other" and text in "{}":
            if text == "{" and depth == 0 and not outer_body:
                where, outer_body = "body", True
            depth += 1 if text == "{" else -1
            clause = None
        elif kind == "other" and text in "()":
            brackets += 1 if text == "(" else -1
        elif kind == "variable":
            variable, where = text[1:], clause if not brackets else None
        tokens.append((text, variable, where))
    return tuple(tokens)
