"""The web interface `normgraph serve` shows beside its SPARQL endpoint: server-rendered pages over the same answers
as the CLI (normgraph.reports, normgraph.applies), each at a stable address with a JSON twin (the same address
ending in .json). Read-only, like the endpoint: the pages run the named queries with bound parameters, and the
SPARQL page sends the user's query through the endpoint's own workers and limits."""
from __future__ import annotations

import datetime as dt
import json
from importlib import resources

from ..errors import InputError, NormgraphError, UsageError
from ..links import web_address
from .forms import case_form_fields, case_from_form

HERE = resources.files("normgraph")


def create_site(graph, ask, cache_pages: bool = True):
    """The Flask application over `graph` (a LocalGraph held by the server); `ask(query, accept)` runs a SPARQL
    query as /query does (graph/serve.make_server). `cache_pages=False` renders every request anew (to measure)."""
    from flask import Flask, abort, jsonify, redirect, render_template, request, url_for

    from .. import figures, reports
    from ..applies import Classifier
    from ..documents import bound_text, row_details
    from ..ids import country_code, ilo_regions, instrument_code
    from ..queries.catalogue import catalogue, cli_name, run_named
    from ..terms import PREFIXES
    from .worldmap import MAP_STATUSES, shapes, world_map

    app = Flask("normgraph.web", template_folder=str(HERE / "templates" / "web"), static_folder=str(HERE / "web" / "static"))
    # Every template escapes what it prints (Flask would only for names ending in .html); what a client or a
    # loaded table sends is text, never markup.
    app.jinja_env.autoescape = True
    # No redirect is made by the router: its redirects (a doubled slash, a trailing slash) are absolute
    # addresses built from the client's Host header.
    app.url_map.merge_slashes = app.url_map.strict_slashes = False
    classifier = Classifier(graph)
    cache = PageCache(budget=64 * 1024 * 1024 if cache_pages else 0)

    @app.before_request
    def cached():
        # Any other method goes on to the router, which answers 405 as it does for an uncached page.
        return cache.get(cache_key(request)) if request.method in ("GET", "HEAD") else None

    @app.after_request
    def keep(response):
        if request.method == "GET" and response.status_code == 200 and not response.direct_passthrough:
            cache.put(cache_key(request), response)
        for name, value in SECURITY_HEADERS:  # a page that set its own policy (the SPARQL editor's) keeps it
            response.headers.setdefault(name, value)
        return response

    def as_of() -> str:
        """The page's date (?as_of=YYYY-MM-DD, default today), checked as the CLI checks it."""
        from ..ids import parse_date

        return parse_date(request.args.get("as_of") or "today", "as_of").isoformat()

    def page(template: str, twin: bool, data: dict, **context):
        """The page, or its JSON twin: the same data the page shows."""
        if twin:
            return jsonify(data)
        return render_template(template, data=data, as_of=data.get("as_of"), request=request, **context)

    @app.errorhandler(NormgraphError)
    def refused(error: NormgraphError):
        status = 400 if isinstance(error, UsageError) else 500
        if request.path.endswith(".json"):
            return jsonify({"error": str(error)}), status
        return render_template("error.html.j2", message=str(error), request=request), status

    @app.errorhandler(404)
    def not_found(_error):
        if request.path.endswith(".json"):
            return jsonify({"error": f"no page at {request.path}"}), 404
        return render_template("error.html.j2", message=f"There is no page at {request.path}.", request=request), 404

    @app.get("/")
    @app.get("/index.json", endpoint="home_json")
    def home():
        when = as_of()
        from ..describe import description, summary

        data = {"as_of": when, "instruments": run_named(graph, "figures", "matrix-columns", asOf=when),
                "data_as_of": reports.data_as_of(graph), "sources": summary(description(graph))["sources"],
                "pages": {"country": "/country/{ISO3}?as_of={date}", "gaps": "/gaps", "gap": "/gaps/{name}?as_of={date}",
                          "instrument": "/instrument/{code}?as_of={date}", "map": "/map?instrument={code}&as_of={date}",
                          "case": "/case?{facts}", "sparql": "/query?query={SPARQL}"}}
        return page("home.html.j2", request.endpoint == "home_json", data)

    @app.get("/country")
    def find_country():
        name = (request.args.get("q") or "").strip()
        if not name:
            raise InputError("name a state: an English name or an ISO 3166-1 code")
        return redirect(url_for("country", code=country_code(name), **without("q")))

    def without(*names: str) -> dict:
        return {k: v for k, v in request.args.items() if k not in names and v}

    def stable(code: str, resolve) -> str:
        """The code of the State or instrument the address names; one named otherwise is sent to its stable address."""
        canonical = resolve(code)
        if canonical != code:
            abort(redirect(url_for(request.endpoint, code=canonical, **request.args)))
        return canonical

    def fields(query) -> list[dict]:
        return [{"name": cli_name(p.name), "kind": p.kind, "required": p.required} for p in query.user_parameters]

    @app.get("/country/<code>")
    @app.get("/country/<code>.json", endpoint="country_json")
    def country(code: str):
        canonical, when = stable(code, country_code), as_of()
        data = reports.country_profile(canonical, when, graph)
        data["gap_report"] = reports.gap_report(canonical, when, graph)
        data["at_a_glance"] = reports.at_a_glance(data, data["gap_report"])
        return page("country.html.j2", request.endpoint == "country_json", data)

    @app.get("/gaps")
    @app.get("/gaps.json", endpoint="gaps_json")
    def gap_catalogue():
        entries = [{"query": name, "title": q.title, "legal_basis": q.legal_basis, "scope": q.scope,
                    "description": q.description, "parameters": fields(q)}
                   for name, q in sorted(catalogue().items())]
        return page("gaps.html.j2", request.endpoint == "gaps_json", {"queries": entries})

    @app.get("/gaps/<name>")
    @app.get("/gaps/<name>.json", endpoint="gap_json")
    @app.get("/gaps/<name>.csv", endpoint="gap_csv")
    def gap(name: str):
        query = catalogue().get(name)
        if query is None:
            raise InputError(f"no gap query named {name!r}; the catalogue is at /gaps")
        params = {p.name: request.args.get(cli_name(p.name)) or None for p in query.user_parameters if p.name != "asOf"}
        data = reports.gaps(name, as_of(), graph, **params)
        if request.endpoint == "gap_csv":
            from ..render import delimited, gap_rows

            rows, columns = gap_rows(data["rows"])
            return app.response_class(delimited(rows, columns, ","), mimetype="text/csv",
                                      headers={"Content-Disposition": f'attachment; filename="{name}-{data["as_of"]}.csv"'})
        return page("gap.html.j2", request.endpoint == "gap_json", data, regions=ilo_regions(),
                    fields=[f for f in fields(query) if f["name"] != "as-of"])

    @app.get("/panel")
    @app.get("/panel.csv", endpoint="panel_csv")
    def panel_page():
        """A researcher's panel for a few States over a range of years: the page shows it, the CSV downloads it.
        Bounded (at most MAX_WEB_PLACES places): the whole world is `normgraph panel`'s job."""
        import datetime as dt

        from ..panel import COLUMNS, panel_dates, panel_rows

        chosen = [code for code in request.args.getlist("country") if code.strip()]
        this_year = dt.date.today().year
        try:
            first, last = int(request.args.get("from") or 2000), int(request.args.get("to") or this_year)
        except ValueError:
            raise InputError("from and to are years (e.g. from=2000&to=2024)") from None
        if len(chosen) > MAX_WEB_PLACES:
            raise InputError(f"at most {MAX_WEB_PLACES} States a page; `normgraph panel` writes the whole world")
        if last > this_year:
            raise InputError(f"to is a year up to {this_year}: the data say nothing of later years")
        rows = list(panel_rows(panel_dates(first, last), chosen, request.args.getlist("instrument") or None,
                               graph)[1]) if chosen else []
        if request.endpoint == "panel_csv":
            from ..render import delimited

            return app.response_class(delimited(rows, list(COLUMNS), ","), mimetype="text/csv",
                                      headers={"Content-Disposition": f'attachment; filename="panel-{first}-{last}.csv"'})
        return render_template("panel.html.j2", rows=rows, columns=COLUMNS, chosen=chosen, first=first, last=last,
                               request=request, as_of=None)

    @app.get("/instrument/<code>")
    @app.get("/instrument/<code>.json", endpoint="instrument_json")
    def instrument(code: str):
        canonical, when = stable(code, instrument_code), as_of()
        data = reports.instrument_profile(canonical, when, graph)
        data["timeline"] = figures.parties_over_time(graph, canonical, when)
        stop = figures.data_stops(graph, canonical)
        data["data_stops"] = stop.isoformat() if stop else None
        return page("instrument.html.j2", request.endpoint == "instrument_json", data,
                    chart=step_chart(data["timeline"], when, stop))

    @app.get("/map")
    @app.get("/map.json", endpoint="map_json")
    def status_map():
        data = world_map(graph, as_of(), instrument=request.args.get("instrument") or None,
                         gap=request.args.get("gap") or None)
        instruments = run_named(graph, "figures", "matrix-columns", asOf=data["as_of"])
        return page("map.html.j2", request.endpoint == "map_json", data, statuses=MAP_STATUSES, shapes=shapes(),
                    instruments=instruments, gap_names=sorted(catalogue()))

    @app.get("/case")
    @app.get("/case.json", endpoint="case_json")
    def case():
        fields = case_form_fields()
        answer, problems = None, []
        if request.args.get("date"):
            from ..errors import ProblemsError

            try:
                answer = classifier.applies(case_from_form(request.args), explain=True)
            except ProblemsError as error:
                problems = error.problems
        if request.endpoint == "case_json":
            if problems:
                return jsonify({"problems": problems}), 400
            if answer is None:
                return jsonify({"error": "give the case's facts as parameters, as the form at /case does"}), 400
            return jsonify(answer)
        return render_template("case.html.j2", fields=fields, answer=answer, problems=problems, request=request,
                               as_of=None), (400 if problems else 200)

    @app.get("/vocabulary")
    @app.get("/vocabulary.json", endpoint="vocabulary_json")
    def vocabulary():
        from ..queries.catalogue import EXAMPLE_PARAMETERS, catalogue, printed

        when = as_of()
        examples = [{"name": name, "title": query.title, "query": printed(query, {"asOf": when, **EXAMPLE_PARAMETERS.get(name, {})})}
                    for name, query in catalogue().items()]
        data = {"as_of": when, "prefixes": PREFIXES, "terms": run_named(graph, "describe", "vocabulary"),
                "examples": examples}
        return page("vocabulary.html.j2", request.endpoint == "vocabulary_json", data)

    @app.get("/sparql")
    def sparql():
        from ..graph.serve import Refusal

        query = request.args.get("query") or ""
        result, error = None, None
        if query.strip():
            try:
                result = sparql_result(ask, query)
            except Refusal as refusal:
                error = str(refusal)
        prologue = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())
        page_html = render_template("sparql.html.j2", query=query or prologue + EXAMPLE_QUERY, result=result, error=error,
                                    prefixes=PREFIXES, request=request, as_of=None)
        return page_html, (400 if error else 200), [("Content-Security-Policy", EDITOR_POLICY)]

    @app.template_filter("status_class")
    def status_class(status: str | None) -> str:
        return (status or "no record").split(" (")[0].split(":")[0].replace(" ", "-")

    app.jinja_env.filters.update(details=row_details, bound=bound_text, web_url=web_address)
    return app


