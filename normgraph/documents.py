"""Reports a legal adviser can send: the gap report, a State's profile, an instrument, a case's answer, as Markdown,
HTML (Jinja2 templates), Excel (openpyxl) or Word (python-docx). Each answer becomes one Document (sections of
paragraphs and tables whose cells may link to their authority); each format writes the same Document, so every
format says the same things: the as-of date of the answer and of every source, the legal basis and explanation of
each gap, links, consent types, reservations, what is not ratified."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from .links import web_address

TEXT_FORMATS = ("markdown", "html")
FILE_FORMATS = ("xlsx", "docx")
DOCUMENT_FORMATS = TEXT_FORMATS + FILE_FORMATS


@dataclass(frozen=True)
class Link:
    text: str
    url: str | None = None


# A cell is text, a link, or several of them.
Cell = str | Link | list


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Cell]]


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    table: Table | None = None
    level: int = 2


@dataclass
class Document:
    title: str
    as_of: str
    sections: list[Section]
    sources: dict[str, str]
    notice: str = ""


def cell_text(cell: Cell) -> str:
    if isinstance(cell, list):
        return "; ".join(cell_text(c) for c in cell)
    return cell.text if isinstance(cell, Link) else ("" if cell is None else str(cell))


def cell_links(cell: Cell) -> list[Link]:
    """The parts of a cell, each as a link (with no address where it has none)."""
    if isinstance(cell, list):
        return [part for c in cell for part in cell_links(c)]
    if isinstance(cell, Link):  # an address a table loaded is the client's text: only http(s) becomes a link
        return [Link(cell.text, web_address(cell.url))]
    return [Link(cell_text(cell))]


# ---------------------------------------------------------------------------------------------- building documents

ROW_FIELDS = {"country", "name", "has", "lacks", "evidence", "undetermined"}


def row_details(row: dict) -> str:
    """What a gap row says beyond has and lacks (the declared minimum age, the comment topics...), each named in
    words ("minimum age: 14"), not by its query variable (minimumAge)."""
    return "; ".join(f"{in_words(k)}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
                     for k, v in row.items() if k not in ROW_FIELDS and v not in (None, ""))


def in_words(variable: str) -> str:
    """A query variable as words: minimumAge -> minimum age, coversOnly -> covers only."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", variable).lower()


def gap_section(gap: dict, level: int = 2) -> Section:
    rows = []
    for row in gap["rows"]:
        details = row_details(row)
        rows.append([f"{row['name']} ({row['country']})",
                     [f"{h['instrument']} (in force from {h['in_force_from']})" if h["in_force_from"] else h["instrument"]
                      for h in row["has"]],
                     list(row["lacks"]),
                     [Link(f"{e['kind']} {e['id']}", e.get("url")) for e in row["evidence"]],
                     "yes" if row["undetermined"] else "no", details])
    basis = f"{gap['query']} — legal basis: {gap['legal_basis']}" + (f"; scope: {gap['scope']}" if gap.get("scope") else "")
    return Section(gap["title"], [basis, gap["description"]],
                   Table(["State", "has", "lacks", "evidence", "undetermined", "details"], rows), level)


def gaps_document(answer: dict) -> Document:
    """A State's gap report (normgraph.gap_report) or one query's answer (normgraph.gaps)."""
    from .queries.catalogue import catalogue

    if "gaps" not in answer:
        return Document(answer["title"], answer["as_of"], [gap_section(answer)], answer["data_as_of"],
                        " ".join(answer.get("currency", [])))
    sections = [gap_section(gap) for gap in answer["gaps"]]
    if answer["no_gap"]:
        sections.append(Section("No gap found", table=Table(["query", "title"], [
            [name, catalogue()[name].title] for name in answer["no_gap"]])))
    return Document(f"Coherence gaps for {answer['name']} ({answer['country']})", answer["as_of"], sections,
                    answer["data_as_of"], answer.get("notice", ""))


def declarations(instrument: dict) -> str:
    parts = []
    if instrument.get("min_age"):
        parts.append(f"minimum age {instrument['min_age']}")
    elif instrument.get("min_age_between"):
        low, high = instrument["min_age_between"]
        parts.append(f"minimum age {low} to {high} (a raise the sources do not date)")
    if instrument["excluded"]:
        parts.append("excludes " + ", ".join(instrument["excluded"]))
    if instrument["covers_only"]:
        parts.append(f"covers {instrument['covers_only']} only")
    if instrument["reservations"]:
        parts.append("with reservations")
    return "; ".join(parts)


