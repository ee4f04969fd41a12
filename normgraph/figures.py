"""Figures a person would rather look at than read, each titled with its as-of date (matplotlib).

The data comes from the SPARQL files in queries/figures/ and the gap catalogue; this module only draws.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path

from .errors import InputError
from .ids import country_code, instrument_code, parse_date
from .queries.catalogue import catalogue, run_named
from .reports import known_state, require_party_counts

STATUS_COLOURS = {"bound": "#1b7837", "undetermined": "#fdb863", "not yet in force": "#a6dba0",
                  "denounced": "#b2182b", "signatory only": "#c2a5cf", "no record": "#f0f0f0"}
FIGURE_TYPES = (".png", ".svg")


def check_output(path: Path) -> None:
    if path.suffix.lower() not in FIGURE_TYPES:
        raise InputError(f"{path.name}: the figure type comes from the extension; use .png or .svg")


def pyplot():
    try:
        import matplotlib
    except ImportError:
        raise InputError("figures need matplotlib: in the normgraph folder, pip install -e \".[figures]\"") from None

    matplotlib.use("Agg")
    # SVG text stays text, so a reader (or a test) can search the labels.
    matplotlib.rcParams["svg.fonttype"] = "none"
    import matplotlib.pyplot as plt

    return plt


def matrix(graph, path: Path, as_of: str | None = None, region: str | None = None,
           states: list[str] | None = None, instruments: list[str] | None = None) -> dict:
    """States × instruments, each cell coloured by the legal effect on the date. Every instrument asked for (by
    default every one a state can be bound by on the date) and every state asked for has its column or row,
    ratified or not: what is missing is the point of the figure."""
    check_output(path)
    when = parse_date(as_of or "today", "as_of").isoformat()
    wanted = [country_code(s) for s in states] if states else None
    rows = run_named(graph, "figures", "matrix", asOf=when, region=region)
    names = {row["country"]: row["name"] for row in rows}
    if wanted:
        rows = [row for row in rows if row["country"] in wanted]
        names = {code: names.get(code) or known_state(graph, code)["name"] for code in wanted}
    if not names:
        raise InputError("no state matches the filter")
    countries = sorted(names, key=lambda code: names[code])
    instruments = ([instrument_code(i) for i in instruments] if instruments
                   else [row["code"] for row in run_named(graph, "figures", "matrix-columns", asOf=when)])
    status = {(row["country"], row["code"]): row["status"] for row in rows}
    plt = pyplot()
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    legend = list(STATUS_COLOURS)
    cells = [[legend.index(status.get((c, i), "no record")) for i in instruments] for c in countries]
    height = max(3.0, 0.22 * len(countries) + 1.8)
    figure, axes = plt.subplots(figsize=(1.0 + 0.75 * len(instruments) + 2.5, height))
    axes.imshow(cells, cmap=ListedColormap(list(STATUS_COLOURS.values())), vmin=0, vmax=len(legend) - 1,
                aspect="auto", interpolation="nearest")
    axes.set_xticks(range(len(instruments)), instruments, rotation=45, ha="right")
    axes.set_yticks(range(len(countries)), [f"{names[c]} ({c})" for c in countries], fontsize=7)
    axes.set_xticks([x - 0.5 for x in range(1, len(instruments))], minor=True)
    axes.grid(which="minor", axis="x", color="white", linewidth=1.5)
    axes.tick_params(which="minor", length=0)
    scope = f" — {region}" if region else ""
    axes.set_title(f"Legal effect of each instrument on {when}{scope}", fontsize=11)
    axes.legend(handles=[Patch(color=colour, label=label) for label, colour in STATUS_COLOURS.items()],
                loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    notes = data_notes(graph, figure, when)
    save(figure, path)
    return {"figure": str(path), "as_of": when, "states": len(countries), "instruments": instruments, "currency": notes}


def data_notes(graph, figure, when: str) -> list[str]:
    """Under the figure, what it cannot know: the consent data's as-of date where the date asked is later."""
    from .reports import currency, data_as_of

    notes = currency(data_as_of(graph), when)
    if notes:
        figure.text(0.01, -0.01, "\n".join(notes), fontsize=7, color="#a50026", ha="left", va="top")
    return notes


def data_stops(graph, code: str) -> dt.date | None:
    """The day the instrument's consent data is known to (most facts): after it, a timeline is not data."""
    from .reports import consent_data_as_of, data_as_of

    # A UN treaty has its chapter in the UN Treaty Collection; an ILO instrument has none.
    un = any(row["code"] == code and row["untc"]
             for row in run_named(graph, "figures", "matrix-columns", asOf=dt.date.today().isoformat()))
    stated = consent_data_as_of(data_as_of(graph)).get("un-treaties" if un else "ilo-ratifications", "")
    return dt.date.fromisoformat(stated) if len(stated) == 10 else None  # a year or a month alone marks no day