MAX_WEB_PLACES = 10

# No script runs on these pages (none is needed): a script that slipped into a page would not run either.
# The SPARQL page alone runs scripts, and only this server's own files (the vendored editor): no inline script,
# nothing from elsewhere, requests only to this server.
# YASGUI writes one <style> element of its own: allowed by its hash, and no other inline style.
EDITOR_POLICY = ("default-src 'none'; script-src 'self'; connect-src 'self'; "
                 "style-src 'self' 'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk='; img-src 'self' data:; "
                 "font-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    ("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                                "base-uri 'none'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"), ("Referrer-Policy", "no-referrer")]


class PageCache:
    """Answered pages by address, up to a byte budget, least recently used out first. The server's store never
    changes while it runs, so a page is the same until the day changes (the default as-of date is today)."""

    def __init__(self, budget: int = 64 * 1024 * 1024):
        from collections import OrderedDict
        from threading import Lock

        self.pages: OrderedDict = OrderedDict()
        self.size, self.budget, self.lock = 0, budget, Lock()

    def get(self, key: str):
        with self.lock:
            entry = self.pages.get(key)
            if entry is None:
                return None
            self.pages.move_to_end(key)
        from flask import Response

        body, content_type, headers, _ = entry
        return Response(body, content_type=content_type, headers=headers)

    def put(self, key: str, response) -> None:
        body = response.get_data()
        # A page's own headers go with it: its download name, and its own policy (the SPARQL editor's).
        headers = [(k, v) for k, v in response.headers.items() if k in ("Content-Disposition", "Content-Security-Policy")]
        # An address is counted with its page, and a long one (a client's junk parameters) is not kept at all.
        cost = len(body) + len(key) + ENTRY_OVERHEAD
        with self.lock:
            if key in self.pages or cost > self.budget // 8 or len(key) > MAX_CACHED_ADDRESS:
                return
            self.pages[key] = (body, response.content_type, headers, cost)
            self.size += cost
            while self.size > self.budget:
                _, (_, _, _, freed) = self.pages.popitem(last=False)
                self.size -= freed


