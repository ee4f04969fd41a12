"""Which instruments apply to a case: the rules classify the facts, the graph says who is bound on the date.

The legal rules are the CONSTRUCT queries in normgraph/queries/rules/ run over the case's facts and
the case vocabulary (ontology/cases.ttl); the situations, their provisions and instruments are in
ontology/situations.ttl. This module only wires them together.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

from .cases.case import Case, case_triples
from .graph.store import LocalGraph
from .ids import NG, key_of
from .queries.catalogue import catalogue

@lru_cache(maxsize=1)
def vocabulary() -> bytes:
    return resources.files("normgraph.ontology").joinpath("cases.ttl").read_bytes()


class Classifier:
    """Holds what every case needs from the graph (situations, provisions), so a batch reads it once."""

    def __init__(self, graph: LocalGraph):
        self.graph = graph
        from .reports import run_named

        self.situations: dict[str, dict] = {}
        for row in run_named(graph, "profiles", "situations"):
            situation = self.situations.setdefault(row["situation"], {"label": row["label"], "instruments": {}})
            situation["instruments"][row["code"]] = {"title": row["title"], "recommendation": row["recommendation"]}
        self.provisions: dict[str, tuple[str, str]] = {}
        self.grounded: dict[str, list[str]] = {}
        for row in run_named(graph, "profiles", "situation-provisions"):
            self.provisions[row["provision"]] = (row["label"], row["code"])
            if row["situation"]:
                self.grounded.setdefault(row["situation"], []).append(row["provision"])
        self.rules = list(catalogue("rules").values())
        self.profiles: dict[tuple[str, str], dict] = {}

    def bindings_of(self, state: str, date: str) -> dict:
        """What binds a state on a date, by instrument code, from the foundation's legal time."""
        key = (state, date)
        if key not in self.profiles:
            from .reports import run_named

            self.profiles[key] = {row["instrument"]: row for row in
                                  run_named(self.graph, "profiles", "country-instruments", asOf=date, state=state)}
        return self.profiles[key]

    def findings(self, case: Case) -> dict[str, dict]:
        """Situation IRI -> {'because': [...], 'extra': [...]} from the rules."""
        from pyoxigraph import RdfFormat, Store

        work_c138 = self.bindings_of(case.facts["work_country"], case.facts["date"]).get("C138")
        declared = work_c138["minAge"] if work_c138 else None
        store = Store()
        store.load(vocabulary(), format=RdfFormat.TURTLE)
        store.extend(triple_as_quad(t) for t in case_triples(case, int(declared) if declared is not None else None))
        found: dict[str, dict] = {}
        for rule in self.rules:
            blanks: dict = {}
            for triple in store.query(rule.text):
                subject, predicate, obj = str(triple.subject), triple.predicate.value, triple.object
                if predicate == NG + "finding":
                    continue
                finding = blanks.setdefault(subject, {"situations": [], "because": [], "extra": []})
                if predicate == NG + "situation":
                    finding["situations"].append(obj.value)
                elif predicate == NG + "because":
                    finding["because"].append(obj.value)
                elif predicate == NG + "extraProvision":
                    finding["extra"].append(obj.value)
            for finding in blanks.values():
                for situation in finding["situations"]:
                    merged = found.setdefault(situation, {"because": [], "extra": [], "rules": []})
                    merged["because"] += [b for b in finding["because"] if b not in merged["because"]]
                    merged["extra"] += [e for e in finding["extra"] if e not in merged["extra"]]
                    if rule.name not in merged["rules"]:
                        merged["rules"].append(rule.name)
        return found

    def articles(self, situation: str, extra: list[str]) -> list[tuple[str, str]]:
        """(label, instrument code) of the provisions a situation rests on, in citation order."""
        cited = sorted(set(self.grounded.get(situation, []) + extra))
        return [self.provisions[p] for p in cited if p in self.provisions]

    def applies(self, case: Case, explain: bool = False) -> dict:
        found = self.findings(case)
        situations, instruments = [], {}
        for iri in sorted(found, key=lambda s: self.situations[s]["label"]):
            finding, known = found[iri], self.situations[iri]
            articles = self.articles(iri, finding["extra"])
            entry = {"situation": key_of(iri), "label": known["label"], "articles": [a for a, _ in articles],
                     "because": sorted(finding["because"])}
            if explain:
                entry["rules"] = finding["rules"]
            situations.append(entry)
            for code, about in known["instruments"].items():
                instrument = instruments.setdefault(code, {"instrument": code, "title": about["title"],
                                                           "situations": [], "articles": [],
                                                           "recommendation": about["recommendation"]})
                instrument["situations"].append(key_of(iri))
                instrument["articles"] += [a for a, c in articles if c == code and a not in instrument["articles"]]
        for instrument in instruments.values():
            self.add_bound(instrument, case)
        return {"case": case.id, "date": case.facts["date"], "states": case.states(), "situations": situations,
                "instruments": sorted(instruments.values(), key=lambda i: i["instrument"])}

    def add_bound(self, instrument: dict, case: Case) -> None:
        """bound[state]: true / false on the date of the facts; null for a recommendation or an undecidable record."""
        recommendation = instrument.pop("recommendation")
        instrument["bound"], instrument["in_force_from"] = {}, {}
        for state in case.states():
            record = self.bindings_of(state, case.facts["date"]).get(instrument["instrument"])
            instrument["bound"][state] = None if recommendation else (record["bound"] if record else False)
            instrument["in_force_from"][state] = record["inForceFrom"] if record else None


def triple_as_quad(triple):
    from pyoxigraph import DefaultGraph, Quad

    return Quad(triple.subject, triple.predicate, triple.object, DefaultGraph())


def applies(case: Case, graph: LocalGraph | None = None, explain: bool = False) -> dict:
    """The answer for one case (see Classifier.applies)."""
    from .reports import open_graph

    return Classifier(graph or open_graph()).applies(case, explain)