def source_text(line: dict) -> str:
    """A record's sources as people read them: their titles (the ids where a source has none), with the as-of date."""
    named = "; ".join(line["source_titles"]) or line["source"] or ""
    return f"{named} (as of {line['source_as_of']})" if line["source_as_of"] else named


def country_document(profile: dict, report: dict) -> Document:
    """A State's profile on a date with its gap report: what binds it, what it has not ratified, its gaps,
    the ILO's comments and programmes."""
    ratified = Table(["instrument", "consent", "registered", "in force from", "status", "declarations", "source"], [
        [Link(f"{i['instrument']} {i['title']}", i["url"]), i["consent_type"] or "", i["registered"] or "",
         i["in_force_from"] or "", i["status"], declarations(i),
         source_text(i)]
        for i in profile["instruments"]])
    not_ratified = Table(["instrument"], [[Link(f"{i['instrument']} {i['title']}", i["url"])] for i in profile["not_ratified"]])
    comments = Table(["comment", "body", "kind", "year", "instruments", "topics", "known from"], [
        [Link(c["comment"], c.get("url")), c["body"], c["kind"], str(c["year"] or ""), c["instruments"] or "",
         (c["topics"] or "").replace(";", ", "),
         Link("another comment's page that lists it", c["listedOn"]) if c.get("listedOn")
         else "its own page" if c.get("url") else ""]
        for c in profile["comments"]])
    programmes = Table(["programme", "name", "promotes", "start", "end"], [
        [p["programme"], p["name"], (p["promotes"] or "").replace(";", ", "), str(p["start"] or ""), str(p["end"] or "")]
        for p in profile["programmes"]])
    gaps = gaps_document(report)
    heading = f"{profile['name']} ({profile['country']})"
    region = f"ILO region: {profile['ilo_region']}." if profile["ilo_region"] else ""
    owner = profile["territory_of"]
    if owner:  # a territory consents to nothing: its State applies instruments to it (ILO Constitution Art. 35)
        titles = (f"Applied to it by {owner}", "Not applied to it")
        missing = f"Instruments adopted by {profile['as_of']} that {owner} has no record of applying to {profile['name']}."
        notice = " ".join([f"{profile['name']} is a territory of {owner}: it is bound only as {owner} applies instruments "
                           "to it.", *profile["currency"]])
    else:
        titles = ("Ratified or joined", "Not ratified")
        missing = f"Instruments adopted by {profile['as_of']} that {profile['name']} has no record of consenting to."
        notice = gaps.notice
    from .reports import at_a_glance

    sections = [Section("At a glance", [at_a_glance(profile, report)]),
                Section(titles[0], [region], ratified), Section(titles[1], [missing], not_ratified),
                Section(f"Coherence gaps ({len(report['gaps'])})", [] if report["gaps"] else ["No gap found."]),
                *[Section(s.heading, s.paragraphs, s.table, 3) for s in gaps.sections],
                Section("ILO supervisory comments", [] if profile["comments"] else ["None recorded."], comments),
                Section("ILO programmes and projects", [] if profile["programmes"] else ["None recorded."], programmes)]
    return Document(heading, profile["as_of"], sections, profile["data_as_of"], notice)


def instrument_document(profile: dict) -> Document:
    parties = profile["parties"]
    facts = [f"Adopted {profile['adopted']}" + (f"; in force from {profile['entry_into_force']}" if profile["entry_into_force"]
                                                else "") + ".",
             f"On {profile['as_of']} it binds {parties['bound']} parties ({parties['undetermined']} undetermined: a "
             f"year-only record); {parties['recorded']} consents recorded."]
    sections = [Section("The instrument", facts, Table(["authority"], [[Link(profile["url"], profile["url"])]])),
                Section("Each State's record on the date", table=Table(["State", "status"], [
                    [f"{r['name']} ({r['country']})", r["status"]] for r in profile["records"]])),
                Section("Provisions", table=Table(["provision", "heading"], [
                    [p["provision"], p["heading"] or ""] for p in profile["provisions"]])),
                Section("Relations", table=Table(["relation", "instrument"], [
                    [r["relation"], f"{r['instrument']} {r['title']}"] for r in profile["relations"]]))]
    return Document(f"{profile['instrument']}: {profile['title']}", profile["as_of"], sections, profile["data_as_of"])