# What an entry costs beyond its page and address (the tuple, the dictionary slot, the strings' headers).
ENTRY_OVERHEAD = 400
MAX_CACHED_ADDRESS = 2048


def cache_key(request) -> str:
    return f"{dt.date.today().isoformat()} {request.full_path}"


EXAMPLE_QUERY = """
# States bound by C182 but with no record of C138, with their ILO region
SELECT ?state ?name ?region WHERE {
  ?r ng:party ?s ; ng:instrument instrument:C182 .
  ?s ng:iso3 ?state ; rdfs:label ?name ; ng:iloRegion/rdfs:label ?region .
  FILTER NOT EXISTS { ?c ng:party ?s ; ng:instrument instrument:C138 }
}
ORDER BY ?name
"""
# The rows a page shows; the downloads carry the whole answer.
SHOWN_ROWS = 1000


def sparql_result(ask, query: str) -> dict:
    """The answer to show: a table for SELECT, a boolean for ASK, Turtle for CONSTRUCT and DESCRIBE. The endpoint's
    own checks run first (read-only, SERVICE, nesting, syntax), and its content negotiation picks the form."""
    media_type, body, truncated = ask(query, "application/sparql-results+json, text/turtle;q=0.9")
    if media_type == "text/turtle":
        return {"kind": "graph", "text": body.decode("utf-8"), "truncated": truncated}
    answer = json.loads(body)
    if "boolean" in answer:
        return {"kind": "boolean", "value": answer["boolean"]}
    variables = answer["head"]["vars"]
    rows = [[row.get(v, {}).get("value", "") for v in variables] for row in answer["results"]["bindings"]]
    return {"kind": "table", "variables": variables, "rows": rows[:SHOWN_ROWS], "count": len(rows),
            "truncated": truncated or len(rows) > SHOWN_ROWS}


