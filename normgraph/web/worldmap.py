"""The world map: every State coloured by its status on a date, for one instrument (legal time, as the matrix figure
computes it) or for one gap query (whether the query finds the gap there). The shapes are Natural Earth's 1:110m
countries in the Equal Earth projection, bundled as data/world_map.csv (scripts/import_world_map.py); the few
States too small to draw at that scale are listed under the map with the same colours."""
from __future__ import annotations

import csv
from collections import Counter
from functools import lru_cache
from importlib import resources

from ..figures import STATUS_COLOURS
from ..ids import instrument_code
from ..queries.catalogue import run_named

MAP_STATUSES = {**STATUS_COLOURS, "gap": "#d6604d", "no gap found": "#92c5de"}
DEFAULT_INSTRUMENT = "C029"


@lru_cache(maxsize=1)
def shapes() -> dict[str, str]:
    with resources.files("normgraph.data").joinpath("world_map.csv").open(encoding="utf-8") as handle:
        return {row["iso3"]: row["path"] for row in csv.DictReader(handle)}


def world_map(graph, when: str, instrument: str | None = None, gap: str | None = None) -> dict:
    """{"as_of", "instrument" or "gap", "title", "states": [{"country", "name", "status", "drawn"}], "counts"}."""
    from ..errors import InputError
    from ..reports import gaps

    if instrument and gap:
        raise InputError("colour the map by an instrument or by a gap query, not both")
    states = run_named(graph, "figures", "states")
    if gap:
        answer = gaps(gap, when, graph)
        found = {row["country"] for row in answer["rows"]}
        status = {state["country"]: "gap" if state["country"] in found else "no gap found" for state in states}
        subject = {"gap": gap, "title": f"{answer['title']}, on {when}"}
    else:
        code = instrument_code(instrument or DEFAULT_INSTRUMENT)
        recorded = {r["country"]: r["status"] for r in run_named(graph, "figures", "matrix", asOf=when, instrument=code)}
        status = {state["country"]: recorded.get(state["country"], "no record") for state in states}
        subject = {"instrument": code, "title": f"{code}: legal effect for each State on {when}"}
    drawn = shapes()
    rows = [{"country": s["country"], "name": s["name"], "status": status[s["country"]], "drawn": s["country"] in drawn}
            for s in states]
    return {"as_of": when, **subject, "states": rows, "counts": dict(Counter(r["status"] for r in rows))}