def parties_over_time(graph, code: str, when: str) -> list[dict]:
    """Each day up to `when` on which the number of parties the instrument binds changes, with that number: the sum of
    the changes figures/timeline.rq gives up to the day."""
    require_party_counts(graph)
    bound, days = 0, []
    for row in run_named(graph, "figures", "timeline", instrument=code, asOf=when):
        bound += int(row["parties"])
        days.append({"day": row["day"], "parties": bound})
    return days


def timeline(graph, path: Path, instrument: str, as_of: str | None = None) -> dict:
    """Parties for which the instrument is in force, over time."""
    check_output(path)
    code = instrument_code(instrument)
    when = parse_date(as_of or "today", "as_of")
    rows = parties_over_time(graph, code, when.isoformat())
    if not rows:
        raise InputError(f"normgraph has no consent to {code} in force by {when.isoformat()}")
    days = [dt.date.fromisoformat(row["day"]) for row in rows] + [when]
    in_force = [row["parties"] for row in rows]
    total = in_force[-1]
    in_force.append(total)
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(8, 4.5))
    stop = data_stops(graph, code)
    if stop and stop < when:  # after the data's as-of date the line is no longer data: drawn apart, and said
        known = [(day, count) for day, count in zip(days, in_force) if day <= stop]
        last = known[-1][1] if known else 0
        axes.step([d for d, _ in known] + [stop], [c for _, c in known] + [last], where="post", color="#1b7837",
                  linewidth=2, label="parties for which it is in force")
        axes.plot([stop, when], [last, last], color="#999999", linestyle="--", linewidth=1.5,
                  label=f"after {stop.isoformat()}: not known to the data")
    else:
        axes.step(days, in_force, where="post", color="#1b7837", linewidth=2, label="parties for which it is in force")
    axes.set_ylabel("parties")
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left", frameon=False)
    axes.set_title(f"{code}: parties over time, as of {when.isoformat()} ({total} in force)")
    notes = data_notes(graph, figure, when.isoformat())
    save(figure, path)
    return {"figure": str(path), "as_of": when.isoformat(), "instrument": code, "parties_in_force": total,
            "data_stops": stop.isoformat() if stop else None, "currency": notes}


def gap_counts(graph, as_of: str | None = None) -> tuple[str, dict[str, Counter]]:
    """For each catalogue query that lists states, how many states of each ILO region it finds."""
    when = parse_date(as_of or "today", "as_of").isoformat()
    region_of = {row["country"]: row["regionName"] for row in run_named(graph, "figures", "regions")}
    counts: dict[str, Counter] = defaultdict(Counter)
    for name, query in catalogue().items():
        if any(p.required and p.name != "asOf" for p in query.parameters):
            continue
        rows = run_named(graph, "gaps", name, asOf=when)
        for country in {row.get("country") for row in rows if row.get("country") in region_of}:
            counts[name][region_of[country]] += 1
    return when, counts


def gaps(graph, path: Path, as_of: str | None = None) -> dict:
    """A heat map: gap queries × ILO regions, each cell the number of states with that gap."""
    check_output(path)
    when, counts = gap_counts(graph, as_of)
    regions = sorted({region for counter in counts.values() for region in counter})
    queries = sorted(counts, key=lambda name: -sum(counts[name].values()))
    cells = [[counts[q][r] for r in regions] for q in queries]
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(2.2 + 1.6 * len(regions), 1.2 + 0.42 * len(queries)))
    image = axes.imshow(cells, cmap="Reds", aspect="auto")
    axes.set_xticks(range(len(regions)), regions, rotation=20, ha="right")
    axes.set_yticks(range(len(queries)), queries)
    peak = max((max(row) for row in cells), default=0)
    for y, row in enumerate(cells):
        for x, value in enumerate(row):
            axes.text(x, y, str(value), ha="center", va="center", fontsize=8,
                      color="white" if value > peak / 2 else "black")
    figure.colorbar(image, ax=axes, label="states")
    axes.set_title(f"Coherence gaps per ILO region on {when}")
    notes = data_notes(graph, figure, when)
    save(figure, path)
    return {"figure": str(path), "as_of": when, "counts": {q: dict(counts[q]) for q in queries}, "currency": notes}


def save(figure, path: Path) -> None:
    import matplotlib.pyplot as plt

    from .files import atomic_write

    figure.tight_layout()
    # bbox "tight": the notes under the axes are part of the picture.
    atomic_write(path, lambda stream: figure.savefig(stream, format=path.suffix.lower()[1:], dpi=150,
                                                     bbox_inches="tight"))
    plt.close(figure)