def step_chart(timeline: list[dict], when: str, stop: dt.date | None = None, width: int = 720,
               height: int = 240) -> dict | None:
    """The number of parties bound over time as an SVG step line: points in the frame, the axis labels, and where
    the consent data stops (`stop`, when it falls inside the frame)."""
    if not timeline:
        return None
    days = [dt.date.fromisoformat(r["day"]) for r in timeline] + [dt.date.fromisoformat(when)]
    counts = [int(r["parties"]) for r in timeline]
    counts.append(counts[-1])
    first, span = days[0], max((days[-1] - days[0]).days, 1)
    top = max(max(counts), 1)
    left, bottom = 40, height - 24

    def x(day: dt.date) -> float:
        return round(left + (width - left - 10) * (day - first).days / span, 1)

    def y(count: int) -> float:
        return round(bottom - (bottom - 10) * count / top, 1)
    points = [f"{x(days[0])},{y(0)}"]
    for index, day in enumerate(days[:-1]):
        points += [f"{x(day)},{y(counts[index - 1] if index else 0)}", f"{x(day)},{y(counts[index])}"]
    points.append(f"{x(days[-1])},{y(counts[-1])}")
    inside = stop is not None and days[0] < stop < days[-1]
    return {"width": width, "height": height, "points": " ".join(points), "top": top, "first": days[0].isoformat(),
            "last": days[-1].isoformat(), "left": left, "bottom": bottom, "y_top": y(top), "now": counts[-1],
            "stop": stop.isoformat() if inside else None, "stop_x": x(stop) if inside else None}