def bound_text(instrument: dict, state: str) -> str:
    bound = instrument["bound"][state]
    since = f", in force from {instrument['in_force_from'][state]}" if instrument["in_force_from"][state] else ""
    excluded = f"; excluded: {', '.join(instrument['excluded'][state])}" if instrument["excluded"].get(state) else ""
    if bound is True:
        return f"yes ({since.removeprefix(', ')}){excluded}" if since else f"yes{excluded}"
    return f"{'no' if bound is False else '—'} ({instrument['status'][state]}){excluded}"


BOUND_NOTE = ("Bound: in force for the state on the date of the facts: ILO, 12 months after registration; UN-TIP and "
              "UNTOC, the 30th day after deposit; OPSC, one month after; never before the instrument's own entry into "
              "force, when that is later. A successor State is bound from the date of succession (Vienna Convention on "
              "Succession of States in respect of Treaties 1978, Arts. 23(1), 34), not from its notice. A territory is "
              "bound as the State answering for it applies the instrument there (ILO Constitution Art. 35; the State's "
              "declarations on UN treaties). —: a recommendation, which binds no state, or a record the data cannot date.")


def applies_document(answers: list[dict], data_as_of: dict[str, str], explain: bool = False) -> Document:
    """A memo a legal adviser can paste, one section per case: the situations with the articles and facts that
    ground them, the instruments engaged and whether each State is bound; with `explain`, the rules behind each
    situation and the situations considered but not established, with the element that is missing."""
    sections = []
    for answer in answers:
        columns = ["situation", "status", "articles", "because", *(["rules", "it needs"] if explain else [])]
        sections.append(Section(f"Case {answer['case']}, facts of {answer['date']}",
                                [] if answer["situations"] else ["The facts engage no instrument covered by normgraph."],
                                Table(columns, [[s["label"], s["status"], ", ".join(s["articles"]), "; ".join(s["because"]),
                                                 *([", ".join(s.get("rules", [])), s.get("needs") or ""] if explain else [])]
                                                for s in answer["situations"]])))
        if answer["instruments"]:
            sections.append(Section("Instruments engaged", [BOUND_NOTE], Table(
                ["instrument", "articles", *[f"{state} bound?" for state in answer["states"]]],
                [[Link(f"{i['instrument']} {i['title']}" + ("" if i["engaged"] else " (only by an undetermined situation)"),
                       i.get("url")),
                  ", ".join(i["articles"]), *[bound_text(i, s) for s in answer["states"]]] for i in answer["instruments"]]), 3))
        later = [f"{i['instrument']} ({i['title']}) had not been adopted on the date of the facts; it is not engaged "
                 f"({', '.join(i['situations'])})." for i in answer["not_yet_adopted"]]
        ruled_out = answer.get("ruled_out", []) if explain else []
        if later or ruled_out:
            sections.append(Section("Considered, not engaged", later, Table(
                ["situation", "because", "rules", "it would apply if the facts showed", "articles"], [
                    [s["label"], "; ".join(s["because"]), ", ".join(s.get("rules", [])), s.get("needs") or "",
                     ", ".join(s.get("grounded_in", []))] for s in ruled_out]), 3))
    as_of = answers[0]["date"] if len(answers) == 1 else "the date of each case's facts"
    return Document("Which instruments apply", as_of, sections, data_as_of)


# ---------------------------------------------------------------------------------------------- writing documents

def rendered(document: Document, fmt: str) -> bytes:
    """The document in one of DOCUMENT_FORMATS, as the bytes of the file."""
    if fmt in TEXT_FORMATS:
        return text_document(document, fmt).encode("utf-8")
    return (xlsx_document if fmt == "xlsx" else docx_document)(document)


