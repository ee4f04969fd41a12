"""The `normgraph` command line: thin wrappers that call the library and render what it returns."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

# The registries the choices come from: light modules, so that --help loads no RDF engine.
from .dataset import TABLE_LOADERS
from .documents import DOCUMENT_FORMATS, FILE_FORMATS
from .exports import FORMATS as EXPORT_FORMATS
from .queries.catalogue import catalogue
from .render import GRAPH_FORMATS, RESULT_FORMATS

FORMATS = click.Choice(["table", "json", "csv"])


class UsageProblem(click.UsageError):
    """A user error found after parsing (bad country, missing parameter): exit 2 with one line."""


class Seconds(click.ParamType):
    """A length of time in seconds: a finite number at least `least` (nan and inf would never time out)."""

    name = "seconds"

    def __init__(self, least: float):
        self.least = least

    def convert(self, value, param, ctx):
        import math

        try:
            seconds = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(seconds) or seconds < self.least:
            self.fail(f"{value!r} is not a finite number of seconds of at least {self.least:g}", param, ctx)
        return seconds


def store_option(function):
    return click.option("--store", type=click.Path(path_type=Path), envvar="NORMGRAPH_STORE", default=None,
                        help="Store folder (default: the user data dir; env NORMGRAPH_STORE).")(function)


class GraphSource:
    """The one door to the data a reading command receives: the embedded store or a remote endpoint, opened when
    the command first asks for it (after its arguments are checked), the same way for every command."""

    def __init__(self, store: Path | None, endpoint: str | None, timeout: float):
        self.store, self.endpoint, self.timeout = store, endpoint, timeout

    def graph(self):
        """The remote endpoint if one is named, else the embedded store, read on disk."""
        if self.endpoint:
            from .graph.remote import RemoteGraph

            return RemoteGraph(self.endpoint, self.timeout)
        return local_graph(self.store)


def graph_options(function):
    """--store, or --endpoint (and --timeout) for a remote SPARQL endpoint; the command receives `source`, a
    GraphSource."""
    import functools

    @functools.wraps(function)
    def wrapper(*args, store, endpoint, timeout, **kwargs):
        return function(*args, source=GraphSource(store, endpoint, timeout), **kwargs)
    wrapper = click.option("--timeout", type=Seconds(0.1), default=60.0, show_default=True, metavar="SECONDS",
                           help="With --endpoint: give up on an answer after this long.")(wrapper)
    wrapper = click.option("--endpoint", envvar="NORMGRAPH_ENDPOINT", metavar="URL", default=None,
                           help="Read a SPARQL 1.1 endpoint instead of the store (env NORMGRAPH_ENDPOINT; basic auth "
                                "from NORMGRAPH_ENDPOINT_USER / NORMGRAPH_ENDPOINT_PASSWORD).")(wrapper)
    return store_option(wrapper)


def as_of_option(function):
    """--as-of, parsed once, here: the command receives an ISO date; an impossible one is a usage error."""
    def parsed(context, parameter, value: str) -> str:
        from .errors import InputError
        from .ids import parse_date

        try:
            return parse_date(value, "as_of").isoformat()
        except InputError as error:
            raise click.BadParameter(str(error)) from None
    return click.option("--as-of", "as_of", default="today", show_default=True, metavar="DATE", callback=parsed,
                        help="Date (YYYY-MM-DD) at which legal effect is judged.")(function)


def format_option(choices=FORMATS):
    return click.option("--format", "fmt", type=choices, default="table", show_default=True, help="Output format.")


def local_graph(store: Path | None, in_memory: bool = False):
    from .dataset import open_graph

    def announce(path: Path, reason: str) -> None:
        click.echo(f"normgraph: the store at {path} {reason}; building it from the bundled data...", err=True)
    return open_graph(store, on_build=announce, in_memory=in_memory)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="normgraph")
def cli():
    """normgraph: the law against forced labour, child labour and trafficking as a knowledge graph.

    \b
    Start with:
      normgraph gaps --country NPL        coherence gaps for Nepal, today
      normgraph country India --as-of 2016-01-01
      normgraph instrument C29
    """


def document_options(*choices: str):
    """--format with the document formats besides `choices`, and -o FILE for the documents."""
    def decorate(function):
        function = click.option("-o", "--output", type=click.Path(path_type=Path), metavar="FILE",
                                help=f"{', '.join(DOCUMENT_FORMATS)}: write the report to FILE (whole or not at all); "
                                     f"{' and '.join(FILE_FORMATS)} need it.")(function)
        return click.option("--format", "fmt", type=click.Choice([*choices, *DOCUMENT_FORMATS]), default=choices[0],
                            show_default=True, help="Output format; the document formats are reports to send.")(function)
    return decorate


def check_document_request(fmt: str, output: Path | None) -> None:
    """Before any work: -o is for documents, and a binary document needs a file."""
    if output is not None and fmt not in DOCUMENT_FORMATS:
        raise click.UsageError(f"-o writes the {', '.join(DOCUMENT_FORMATS)} reports; redirect the {fmt} output instead")
    if fmt in FILE_FORMATS and (output is None or str(output) == "-"):
        raise click.UsageError(f"--format {fmt} writes a file: give -o FILE.{fmt}")


def write_document(document, fmt: str, output: Path | None) -> None:
    """A report to standard output, or to a file written whole or not at all (never over a device or folder)."""
    from .documents import rendered

    data = rendered(document, fmt)
    if output is None or str(output) == "-":
        click.echo(data.decode("utf-8"), nl=False)
        return
    from .files import atomic_write

    atomic_write(output, lambda handle: handle.write(data))
    click.echo(f"wrote {output}", err=True)


@cli.command()
@store_option
def build(store):
    """Build the embedded store from the bundled data (atomic: the old store answers until the new one is ready).

    \b
    Example:
      normgraph build --store /tmp/normgraph-store
    """
    from rich.progress import Progress

    from .dataset import build as build_store
    from .graph.store import default_store_path

    path = store or default_store_path()
    with Progress(transient=True, console=_stderr_console()) as progress:
        task = progress.add_task("loading", total=None)
        counts = build_store(path, lambda name, count: progress.update(task, description=f"{name}: {count} quads"))
    from .render import print_table

    rows = [{"graph": g, "quads": n} for g, n in counts.items()]
    rows.append({"graph": "total", "quads": sum(counts.values())})
    print_table(rows, ["graph", "quads"], title=f"normgraph store built at {path}")


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


@cli.command()
@click.argument("query")
@graph_options
@click.option("--format", "fmt", type=click.Choice(["table", *RESULT_FORMATS, *GRAPH_FORMATS]),
              default="table", show_default=True,
              help="SELECT and ASK: table or the W3C SPARQL results formats json, xml, csv, tsv. "
                   "CONSTRUCT and DESCRIBE: table (Turtle), ttl, nt, nq, jsonld, rdfxml.")
@click.option("--max-memory", type=click.IntRange(min=16), default=2048, show_default=True, metavar="MB",
              help="Stop a query on the embedded store that needs more memory than this.")
def sparql(query, source, fmt, max_memory):
    """Run a read-only SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE) on the graph; QUERY is the text or
    @file.rq. All named graphs form the default graph. Results stream: `| head` stops the query, and so do
    --timeout and --max-memory (a query that crashes the engine is one line, exit 1).

    \b
    Examples:
      normgraph sparql 'PREFIX ng: <https://w3id.org/normgraph#>
        SELECT ?code (COUNT(?r) AS ?n) WHERE { ?r ng:instrument/ng:code ?code } GROUP BY ?code' --format json
      normgraph sparql 'ASK { ?s ?p ?o }'
      normgraph sparql 'DESCRIBE <https://w3id.org/normgraph/id/instrument/C029>' --format ttl

    The vocabulary (every class and property, with its definition) and the catalogue's queries, each
    runnable in one click: /vocabulary on `normgraph serve`, or `normgraph gaps NAME --show-query`.
    """
    from .errors import QueryError
    from .graph.sparql_text import is_update, query_form
    from .render import fitting_formats, write_query_result

    text = _query_text(query)
    if is_update(text):
        raise UsageProblem("normgraph sparql is read-only: SPARQL Update (INSERT, DELETE, LOAD, ...) is refused")
    try:
        form = query_form(text)
        if fmt not in fitting_formats(form):
            kind = "CONSTRUCT and DESCRIBE" if form == "GRAPH" else "SELECT and ASK"
            raise UsageProblem(f"--format {fmt} does not fit this query: {kind} take --format "
                               f"{', '.join(fitting_formats(form))}")
        graph = source.graph()

        def answer() -> None:
            write_query_result(graph.query(text), fmt, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        if graph.path is None:  # a remote endpoint: its own --timeout applies
            answer()
        else:
            from .graph.bounded import run_bounded

            run_bounded(answer, source.timeout, max_memory)
    except QueryError as error:
        raise UsageProblem(str(error)) from None
    except BrokenPipeError:
        # The reader stopped (`| head`): stop the query too, quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _query_text(query: str) -> str:
    from .errors import InputError
    from .files import read_text

    if not query.startswith("@"):
        return query
    try:
        return read_text(Path(query[1:]), "query")
    except InputError as error:
        raise UsageProblem(str(error)) from None


@cli.command()
@click.argument("country")
@as_of_option
@graph_options
@document_options("table", "json", "csv")
def country(country, as_of, source, fmt, output):
    """What a state has ratified, what binds it on a date, the comments and programmes about it.

    COUNTRY is an ISO 3166-1 code (NPL, NP) or a name (Nepal).

    \b
    Example:
      normgraph country India --as-of 2016-01-01 --format json
      normgraph country Nepal --format docx -o nepal.docx
    """
    from .render import emit
    from .reports import country_profile, gap_report

    check_document_request(fmt, output)
    graph = source.graph()
    profile = country_profile(country, as_of, graph)
    if fmt in DOCUMENT_FORMATS:
        from .documents import country_document

        write_document(country_document(profile, gap_report(profile["country"], profile["as_of"], graph)), fmt, output)
        return
    title = f"{profile['name']} ({profile['country']}) on {profile['as_of']}\n{profile['at_a_glance']}"
    columns = ["instrument", "registered", "in_force_from", "status", "bound", "covers_only", "min_age", "source_titles",
               "source_as_of"]
    territory_of = profile["territory_of"]
    territory = not_a_state_yet(profile) + (f"a territory of {territory_of}: bound as {territory_of} applies instruments "
                                            "to it (ILO Constitution Art. 35)\n") if territory_of else ""
    current = "".join(f"{note}\n" for note in profile["currency"])
    emit(profile["instruments"], columns, fmt, title=title, document=profile,
         caption=f"{current}{territory}{counted(len(profile['comments']), 'supervisory comment')}, "
                 f"{counted(len(profile['programmes']), 'programme')} (--format json or markdown lists them)")


def counted(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def not_a_state_yet(answer: dict) -> str:
    """A caption line for a date before the state existed."""
    if answer["a_state_on_date"]:
        return ""
    return (f"{answer['name']} did not exist as a State on {answer['as_of']}: independent from "
            f"{answer['independent_since']} (Gleditsch & Ward list); nothing binds it or is lacking before then\n")


@cli.command()
@click.argument("code")
@as_of_option
@graph_options
@document_options("table", "json", "csv")
def instrument(code, as_of, source, fmt, output):
    """An instrument: title, dates, provisions, relations and how many parties it binds on a date.

    CODE may be written C29, c029, "No. 29", "Convention 29", P29, R198, "Palermo Protocol" or UN-TIP
    ("Palermo" alone names both the Protocol and the Convention, UNTOC).

    \b
    Example:
      normgraph instrument "Convention 182" --as-of 2005-01-01
    """
    from .render import emit
    from .reports import instrument_profile

    check_document_request(fmt, output)
    # The table shows no State's record: it is left out there, as it is the longest part on a large store.
    profile = instrument_profile(code, as_of, source.graph(), records=fmt != "table")
    if fmt in DOCUMENT_FORMATS:
        from .documents import instrument_document

        write_document(instrument_document(profile), fmt, output)
        return
    parties = profile["parties"]
    title = (f"{profile['instrument']}: {profile['title']}\nadopted {profile['adopted']}, in force "
             f"{profile['entry_into_force'] or '-'}; on {profile['as_of']} binds {parties['bound']} parties "
             f"({parties['undetermined']} undetermined, {parties['recorded']} recorded)")
    emit(profile["provisions"] + [{"provision": r["relation"], "heading": f"{r['instrument']} {r['title']}"}
                                  for r in profile["relations"]],
         ["provision", "heading"], fmt, title=title, document=profile)


@cli.command()
@click.argument("name", required=False)
@click.option("--country", help="A state (ISO code or name): its whole gap report, or filter NAME to it.")
@click.option("--region", help="An ILO region: Africa, Americas, Arab States, Asia and the Pacific, Europe and Central Asia.")
@click.option("--origin", help="Corridor origin state.")
@click.option("--destination", help="Corridor destination state.")
@click.option("--show-query", is_flag=True,
              help="Print NAME's SPARQL with the parameters written in, runnable on any endpoint, instead of running "
                   "it: the same rows the command gives.")
@as_of_option
@graph_options
@document_options("table", "json", "csv")
def gaps(name, country, region, origin, destination, show_query, as_of, source, fmt, output):
    """Coherence gaps: where a state's commitments do not fit together.

    \b
    Without NAME and options: the catalogue of gap queries.
    With --country only: every gap that concerns that state (the gap report).
    With NAME: run that query, optionally for a --country or --region.

    \b
    Examples:
      normgraph gaps --country NPL
      normgraph gaps c182-without-c138 --as-of 2010-01-01 --region Africa --format csv
      normgraph gaps corridor --origin NPL --destination QAT
      normgraph gaps c029-without-p029 --country NPL --show-query > my-query.rq
      normgraph gaps --country NPL --format html -o nepal-gaps.html
    """
    from . import render
    from .queries.catalogue import catalogue, cli_name

    if show_query:
        if not name:
            raise click.UsageError("--show-query needs a query NAME (`normgraph gaps` lists them)")
        from .queries.catalogue import named_query, printed

        click.echo(printed(named_query(name), {"asOf": as_of, "state": country, "region": region,
                                               "origin": origin, "destination": destination}))
        return
    if not name and not country:
        rows = [{"name": q.name, "title": q.title,
                 "parameters": ", ".join(f"--{cli_name(p.name)}" + ("" if p.required else "?") for p in q.user_parameters)}
                for q in catalogue().values()]
        render.emit(rows, ["name", "title", "parameters"], fmt, title="normgraph gap catalogue")
        return
    check_document_request(fmt, output)
    graph = source.graph()
    if fmt in DOCUMENT_FORMATS:
        from .documents import gaps_document
        from .reports import gap_report
        from .reports import gaps as run_gaps

        answer = gap_report(country, as_of, graph) if not name else run_gaps(
            name, as_of, graph, state=country, region=region, origin=origin, destination=destination)
        write_document(gaps_document(answer), fmt, output)
        return
    if not name:
        from .reports import gap_report

        report = gap_report(country, as_of, graph)
        if fmt == "json":
            render.emit([], [], fmt, document=report)
            return
        flat = [{"query": g["query"], **row} for g in report["gaps"] for row in render.gap_rows(g["rows"])[0]]
        title = f"Coherence gaps for {report['name']} ({report['country']}) on {report['as_of']}"
        notice = f"{report['notice']}\n" if report["notice"] else ""
        render.emit(flat, ["query", "has", "lacks", "evidence", "undetermined"], fmt, title=title,
                    caption=f"{notice}no gap found by: {', '.join(report['no_gap']) or 'none asked'}\n"
                            f"{render.data_caption(report['data_as_of'])}")
        return
    from .reports import gaps as run_gaps

    result = run_gaps(name, as_of, graph, state=country, region=region, origin=origin, destination=destination)
    rows, columns = render.gap_rows(result["rows"])
    render.emit(rows, columns, fmt, title=f"{result['title']} — {len(rows)} on {result['as_of']}",
                caption="".join(f"{note}\n" for note in result["currency"])
                + f"legal basis: {result['legal_basis']}\n{render.data_caption(result['data_as_of'])}",
                document=result)


@cli.command()
@store_option
def validate(store):
    """Check the whole graph against the SHACL shapes; prints each node that breaks a shape and why.

    \b
    Example:
      normgraph validate
    """
    from .validation import validate_graph

    graph = local_graph(store)
    violations = validate_graph(graph)
    for violation in violations:
        click.echo(f"{violation['focus']}: {violation['shape']}: {violation['message']}")
    click.echo(f"{len(violations)} SHACL violation(s) in {sum(graph.graph_counts().values())} quads")
    if violations:
        sys.exit(1)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--kind", type=click.Choice(list(TABLE_LOADERS)), required=True)
@click.option("--name", help="Name of the named graph (default: the file name).")
@click.option("--source", "source_id", metavar="ID", help="The table's source: a bundled source id, or a new one "
              "described by --source-title (and --source-url, --as-of). Fills the rows that name no source.")
@click.option("--source-title", default="", help="Title of a new source.")
@click.option("--source-url", default="", help="Address of a new source.")
@click.option("--as-of", "as_of", default="", metavar="DATE", help="The date the source states its facts (YYYY[-MM[-DD]]).")
@click.option("--instrument", metavar="CODE", help="For a NORMLEX table of one instrument (Country;Date;Status;Note).")
@store_option
def load(file, kind, name, source_id, source_title, source_url, as_of, instrument, store):
    """Load a newer or private table over the bundled data, into its own named graph.

    Every source a row cites must be a bundled source or the one declared with --source; the whole file
    is checked first, and if any row or source is bad, every problem is reported with its line number
    and nothing is loaded. Ratifications replace the bundled record of the same state and instrument in
    every answer (the bundled record stays in its graph, marked superseded). NORMLEX's own layout
    (Country;Date;Status;Note, dates like 04 Jun 1976) loads with --instrument.

    \b
    Examples:
      normgraph load newer.csv --kind ratifications --source NORMLEX_2026 \\
        --source-title "NORMLEX ratifications of C182" --source-url https://normlex.ilo.org --as-of 2026-01-31
      normgraph load c138.csv --kind ratifications --instrument C138 --source NORMLEX_2026 --source-title NORMLEX
    """
    from .dataset import DeclaredSource, load_table
    from .errors import InputError, TableError
    from .ids import instrument_code

    graph_name = name or file.stem
    declared = DeclaredSource(source_id, source_title, source_url, as_of) if source_id else None
    try:
        code = instrument_code(instrument) if instrument else None
        count = load_table(local_graph(store).path, file, kind, graph_name, declared, code)
    except TableError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        raise UsageProblem(f"{len(error.problems)} problem(s) in {file}; nothing was loaded") from None
    except InputError as error:
        raise UsageProblem(str(error)) from None
    click.echo(f"loaded {count} quads into graph user/{graph_name}")


@cli.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@document_options("table", "json")
@click.option("--explain", is_flag=True, help="Also name the rule (normgraph/queries/rules/*.rq) behind each situation, "
              "and the situations considered but not established, with the element that is missing.")
@graph_options
def applies(cases, fmt, output, explain, source):
    """Which instruments a case engages, on which articles, and whether each state involved is bound
    on the date of the facts.

    CASES are YAML or JSON files (one case each; the format is normgraph/cases/schema.json) or JSON-lines
    files (one case per line). Every file is checked first; any problem stops with exit 2.

    \b
    Example:
      normgraph applies normgraph/cases/examples/nepal-domestic-worker.yaml --format markdown
    """
    from .applies import Classifier
    from .cases.case import read_cases
    from .errors import CaseError
    from .render import emit

    check_document_request(fmt, output)
    parsed, problems = [], []
    for path in cases:
        try:
            parsed += list(read_cases(path))
        except CaseError as error:
            problems += error.problems
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        raise UsageProblem(f"{len(problems)} problem(s) in the case file(s); nothing was assessed")
    # A batch reads the store on disk: it asks legal time once per State and period (see Classifier.per_period), too
    # few questions to pay for a copy in memory (0.3 s for the bundled store).
    classifier = Classifier(source.graph())
    answers = classifier.applies_all(parsed, explain)
    if fmt == "json":
        emit([], [], "json", document=answers[0] if len(answers) == 1 else answers)
    elif fmt in DOCUMENT_FORMATS:
        from .documents import applies_document
        from .reports import data_as_of

        write_document(applies_document(answers, data_as_of(classifier.graph), explain), fmt, output)
    else:
        for answer in answers:
            rows = [{"instrument": i["instrument"], "situations": i["situations"], "articles": i["articles"],
                     **{state: i["status"][state] + (f" since {i['in_force_from'][state]}" if i["in_force_from"][state]
                                                     and i["bound"][state] else "")
                        for state in answer["states"]}} for i in answer["instruments"]]
            columns = ["instrument", "situations", "articles", *answer["states"]]
            considered = answer["situations"] + answer.get("ruled_out", [])
            emit(rows, columns, "table", title=f"Case {answer['case']}, facts of {answer['date']}",
                 caption="\n".join(explained(s) if explain else f"{s['label']} ({s['status']}): {'; '.join(s['because'])}"
                                   for s in considered) or "no instrument is engaged by these facts")


def explained(situation: dict) -> str:
    """A situation as `--explain` gives it: the facts found, the rule that found them, and what it needs with the
    articles it rests on (for one ruled out: what the facts would have to show)."""
    rules = f" [rule: {', '.join(situation['rules'])}]" if situation["rules"] else ""
    articles = f" ({', '.join(situation['grounded_in'])})" if situation["grounded_in"] else ""
    return (f"{situation['label']} ({situation['status']}): {'; '.join(situation['because'])}{rules}. "
            f"It needs: {situation['needs'] or 'see docs/legal-rules.md'}{articles}")


@cli.command()
@click.option("--from", "first", type=int, default=1919, show_default=True, metavar="YEAR", help="First year.")
@click.option("--to", "last", type=int, default=None, metavar="YEAR", help="Last year (default: this year).")
@click.option("--day", default="12-31", show_default=True, metavar="MM-DD", help="The day of each year a row describes.")
@click.option("--monthly", is_flag=True, help="A row for the last day of each month instead.")
@click.option("--country", "countries", multiple=True, metavar="STATE", help="Only these States or territories (repeat).")
@click.option("--instrument", "instruments", multiple=True, metavar="CODE", help="Only these instruments (repeat).")
@click.option("--gaps", is_flag=True, help="Add a column per gap query: in the gap, undetermined, or not (slower: each "
                                           "query is asked once a day).")
@click.option("--shape", type=click.Choice(["long", "wide"]), default="long", show_default=True,
              help="long: a row per place, day and instrument; wide: a row per place and day, a status column per instrument.")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), metavar="FILE",
              help="FILE.csv, FILE.parquet or FILE.dta (Stata; both need pip install -e \".[panel]\"); its codebook "
                   "is written beside it as FILE.codebook.md.")
@store_option
def panel(first, last, day, monthly, countries, instruments, gaps, shape, output, store):
    """A panel of legal effect for researchers: for each State (and territory) and each year (or month), every
    instrument's status on that day (bound, not yet in force, denounced, not ratified, not an ILO Member, not yet
    adopted, not applied to the territory, undetermined), the consent type, the C138 age, ILO membership and
    statehood: what `normgraph country` says for that day. Written with a codebook generated from the graph (what
    each column means, the query that computes it, the sources' dates). Both files appear only when complete.

    \b
    Examples:
      normgraph panel --from 1990 --to 2024 -o panel.csv
      normgraph panel --from 2000 --country NPL --country QAT --instrument C029 --instrument P029 --shape wide -o np-qa.csv
    """
    import datetime as dt

    from .files import atomic_write
    from .panel import codebook, file_columns, file_type, panel_dates, panel_rows, shaped, write_panel

    file_type(output)
    dates = panel_dates(first, last if last is not None else dt.date.today().year, day, monthly)
    graph = local_graph(store, in_memory=True)  # thousands of questions: a copy in memory (0.3 s) pays for itself
    rows, columns = shaped(*panel_rows(dates, list(countries) or None, list(instruments) or None, graph, gaps), shape, gaps)
    # The codebook first: a panel is never left without it.
    book, documented = output.with_name(output.stem + ".codebook.md"), codebook(graph, file_columns(output, columns), dates)
    written = write_panel(output, rows, columns)
    atomic_write(book, lambda stream: stream.write(documented.encode("utf-8")))
    click.echo(f"wrote {written} rows to {output} and the codebook to {book}", err=True)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS),
              required=True, help="RDF (nq, trig, jsonld keep the named graphs), a network (graphml, gexf) or csv.")
@click.option("-o", "--output", required=True, metavar="FILE", help="File to write, or - for standard output.")
@click.option("--graph", "graph_name", metavar="NAME", help="RDF formats: only this named graph (e.g. ilo-ratifications).")
@click.option("--view", type=click.Choice(list(catalogue("views"))),
              help="graphml, gexf, csv: which view (default ratifications).")
@click.option("--as-of", "as_of", metavar="DATE", help="graphml, gexf, csv: keep only what binds (or exists) on DATE.")
@graph_options
def export(fmt, output, graph_name, view, as_of, source):
    """Export the graph for other tools: Protégé, GraphDB, Gephi, R, pandas, a spreadsheet.

    A dataset description (VoID/DCAT: triples per graph, classes, sources and licences) is written
    beside the file as FILE.void.ttl. The file appears only when complete.

    \b
    Examples:
      normgraph export --format nq -o normgraph.nq
      normgraph export --format graphml --view ratifications --as-of 2015-01-01 -o ratifications-2015.graphml
      normgraph export --format csv --view comments -o - | head
    """
    from .exports import check_request, export_file, unit_of
    from .exports import export as write_export

    check_request(fmt, view, graph_name, as_of)
    graph = source.graph()
    if output == "-":
        write_export(graph, fmt, sys.stdout.buffer, graph_name, view, as_of)
        return
    count, description = export_file(graph, fmt, Path(output), graph_name, view, as_of)
    click.echo(f"wrote {count} {unit_of(fmt)} to {output} (description: {description})", err=True)


@cli.command()
@graph_options
@click.option("--format", "fmt", type=click.Choice(["table", "json", "ttl"]), default="table", show_default=True)
def stats(source, fmt):
    """The dataset description: triples per named graph, instances per class, sources with as-of dates and licences.

    \b
    Examples:
      normgraph stats
      normgraph stats --format ttl > normgraph.void.ttl
    """
    from .describe import description, summary
    from .render import emit

    triples = description(source.graph())
    if fmt == "ttl":
        from pyoxigraph import RdfFormat, serialize

        from .terms import PREFIXES

        serialize(triples, sys.stdout.buffer, RdfFormat.TURTLE, prefixes=PREFIXES)
        return
    facts = summary(triples)
    if fmt == "json":
        emit([], [], "json", document=facts)
        return
    emit(facts["graphs"], ["graph", "triples", "as_of"], "table", title=f"normgraph: {facts['triples']} triples")
    from .terms import NG

    emit([{**row, "class": row["class"].replace(NG, "ng:")} for row in facts["classes"]],
         ["class", "entities"], "table", title="Instances per class")
    emit([{**row, "licence": row["licence"] or "not stated"} for row in facts["sources"]],
         ["source", "as_of", "licence", "title"], "table", title=f"{len(facts['sources'])} sources")


@cli.group(invoke_without_command=True)
@store_option
@format_option()
@click.pass_context
def graphs(context, store, fmt):
    """Every named graph: bundled data, loaded tables, ingested documents, with size, sources and as-of date.

    \b
    Examples:
      normgraph graphs
      normgraph graphs drop user/normlex-2026
    """
    context.obj = store
    if context.invoked_subcommand:
        return
    from .dataset import list_graphs
    from .render import emit

    rows = list_graphs(local_graph(store))
    emit(rows, ["graph", "kind", "quads", "sources", "as_of"], fmt, title="named graphs",
         caption="bundled graphs are rebuilt from normgraph/data by `normgraph build`; "
                 "`normgraph graphs drop NAME` removes a loaded table or document")


@graphs.command()
@click.argument("name")
@click.pass_obj
def drop(store, name):
    """Remove a loaded table or an ingested document (NAME as `normgraph graphs` lists it).

    \b
    Example:
      normgraph graphs drop user/normlex-2026
    """
    from .dataset import drop_graph
    from .errors import InputError

    try:
        quads = drop_graph(local_graph(store), name)
    except InputError as error:
        raise UsageProblem(str(error)) from None
    click.echo(f"dropped {name} ({quads} quads)")


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@store_option
def ingest(files, store):
    """Put documents (text, Markdown, HTML; PDF with normgraph[pdf]) into the graph, each in its own named
    graph, with every passage that mentions an instrument, a state or a programme.

    Ingesting a file again replaces its graph. Every file is read first; if one cannot be read, nothing is loaded.

    \b
    Example:
      normgraph ingest report.md notes.html
      normgraph mentions "Palermo Protocol"
    """
    from .dataset import ingest_documents

    for path, result in ingest_documents(local_graph(store), list(files)).items():
        click.echo(f"{path}: {result['mentions']} mentions, {result['quads']} quads in <{result['graph']}>")


@cli.command()
@click.argument("instrument")
@graph_options
@format_option()
def mentions(instrument, source, fmt):
    """The passages of ingested documents that mention an instrument, with character offsets.

    \b
    Example:
      normgraph mentions C182 --format json
    """
    from .ids import instrument_code
    from .queries.catalogue import run_named
    from .render import emit

    code = instrument_code(instrument)
    rows = [{k: v for k, v in row.items() if k != "instrument"}
            for row in run_named(source.graph(), "profiles", "mentions", instrument=code)]
    emit(rows, ["document", "form", "start", "end", "passage"], fmt, title=f"Mentions of {code}: {len(rows)}",
         document=rows)


@cli.command()
@click.option("--endpoint", envvar="NORMGRAPH_ENDPOINT", required=True, metavar="QUERY_URL",
              help="The server's SPARQL query endpoint, used to check the counts (env NORMGRAPH_ENDPOINT).")
@click.option("--update-endpoint", metavar="URL", help="Its SPARQL Update endpoint (default: the query endpoint).")
@click.option("--graph-store", metavar="URL", help="Its Graph Store protocol endpoint; preferred when given.")
@click.option("--timeout", type=Seconds(1), default=300.0, show_default=True, metavar="SECONDS")
@store_option
def push(endpoint, update_endpoint, graph_store, timeout, store):
    """Upload every named graph of the store to a SPARQL server, replacing the same graphs there.

    A second push replaces what the first put there. Credentials come from NORMGRAPH_ENDPOINT_USER
    and NORMGRAPH_ENDPOINT_PASSWORD. The command fails (exit 1) unless every graph's size on the
    server matches the store.

    \b
    Examples:
      normgraph push --endpoint http://127.0.0.1:7878/query --graph-store http://127.0.0.1:7878/store
      normgraph push --endpoint http://127.0.0.1:8890/sparql
    """
    from rich.progress import Progress

    from .graph.push import push as upload

    local = local_graph(store)
    total = sum(local.graph_counts().values())
    with Progress(console=_stderr_console(), transient=True) as progress:
        task = progress.add_task("pushing", total=total)
        counts = upload(local, endpoint, update_endpoint, graph_store, timeout,
                        lambda iri, n: progress.update(task, advance=n, description=iri.rsplit("/", 1)[-1]))
    click.echo(f"pushed {len(counts)} graphs, {sum(counts.values())} triples, to {endpoint}; counts checked")


@cli.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback unless told).")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True)
@click.option("--timeout", type=Seconds(0.1), default=30.0, show_default=True, metavar="SECONDS",
              help="Stop a query that runs longer than this.")
@click.option("--max-memory", type=click.IntRange(min=16), default=1024, show_default=True, metavar="MB",
              help="Stop a query that needs more memory than this.")
@click.option("--max-rows", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Answer at most this many rows or triples (a cut answer carries the X-SPARQL-MaxRows header).")
@click.option("--allow-service", multiple=True, metavar="URL",
              help="An endpoint queries may federate to with SERVICE (repeatable); every other SERVICE is refused.")
@click.option("--idle-timeout", type=Seconds(0.1), default=30.0, show_default=True, metavar="SECONDS",
              help="Hang up on a connection that sends nothing for this long.")
@click.option("--request-timeout", type=Seconds(0.1), default=10.0, show_default=True, metavar="SECONDS",
              help="Hang up on a client that takes longer than this to send a whole request (a trickle counts).")
@click.option("--service-timeout", type=Seconds(0.1), default=10.0, show_default=True, metavar="SECONDS",
              help="Stop a query that federates (to an --allow-service endpoint) after this long.")
@click.option("--remembered-answers", type=click.IntRange(min=0), default=64, show_default=True, metavar="MB",
              help="Keep up to this many MB of answers, to answer a query asked again without running it (0: none). "
                   "A query that calls NOW, RAND, UUID, STRUUID or BNODE, or uses SERVICE, always runs.")
def serve(store, host, port, timeout, max_memory, max_rows, allow_service, idle_timeout, request_timeout, service_timeout,
          remembered_answers):
    """Serve the store read-only: web pages at http://HOST:PORT/ and a SPARQL 1.1 endpoint at /query (GET and POST).

    The pages (a State's profile and gaps, the gap catalogue, instruments, a map, a case form, a SPARQL editor)
    each have a stable address and a JSON twin (the address ending in .json).

    SELECT and ASK answer as JSON, XML, CSV or TSV, CONSTRUCT and DESCRIBE as Turtle, N-Triples,
    RDF/XML or JSON-LD, as the Accept header asks. Updates are refused. Queries run in worker processes,
    stopped at --timeout or --max-memory; request bodies are capped at 1 MB.

    \b
    Example:
      normgraph serve --port 7878 &
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 3' http://127.0.0.1:7878/query
    """
    from .graph.serve import Limits, make_server
    from .web import create_site

    graph = local_graph(store, in_memory=True)
    limits = Limits(seconds=timeout, memory_mb=max_memory, max_rows=max_rows, allow_service=tuple(allow_service),
                    service_seconds=service_timeout, request_seconds=request_timeout,
                    remembered_bytes=remembered_answers * 1024 * 1024)
    try:
        server, workers = make_server(graph.store, host, port, limits, idle_timeout,
                                      site_factory=lambda ask: create_site(graph, ask))
    except OSError as error:
        raise UsageProblem(f"cannot listen on {host}:{port}: {error.strerror}") from None
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"normgraph: warning: listening on {host}, reachable from other machines", err=True)
    click.echo(f"normgraph: serving {graph.path} read-only: web pages at http://{host}:{server.effective_port}/, "
               f"SPARQL at /query (Ctrl-C stops)", err=True)
    if not workers.offline and not allow_service:
        click.echo("normgraph: warning: this machine refuses network namespaces, so the query workers keep the "
                   "network; SERVICE is still refused by the query checks", err=True)
    import signal

    # A service manager stops the server with SIGTERM: the workers go with it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        workers.close()


@cli.group()
def figure():
    """Figures (PNG or SVG, by the file's extension), titled with their as-of date."""


def output_option(function):
    return click.option("-o", "--output", required=True, type=click.Path(path_type=Path), metavar="FILE.png|FILE.svg",
                        help="The figure file; .png or .svg.")(function)


@figure.command("matrix")
@output_option
@as_of_option
@click.option("--region", help="Only the states of this ILO region.")
@click.option("--country", "countries", multiple=True, help="Only these states (repeat the option).")
@click.option("--instrument", "instruments", multiple=True,
              help="Only these instruments (repeat the option; default: every one a state can be bound by on the date).")
@graph_options
def figure_matrix(output, as_of, region, countries, instruments, source):
    """States × instruments, coloured by legal effect on the date.

    \b
    Examples:
      normgraph figure matrix --region "Arab States" -o arab-states.png
      normgraph figure matrix --country NPL --country QAT --country IND --as-of 2015-01-01 -o corridor.svg
    """
    from . import figures

    _announce(figures.matrix(source.graph(), output, as_of, region, list(countries), list(instruments)))


@figure.command("timeline")
@click.argument("instrument")
@output_option
@as_of_option
@graph_options
def figure_timeline(instrument, output, as_of, source):
    """How many parties an instrument binds, over time.

    \b
    Example:
      normgraph figure timeline P29 -o p029.png
    """
    from . import figures

    _announce(figures.timeline(source.graph(), output, instrument, as_of))


@figure.command("gaps")
@output_option
@as_of_option
@graph_options
def figure_gaps(output, as_of, source):
    """How many states of each ILO region each gap query finds.

    \b
    Example:
      normgraph figure gaps --as-of 2010-01-01 -o gaps-2010.svg
    """
    from . import figures

    _announce(figures.gaps(source.graph(), output, as_of))


def _announce(result: dict) -> None:
    click.echo(f"wrote {result['figure']} (as of {result['as_of']})", err=True)


def main() -> None:
    """Entry point: every error is one line, never a traceback. The user's to fix (normgraph.errors.UsageError,
    click's usage errors) exits 2; a failure of the store, an endpoint, the engine or the system exits 1."""
    from .errors import NormgraphError

    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.UsageError as error:
        error.show()
        sys.exit(2)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except NormgraphError as error:
        click.echo(f"normgraph: {'error' if error.exit_code == 2 else 'failed'}: {error}", err=True)
        sys.exit(error.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except OSError as error:  # the system refused (a full disk, a permission): one line, not a traceback
        where = f": {error.filename}" if error.filename else ""
        click.echo(f"normgraph: failed: {error.strerror or error}{where}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
