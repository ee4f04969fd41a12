"""A synthetic graph with the bundled graph's shapes, at any size: more states, instruments, ratifications
and comments, generated with the real loaders' code paths so the queries meet the same structure.

    python bench/synthetic.py --triples 100000 --out /tmp/synthetic.nq
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
from collections.abc import Iterator

from pyoxigraph import NamedNode, Quad, RdfFormat, serialize

from normgraph.dataset import bundled_sources
from normgraph.graph.build import quads_in
from normgraph.ids import ilo_regions, region_key
from normgraph.loaders import ratifications, supervision
from normgraph.loaders.countries import region_triples
from normgraph.loaders.instruments import bundled_instruments
from normgraph.rdf import RDF_TYPE, RDFS_LABEL, facts, ng, node, provenance

REGIONS = ilo_regions()
INSTRUMENTS = ("C029", "P029", "C097", "C105", "C138", "C143", "C181", "C182", "C189")
LAST_REGISTRATION = dt.date(2025, 12, 31)
TOPICS = ("trafficking", "minimum_age", "migrant_workers", "recruitment_fees", "debt_bondage", "prison_labour")


def synthetic_state(index: int) -> str:
    return f"S{index:05d}"


def synthetic_triples(states: int, seed: int) -> Iterator[tuple[str, object]]:
    """(graph name, triple) pairs: states with regions, ILO ratifications, UN participations, comments."""
    rng = random.Random(seed)
    instruments = bundled_instruments()
    for region in REGIONS:
        for triple in region_triples(region):
            yield "countries", triple
    for index in range(states):
        code = synthetic_state(index)
        subject = node("country", code)
        for triple in facts(subject, [(RDF_TYPE, ng("State")), (ng("iso3"), code), (RDFS_LABEL, f"State {index}"),
                                      (ng("iloRegion"), node("region", region_key(rng.choice(REGIONS))))]):
            yield "countries", triple
        rows = []
        for instrument in INSTRUMENTS:
            if rng.random() < 0.7:
                # Like real registrations: after the instrument's adoption, before the data's as-of year.
                adopted = instruments[instrument].adopted
                day = adopted + dt.timedelta(days=rng.randrange((LAST_REGISTRATION - adopted).days))
                precise = rng.random() < 0.95
                rows.append(ratifications.Ratification(
                    instrument, code, day if precise else None, None if precise else day.year, "",
                    day + dt.timedelta(days=3650) if rng.random() < 0.01 else None,
                    rng.choice((14, 15, 16)) if instrument == "C138" else None, (), "SYNTHETIC", "2026"))
        for triple in ratifications.triples(rows):
            yield "ilo-ratifications", triple
        for treaty in ("UN-TIP", "UNTOC"):
            if rng.random() < 0.9:
                subject_p = node("participation", treaty, code)
                day = dt.date(2001, 1, 1) + dt.timedelta(days=rng.randrange(8000))
                for triple in facts(subject_p, [
                        (RDF_TYPE, ng("TreatyParticipation")), (ng("party"), subject),
                        (ng("instrument"), node("instrument", treaty)), (ng("registered"), day),
                        (ng("inForceEarliest"), max(day + dt.timedelta(days=30), dt.date(2003, 12, 25))),
                        (ng("inForceLatest"), max(day + dt.timedelta(days=30), dt.date(2003, 12, 25)))]):
                    yield "un-treaties", triple
                for triple in provenance(subject_p, "SYNTHETIC", "2026"):
                    yield "un-treaties", triple
        comments = [{"comment": f"SYN-{code}-{n}", "body": "CEACR", "kind": rng.choice(("observation", "direct_request")),
                     "state": code, "instruments": [rng.choice(INSTRUMENTS)], "year": rng.randrange(1990, 2026),
                     "session": "", "topics": rng.sample(TOPICS, 2), "url": "", "evidence": "synthetic",
                     "source": "SYNTHETIC", "as_of": "2026"} for n in range(rng.randrange(0, 4))]
        for triple in supervision.triples(comments, graph="synthetic-comments"):
            yield "supervision", triple


COMMENT_COLUMNS = ("comment", "body", "kind", "state", "instruments", "year", "session", "topics", "url", "evidence",
                   "source", "as_of")


def synthetic_comments_table(path, count: int, seed: int = 87) -> None:
    """A comments table of `count` rows in the bundled table's shape (for `normgraph load --kind comments`): the real
    States, instruments and topics, random years and kinds; each row names no source (the load names one)."""
    import csv
    from importlib.resources import files

    def column(table: str, name: str) -> list[str]:
        with files("normgraph.data").joinpath(table).open(encoding="utf-8") as rows:
            return sorted({value for row in csv.DictReader(rows) for value in row[name].split(";") if value})
    rng = random.Random(seed)
    states, topics = column("countries.csv", "iso3"), column("comments.csv", "topics")
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COMMENT_COLUMNS)
        for n in range(count):
            writer.writerow([f"SYN-{n}", "CEACR", rng.choice(("observation", "direct_request")), rng.choice(states),
                             rng.choice(INSTRUMENTS), rng.randrange(1990, 2026), "",
                             ";".join(rng.sample(topics, rng.randrange(0, 4))), f"https://normlex.ilo.org/synthetic/{n}",
                             "text_seen", "", ""])


def synthetic_quads(target: int, seed: int = 87) -> list[Quad]:
    """About `target` quads: the bundled ontology, instruments, topics and sources, plus synthetic states."""
    base = [q for name, triples in bundled_sources() if name in ("ontology", "topics", "sources", "instruments",
                                                                   "programmes", "estimates")
            for q in quads_in(name, triples())]
    per_state = 117  # measured average number of synthetic triples per state
    states = max(10, (target - len(base)) // per_state)
    quads = list(base)
    for graph, triple in synthetic_triples(states, seed):
        quads.append(Quad(triple.subject, triple.predicate, triple.object, NamedNode(
            "https://w3id.org/normgraph/graph/" + graph)))
    return quads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--out", required=True)
    arguments = parser.parse_args()
    quads = synthetic_quads(arguments.triples)
    with open(arguments.out, "wb") as handle:
        handle.write(serialize(quads, format=RdfFormat.N_QUADS))
    print(f"{len(quads)} quads written to {arguments.out}")


if __name__ == "__main__":
    main()