def text_document(document: Document, fmt: str) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    environment = Environment(loader=PackageLoader("normgraph", "templates"), autoescape=select_autoescape(["html.j2"]),
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    environment.filters.update(links=cell_links, text=cell_text, web_url=web_address, md=markdown_text, md_url=markdown_address)
    template = environment.get_template("document.md.j2" if fmt == "markdown" else "document.html.j2")
    return template.render(doc=document)


def markdown_text(text) -> str:
    """Text as Markdown shows it and no more: HTML a Markdown viewer would render becomes entities, and a bar
    or a bracket cannot end a table cell or make a link."""
    from html import escape

    return re.sub(r"([|\[\]])", r"\\\1", escape(str(text), quote=False))


def markdown_address(url: str) -> str:
    return url.replace("(", "%28").replace(")", "%29")


def append_row(sheet, row: list, link_font) -> None:
    """A table row; a cell that links to one authority opens it."""
    sheet.append([cell_text(c) for c in row])
    for column, value in enumerate(row, start=1):
        links = [link for link in cell_links(value) if link.url]
        if len(links) == 1:
            sheet.cell(sheet.max_row, column).hyperlink = links[0].url
            sheet.cell(sheet.max_row, column).font = link_font


def table_sheet(book, heading: str, table: Table, bold, link_font) -> None:
    """A table on a sheet of its own, as a spreadsheet user expects one: the header row frozen, filters on every
    column, a link cell opening its authority."""
    # Excel allows 31 characters and none of []:*?/\ in a sheet's name, and no two sheets of one name.
    name = re.sub(r"[\[\]:*?/\\]", " ", heading)[:28].strip() or "Table"
    taken = set(book.sheetnames)
    title = next(candidate for candidate in (name, *(f"{name} {n}" for n in range(2, 100))) if candidate not in taken)
    sheet = book.create_sheet(title)
    sheet.append(table.columns)
    for column in range(1, len(table.columns) + 1):
        sheet.cell(1, column).font = bold
    for row in table.rows:
        append_row(sheet, row, link_font)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for column in range(1, len(table.columns) + 1):
        sheet.column_dimensions[sheet.cell(1, column).column_letter].width = 24


def xlsx_document(document: Document) -> bytes:
    """One sheet, read top to bottom as the document reads: headings in bold, each table with its header row and
    filters-ready columns; a cell that links to its authority opens it."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Report"
    bold, heading, link_font = Font(bold=True), Font(bold=True, size=12), Font(color="0563C1", underline="single")
    sheet.append([document.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"Answer as of {document.as_of}"])
    if document.notice:
        sheet.append([document.notice])
    for section in document.sections:
        sheet.append([])
        sheet.append([section.heading])
        sheet.cell(sheet.max_row, 1).font = heading
        for paragraph in filter(None, section.paragraphs):
            sheet.append([paragraph])
        if section.table and section.table.rows:
            sheet.append(section.table.columns)
            for column in range(1, len(section.table.columns) + 1):
                sheet.cell(sheet.max_row, column).font = bold
            for row in section.table.rows:
                append_row(sheet, row, link_font)
    for section in document.sections:
        if section.table and section.table.rows:
            table_sheet(book, section.heading, section.table, bold, link_font)
    sources = book.create_sheet("Sources")
    sources.append(["graph", "as of"])
    for graph, date in document.sources.items():
        sources.append([graph, date])
    for column in "ABCDEFG":
        sheet.column_dimensions[column].width = 28
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def docx_document(document: Document) -> bytes:
    """Headings, paragraphs and grid tables; links are real hyperlinks."""
    from docx import Document as WordDocument

    word = WordDocument()
    word.add_heading(document.title, 0)
    word.add_paragraph(f"Answer as of {document.as_of}.")
    if document.notice:
        word.add_paragraph(document.notice)
    for section in document.sections:
        word.add_heading(section.heading, section.level - 1)
        for paragraph in filter(None, section.paragraphs):
            word.add_paragraph(paragraph)
        if section.table and section.table.rows:
            table = word.add_table(rows=1, cols=len(section.table.columns))
            table.style = "Table Grid"
            for cell, name in zip(table.rows[0].cells, section.table.columns):
                cell.text = name
                cell.paragraphs[0].runs[0].bold = True
            for row in section.table.rows:
                cells = table.add_row().cells
                for cell, value in zip(cells, row):
                    write_links(cell.paragraphs[0], cell_links(value))
    word.add_heading("Sources", 1)
    for graph, date in document.sources.items():
        word.add_paragraph(f"{graph}: {date}", style="List Bullet")
    output = io.BytesIO()
    word.save(output)
    return output.getvalue()


def write_links(paragraph, links: list[Link]) -> None:
    """Text and hyperlinks into a Word paragraph (python-docx has no hyperlink call: the element is made here)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for index, link in enumerate(links):
        if index:
            paragraph.add_run("; ")
        if not link.url:
            paragraph.add_run(link.text)
            continue
        relation = paragraph.part.relate_to(link.url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        hyperlink = OxmlElement("w:hyperlink")
        hyperlink.set(qn("r:id"), relation)
        run = OxmlElement("w:r")
        properties = OxmlElement("w:rPr")
        for name, value in (("w:color", "0563C1"), ("w:u", "single")):
            element = OxmlElement(name)
            element.set(qn("w:val"), value)
            properties.append(element)
        run.append(properties)
        text = OxmlElement("w:t")
        text.text = link.text
        run.append(text)
        hyperlink.append(run)
        paragraph._p.append(hyperlink)
