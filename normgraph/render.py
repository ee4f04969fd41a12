"""Turning normgraph's answers into text: tables for people, CSV/TSV for spreadsheets, JSON for programs."""
from __future__ import annotations

import csv
import io
import sys


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return " ".join(f"{cell(v)}" for v in value.values() if v not in (None, ""))
    return str(value)


def delimited(rows: list[dict], columns: list[str], delimiter: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(column)) for column in columns])
    return buffer.getvalue()


def write_delimited(stream, rows, columns: list[str]) -> int:
    """CSV rows written to a binary stream as they come; how many."""
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=False)
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([cell(row.get(column)) for column in columns])
        count += 1
    text.flush()
    text.detach()
    return count


def to_json(data) -> str:
    """Indented JSON, UTF-8 as it is. orjson writes the same text as json.dumps(indent=2, ensure_ascii=False) ten
    times faster (the standard library indents in pure Python: 0.16 s for a batch of 1,000 answers)."""
    import orjson

    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode()


def print_table(rows: list[dict], columns: list[str], title: str | None = None, caption: str | None = None) -> None:
    import shutil

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Every string as Text: rich would read "[rule: x]" or "[bold]" in a cell, a title or a caption as its markup
    # and drop or style it; what a query or a loaded table says is data.
    table = Table(title=Text(title) if title else None, caption=Text(caption) if caption else None, show_lines=False,
                  title_justify="left", caption_justify="left")
    for column in columns:
        table.add_column(Text(column), overflow="fold")
    for row in rows:
        table.add_row(*(Text(cell(row.get(column))) for column in columns))
    # Piped output is not cut to 80 columns: a report pasted into a memo should keep whole words.
    Console(width=shutil.get_terminal_size((140, 24)).columns).print(table)


def emit(rows: list[dict], columns: list[str], fmt: str, title: str | None = None, caption: str | None = None,
         document=None) -> None:
    """Rows in the chosen format; `document` is what JSON prints (the whole answer, not only the rows)."""
    if fmt == "json":
        sys.stdout.write(to_json(document if document is not None else rows) + "\n")
    elif fmt in ("csv", "tsv"):
        sys.stdout.write(delimited(rows, columns, "," if fmt == "csv" else "\t"))
    else:
        print_table(rows, columns, title, caption)


# The formats `normgraph sparql` writes, by the query form they fit: W3C SPARQL results for SELECT and ASK,
# RDF for CONSTRUCT and DESCRIBE, all written by pyoxigraph's serialisers; "table" fits every form.
RESULT_FORMATS = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV"}
GRAPH_FORMATS = {"ttl": "TURTLE", "nt": "N_TRIPLES", "nq": "N_QUADS", "jsonld": "JSON_LD", "rdfxml": "RDF_XML"}


def write_query_result(result, fmt: str, stream) -> None:
    """A query's answer, streamed to a binary stream in the chosen format."""
    from pyoxigraph import (
        QueryBoolean,
        QueryResultsFormat,
        QuerySolutions,
        RdfFormat,
        serialize,
    )

    if isinstance(result, (QuerySolutions, QueryBoolean)):
        if fmt == "table":
            if isinstance(result, QueryBoolean):
                stream.write(f"{'yes' if bool(result) else 'no'}\n".encode())
                return
            from .graph.store import rows_of

            variables = [v.value for v in result.variables]
            print_table(rows_of(result, variables), variables)
            return
        result.serialize(stream, getattr(QueryResultsFormat, RESULT_FORMATS[fmt]))
    else:
        serialize(result, stream, getattr(RdfFormat, GRAPH_FORMATS.get(fmt, "TURTLE")))


def fitting_formats(form: str) -> list[str]:
    return ["table", *(GRAPH_FORMATS if form == "GRAPH" else RESULT_FORMATS)]


def gap_rows(rows: list[dict]) -> tuple[list[dict], list[str]]:
    """Gap rows flattened for a table or a spreadsheet: one line per state."""
    extra = sorted({key for row in rows for key in row} - {"country", "name", "has", "lacks", "evidence", "undetermined"})
    flat = [{**row, "has": [f"{h['instrument']} (from {h['in_force_from']})" if h["in_force_from"] else h["instrument"]
                            for h in row["has"]],
             "evidence": [f"{e['kind']} {e['id']}" for e in row["evidence"]]} for row in rows]
    return flat, ["country", "name", "has", "lacks", *extra, "evidence", "undetermined"]


def data_caption(data_as_of: dict) -> str:
    return "data as of: " + ", ".join(f"{graph} {date}" for graph, date in sorted(data_as_of.items()))
