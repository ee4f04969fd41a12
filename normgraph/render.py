"""Turning normgraph's answers into text: tables for people, CSV/TSV for spreadsheets, JSON for programs."""
from __future__ import annotations

import csv
import io
import json
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


def to_json(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def print_table(rows: list[dict], columns: list[str], title: str | None = None, caption: str | None = None) -> None:
    import shutil

    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, caption=caption, show_lines=False, title_justify="left", caption_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(cell(row.get(column)) for column in columns))
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
            from .graph.store import python_value

            variables = [v.value for v in result.variables]
            print_table([{v: python_value(row[v]) for v in variables} for row in result], variables)
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


def bound_cell(instrument: dict, state: str) -> str:
    """Whether the instrument binds the state on the date of the facts, and why not when it does not."""
    bound, status, since = instrument["bound"][state], instrument["status"][state], instrument["in_force_from"].get(state)
    if bound:
        return f"bound since {since}" if since else "bound"
    return f"**not bound** ({status})" if bound is False else f"n/a ({status})"


def situation_line(situation: dict, explain: bool) -> str:
    rules = f" _(rules: {', '.join(situation['rules'])})_" if explain and situation.get("rules") else ""
    status = "" if situation["status"] == "applies" else f" — **{situation['status']}**"
    cited = f" ({', '.join(situation['articles'])})" if situation.get("articles") else ""
    return f"- **{situation['label']}**{status}{cited}{rules}: {'; '.join(situation['because'])}."


def applies_markdown(answer: dict, explain: bool = False) -> str:
    """A short memo a legal adviser can paste: situations with their grounds, then instruments and who is bound."""
    lines = [f"## Case {answer['case']} (facts of {answer['date']})", ""]
    if not answer["situations"]:
        lines.append("The facts engage no instrument covered by normgraph.")
    else:
        lines += ["### Legal situations", "", *(situation_line(s, explain) for s in answer["situations"])]
        lines += ["", "### Instruments engaged", "", "| instrument | articles | " + " | ".join(answer["states"]) + " |",
                  "|---|---|" + "---|" * len(answer["states"])]
        for instrument in answer["instruments"]:
            engaged = "" if instrument["engaged"] else " _(only by an undetermined situation)_"
            lines.append(f"| {instrument['instrument']} {instrument['title']}{engaged} | {', '.join(instrument['articles'])} | "
                         + " | ".join(bound_cell(instrument, state) for state in answer["states"]) + " |")
        lines += ["", "Bound: in force for the state on the date of the facts (ILO: 12 months after registration; "
                  "UN-TIP: 30th day after deposit); n/a: a recommendation, which binds no state, or a record the data "
                  "cannot date (undetermined)."]
    for instrument in answer.get("not_yet_adopted", []):
        lines.append(f"\n{instrument['instrument']} ({instrument['title']}) had not been adopted on the date of the facts; "
                     f"it is not engaged ({', '.join(instrument['situations'])}).")
    if explain and answer.get("ruled_out"):
        lines += ["", "### Considered, not established", "", *(situation_line(s, explain) for s in answer["ruled_out"])]
    return "\n".join(lines)


DOCUMENT_FORMATS = ("markdown", "html")


def gaps_document(answer: dict, fmt: str) -> str:
    """A gap answer as a document a legal adviser can send: each gap's title, legal basis, scope and explanation,
    its rows with links to the authority where the data holds one, what found no gap, and the sources' as-of
    dates. `answer` is a gap report (normgraph.gap_report) or one query's answer (normgraph.gaps)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    from .queries.catalogue import catalogue

    environment = Environment(loader=PackageLoader("normgraph", "templates"), autoescape=select_autoescape(["html"]),
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    if "gaps" in answer:  # a state's report
        heading = f"Coherence gaps for {answer['name']} ({answer['country']})"
        gaps = answer["gaps"]
        no_gap = [{"query": name, "title": catalogue()[name].title} for name in answer["no_gap"]]
        notice = "" if answer.get("ilo_member", True) else (
            f"{answer['country']} is not an ILO Member on {answer['as_of']}: gaps in ILO Conventions, which only "
            "Members can ratify, do not apply to it.")
    else:
        heading, gaps, no_gap, notice = answer["title"], [answer], [], ""
    template = environment.get_template("gaps.md.j2" if fmt == "markdown" else "gaps.html.j2")
    return template.render(heading=heading, as_of=answer["as_of"], notice=notice, gaps=gaps, no_gap=no_gap,
                           data_as_of=answer["data_as_of"])
