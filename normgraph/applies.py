"""Which instruments apply to a case: the rules classify the facts, the graph says who is bound on the date.

The legal rules are the CONSTRUCT queries in normgraph/queries/rules/ run, stage by stage, over the
case's facts, the case vocabulary (ontology/cases.ttl) and the situations (ontology/situations.ttl);
a rule of a later stage reads the findings of earlier ones. Each finding names a situation and an
outcome: it applies, it is undetermined on the facts given, or it is not established (a near miss).
This module only wires the rules together and asks the graph who is bound.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from .cases.case import Case, case_triples
from .graph.store import LocalGraph
from .ids import iri, key_of
from .links import instrument_url
from .queries.catalogue import catalogue, run_named
from .reports import adopted_by, default_graph, statehood_on, truth
from .terms import NG, RDFS

# When rules disagree about a situation, the strongest conclusion stands, with its own reasons.
OUTCOMES = {NG + "Applies": "applies", NG + "Undetermined": "undetermined", NG + "NotEstablished": "not established"}
STRENGTH = list(OUTCOMES.values())


@lru_cache(maxsize=1)
def rule_context() -> list:
    """The quads every case store starts from: the case vocabulary and the situations, parsed once."""
    from pyoxigraph import RdfFormat, parse

    ontology = resources.files("normgraph.ontology")
    return [quad for name in ("cases.ttl", "situations.ttl")
            for quad in parse(ontology.joinpath(name).read_bytes(), format=RdfFormat.TURTLE)]


@lru_cache(maxsize=None)
def citation_order(provision_iri: str) -> tuple:
    """C182/art3-d before C182/art4 before C182/art10: numbers compared as numbers."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", provision_iri))


def in_parallel(function, keys: set) -> dict:
    """function(key) for every key, on every core: the engine lets go of Python's lock while it answers."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    keys = list(keys)
    if len(keys) < 2:
        return {key: function(key) for key in keys}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return dict(zip(keys, pool.map(function, keys)))


def dated_rows(rows: dict[str, dict], date: str) -> dict[str, dict]:
    """Legal-time rows (by instrument code) asked for another day of the same period, naming `date`."""
    return {code: {**row, "asOf": date} for code, row in rows.items()}


class Classifier:
    """Holds what every case needs from the graph (situations, provisions), so a batch reads it once."""

    def __init__(self, graph: LocalGraph):
        from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad

        self.graph = graph
        self.situations: dict[str, dict] = {}
        for row in run_named(graph, "profiles", "situations"):
            situation = self.situations.setdefault(row["situation"], {"label": row["label"], "needs": row["definition"],
                                                                      "instruments": {}})
            if row["code"]:
                situation["instruments"][row["code"]] = {"title": row["title"], "recommendation": row["recommendation"],
                                                         "url": instrument_url(row["code"], row["untc"])}
        self.provisions: dict[str, tuple[str, str]] = {}
        self.within: dict[str, str] = {}
        self.grounded: dict[str, list[str]] = {}
        for row in run_named(graph, "profiles", "situation-provisions"):
            self.provisions[row["provision"]] = (row["label"], row["code"])
            if row["within"]:
                self.within[row["label"]] = row["within"]
            if row["situation"]:
                self.grounded.setdefault(row["situation"], []).append(row["provision"])
        # The rules cite provisions by their labels in what they say.
        label = NamedNode(RDFS + "label")
        self.provision_labels = [Quad(NamedNode(iri), label, Literal(text), DefaultGraph())
                                 for iri, (text, _) in self.provisions.items()]
        rules = catalogue("rules").values()
        self.stages = [[rule for rule in rules if rule.stage == stage] for stage in sorted({r.stage for r in rules})]
        self.profiles: dict[tuple, dict] = {}
        self.statehood: dict[tuple, dict] = {}
        self.unrecorded: dict[tuple, dict] = {}
        self.adopted: dict[str, set[str]] = {}

    def bindings_of(self, state: str, date: str, place: str | None = None) -> dict:
        """What binds a state (at a place in it, where one is given) on a date, by instrument code, from legal time."""
        key = (state, date, place)
        if key not in self.profiles:
            self.profiles[key] = self.legal_time(key)
        return self.profiles[key]

    def legal_time(self, key: tuple[str, str, str | None]) -> dict:
        state, date, place = key
        return {row["instrument"]: row for row in run_named(
            self.graph, "profiles", "country-instruments", asOf=date, state=state, place=place)}

    @staticmethod
    def binding_key(case: Case, state: str) -> tuple[str, str, str | None]:
        """Whose bindings, on which date, at which place: the place of work counts for the work country only."""
        return state, case.facts["date"], case.facts.get("work_place") if state == case.facts["work_country"] else None

    def bindings_for(self, case: Case, state: str) -> dict:
        """A state's bindings for the case: at the place of work, for the work country."""
        return self.bindings_of(*self.binding_key(case, state))

    def read_legal_time(self, cases: list[Case]) -> None:
        """Ask legal time for every state and date of a batch at once (see per_period); each row names its own date."""
        keys = {self.binding_key(case, state) for case in cases for state in case.states()} - self.profiles.keys()
        self.profiles.update(self.per_period(self.legal_time, keys, dated_rows))

    def per_period(self, function, keys: set[tuple], dated=lambda answer, date: answer, adoptions: bool = False) -> dict:
        """function(key) for every (state, date, ...) key, asked once per state, period and the key's other parts:
        between two days of profiles/legal-time-changes.rq (and, with `adoptions`, of profiles/adoption-days.rq) a
        state's answer is the same but for the date it names, which `dated(answer, date)` puts right. The questions
        asked run side by side (see in_parallel)."""
        from bisect import bisect_right

        changes = in_parallel(self.change_days, {key[0] for key in keys})
        if adoptions:
            adopted = self.adoption_days()
            changes = {state: sorted(set(days) | adopted) for state, days in changes.items()}

        def period(key: tuple) -> tuple:
            return key[0], bisect_right(changes[key[0]], key[1]), *key[2:]
        asked: dict[tuple, tuple] = {}
        for key in sorted(keys, key=str):
            asked.setdefault(period(key), key)
        answers = in_parallel(function, set(asked.values()))
        return {key: dated(answers[asked[period(key)]], key[1]) for key in keys}

    def change_days(self, state: str) -> list[str]:
        """The days on which the state's answers can change, and the day after each (a comparison may fall there)."""
        import datetime as dt

        days = {row["day"] for row in run_named(self.graph, "profiles", "legal-time-changes", state=state)}
        return sorted(days | {(dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat() for day in days})

    @lru_cache(maxsize=1)
    def adoption_days(self) -> set[str]:
        """The instruments' adoption days, and the day after each, as change_days gives a State's."""
        import datetime as dt

        days = {row["day"] for row in run_named(self.graph, "profiles", "adoption-days")}
        return days | {(dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat() for day in days}

    def unrecorded_status(self, key: tuple[str, str]) -> dict[str, dict]:
        """What a missing record of each instrument means for a State on a date (profiles/unrecorded-status.rq)."""
        state, date = key
        return {row["code"]: row for row in run_named(self.graph, "profiles", "unrecorded-status", asOf=date, state=state)}

    def adopted_on(self, date: str) -> set[str]:
        """The codes of the instruments adopted on or before the date."""
        if date not in self.adopted:
            self.adopted[date] = adopted_by(self.graph, date)
        return self.adopted[date]

    def findings(self, cases: list[Case]) -> list[dict[str, dict]]:
        """For each case, situation IRI -> {'outcome', 'because', 'extra', 'rules'}: the strongest conclusion of
        the rules. The cases share one store, each under a node of its own, so each rule runs once per batch."""
        from pyoxigraph import Store

        store = Store()
        store.extend(rule_context())
        store.extend(self.provision_labels)
        keys = {}
        for index, case in enumerate(cases):
            key = f"{index}-{case.id}".replace(" ", "-")
            keys[iri("case", key)] = index
            store.extend(as_quads(case_triples(case, self.bindings_for(case, case.facts["work_country"]), key)))
        found: list[dict[str, dict]] = [{} for _ in cases]
        for stage in self.stages:
            concluded = []
            for rule in stage:
                triples = list(store.query(rule.text))
                concluded += triples
                for case_iri, finding in read_findings(triples):
                    merge(found[keys[case_iri]], finding, rule.name)
            store.extend(as_quads(concluded))
        return found

    def articles(self, situation: str, extra: list[str]) -> list[str]:
        """The provisions a situation rests on, in citation order."""
        return sorted(set(self.grounded.get(situation, []) + extra) & self.provisions.keys(), key=citation_order)

    def check_states_existed(self, case: Case) -> None:
        """A case about a State before it existed cannot be answered for that State: the law then in force there
        was its predecessor's, which the user must name."""
        from .errors import InputError

        for state in case.states():
            key = (state, case.facts["date"])
            if key not in self.statehood:
                self.statehood[key] = statehood_on(self.graph, *key)
            statehood = self.statehood[key]
            if not statehood["a_state_on_date"]:
                raise InputError(f"case {case.id}: {state} did not exist as a State on {case.facts['date']} "
                                 f"(independent from {statehood['independent_since']}); name the State whose "
                                 "territory it then was")

    def applies(self, case: Case, explain: bool = False) -> dict:
        return self.applies_all([case], explain)[0]

    def applies_all(self, cases: list[Case], explain: bool = False) -> list[dict]:
        """The answer for each case (see `answer`); InputError for the first case about a State that did not exist."""
        keys = {(state, case.facts["date"]) for case in cases for state in case.states()} - self.statehood.keys()
        self.statehood.update(self.per_period(lambda key: statehood_on(self.graph, *key), keys))
        for case in cases:
            self.check_states_existed(case)
        self.read_legal_time(cases)
        keys = {(state, case.facts["date"]) for case in cases for state in case.states()} - self.unrecorded.keys()
        self.unrecorded.update(self.per_period(self.unrecorded_status, keys, adoptions=True))
        return [self.answer(case, found, explain) for case, found in zip(cases, self.findings(cases))]

    def answer(self, case: Case, found: dict[str, dict], explain: bool) -> dict:
        """The situations the case falls into, with the articles each rests on, and the instruments they engage,
        each with whether every state of the case is bound by it on the date of the facts."""
        situations, ruled_out, instruments = [], [], {}
        adopted = self.adopted_on(case.facts["date"])
        not_yet_adopted: dict[str, dict] = {}
        for situation in sorted(found, key=lambda s: self.situations[s]["label"]):
            finding, known = found[situation], self.situations[situation]
            entry = {"situation": key_of(situation), "label": known["label"], "status": finding["outcome"],
                     "because": sorted(finding["because"])}
            if explain:
                entry.update(rules=finding["rules"], needs=known["needs"], grounded_in=self.grounded_in(situation))
            if finding["outcome"] == "not established":
                ruled_out.append(entry)
                continue
            # No article of an instrument is cited for facts before its adoption (P029 for facts of 2010).
            articles = [p for p in self.articles(situation, finding["extra"]) if self.provisions[p][1] in adopted]
            situations.append({**entry, "articles": [self.provisions[p][0] for p in articles]})
            for code, about in known["instruments"].items():
                if code not in adopted:
                    not_yet_adopted.setdefault(code, {"instrument": code, "title": about["title"], "situations": []})
                    not_yet_adopted[code]["situations"].append(key_of(situation))
                    continue
                instrument = instruments.setdefault(code, {"instrument": code, "title": about["title"], "url": about["url"],
                                                           "engaged": None,
                                                           "situations": [], "articles": [],
                                                           "recommendation": about["recommendation"]})
                instrument["situations"].append(key_of(situation))
                instrument["articles"] += [p for p in articles if self.provisions[p][1] == code and p not in instrument["articles"]]
                instrument["engaged"] = instrument["engaged"] or (finding["outcome"] == "applies") or None
        for instrument in instruments.values():
            instrument["articles"] = [self.provisions[p][0] for p in sorted(instrument["articles"], key=citation_order)]
            self.add_bound(instrument, case)
        answer = {"case": case.id, "date": case.facts["date"], "states": case.states(), "situations": situations,
                  "instruments": sorted(instruments.values(), key=lambda i: i["instrument"]),
                  "not_yet_adopted": sorted(not_yet_adopted.values(), key=lambda i: i["instrument"])}
        if explain:
            # Every other situation was considered too: no rule found its elements in these facts. What it needs,
            # with the articles it rests on, is what would change the answer.
            unfound = [{"situation": key_of(s), "label": known["label"], "status": "not established",
                        "because": ["no rule found its elements in these facts"], "rules": [], "needs": known["needs"],
                        "grounded_in": self.grounded_in(s)}
                       for s, known in sorted(self.situations.items(), key=lambda item: item[1]["label"]) if s not in found]
            answer["ruled_out"] = ruled_out + unfound
        return answer

    def grounded_in(self, situation: str) -> list[str]:
        """The articles a situation rests on, as cited (situations.ttl ng:groundedIn), in citation order."""
        return [self.provisions[p][0] for p in sorted(self.grounded.get(situation, []), key=citation_order)]

    def add_bound(self, instrument: dict, case: Case) -> None:
        """bound[state]: true / false on the date of the facts; null for a recommendation or an undecidable record.
        status[state] says which: bound, not yet in force, denounced, undetermined, not ratified, recommendation.
        excluded[state] lists the cited articles in an annex or part the state excluded from its acceptance
        (C097 Art. 14, C143 Art. 16): the state is not bound by those articles."""
        recommendation = instrument.pop("recommendation")
        code = instrument["instrument"]
        instrument["bound"], instrument["status"], instrument["in_force_from"], instrument["excluded"] = {}, {}, {}, {}
        for state in case.states():
            record = self.bindings_for(case, state).get(code)
            missing = None if record or recommendation else self.unrecorded[state, case.facts["date"]][code]
            bound = None if recommendation else truth(record["boundThere"]) if record else truth(missing["bound"])
            status = "recommendation" if recommendation else record["statusThere"] if record else missing["status"]
            parts = set(filter(None, ((record or {}).get("excluded") or "").split(";")))
            excluded = [article for article in instrument["articles"] if self.within.get(article) in parts]
            if excluded:
                instrument["excluded"][state] = excluded
            instrument["bound"][state], instrument["status"][state] = bound, status
            instrument["in_force_from"][state] = record["inForceFrom"] if record else None


def read_findings(triples) -> list[tuple[str, dict]]:
    """The findings one rule concluded, with the IRI of the case each is about: its blank nodes with their situation,
    outcome, reasons and extra provisions."""
    findings: dict[str, dict] = {}
    case_of: dict[str, str] = {}
    for triple in triples:
        subject, predicate, obj = str(triple.subject), triple.predicate.value, triple.object
        if predicate == NG + "finding":
            case_of[str(obj)] = triple.subject.value
            continue
        if not subject.startswith("_:"):
            continue
        finding = findings.setdefault(subject, {"situation": None, "outcome": None, "because": [], "extra": []})
        if predicate == NG + "situation":
            finding["situation"] = obj.value
        elif predicate == NG + "outcome":
            finding["outcome"] = OUTCOMES[obj.value]
        elif predicate == NG + "because":
            finding["because"].append(obj.value)
        elif predicate == NG + "extraProvision":
            finding["extra"].append(obj.value)
    return [(case_of[blank], f) for blank, f in findings.items() if f["situation"] and f["outcome"] and blank in case_of]


def merge(found: dict, finding: dict, rule: str) -> None:
    """Add one finding: a stronger outcome replaces a weaker one; an equal one adds its reasons and provisions."""
    current = found.get(finding["situation"])
    if current is None or STRENGTH.index(finding["outcome"]) < STRENGTH.index(current["outcome"]):
        found[finding["situation"]] = current = {"outcome": finding["outcome"], "because": [], "extra": [], "rules": []}
    elif finding["outcome"] != current["outcome"]:
        return
    current["because"] += [b for b in finding["because"] if b not in current["because"]]
    current["extra"] += [e for e in finding["extra"] if e not in current["extra"]]
    if rule not in current["rules"]:
        current["rules"].append(rule)


def as_quads(triples) -> list:
    """Triples as quads of the default graph."""
    from pyoxigraph import Quad

    return [Quad(t.subject, t.predicate, t.object) for t in triples]


def applies(case: Case, graph: LocalGraph | None = None, explain: bool = False) -> dict:
    """The answer for one case (see Classifier.applies)."""
    return Classifier(graph or default_graph()).applies(case, explain)
