"""Case files: reading YAML/JSON/JSON-lines, checking them against the shipped JSON Schema, and their facts as RDF."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import CaseError, InputError
from ..ids import country_code, place_code


@lru_cache(maxsize=1)
@lru_cache(maxsize=1)
def schema() -> dict:
    """The case schema (read-only: callers share it)."""
    return json.loads(resources.files("normgraph.cases").joinpath("schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def case_validator():
    import jsonschema

    return jsonschema.Draft202012Validator(schema())


@dataclass(frozen=True)
class Case:
    id: str
    facts: dict

    @property
    def date(self) -> dt.date:
        return dt.date.fromisoformat(self.facts["date"])

    def states(self) -> list[str]:
        """Every state involved: nationality, work country, transit countries, agency country (in that order)."""
        facts = self.facts
        codes = [facts["person"].get("nationality"), facts["work_country"], *facts.get("transit_countries", []),
                 facts.get("recruitment", {}).get("agency_country")]
        return list(dict.fromkeys(c for c in codes if c))


def field_name(path) -> str:
    return ".".join(str(p) for p in path) or "(file)"


def schema_problems(data) -> list[str]:
    problems = []
    for error in sorted(case_validator().iter_errors(data), key=lambda e: list(e.absolute_path)):
        where = field_name(error.absolute_path)
        if error.validator == "enum":
            problems.append(f"{where}: {error.instance!r} is not allowed; allowed: {', '.join(map(str, error.validator_value))}")
        elif error.validator == "additionalProperties":
            allowed = ", ".join(error.schema.get("properties", {}))
            extra = ", ".join(sorted(set(error.instance) - set(error.schema.get("properties", {}))))
            problems.append(f"{where}: unknown key(s) {extra}; allowed: {allowed}")
        elif error.validator == "required":
            problems.append(f"{where}: {error.message}")
        else:
            problems.append(f"{where}: {error.message}")
    return problems


def normalised(data: dict, problems: list[str]) -> dict:
    """Countries as ISO alpha-3, the date checked; every problem noted, not raised."""
    facts = json.loads(json.dumps(data, default=str))

    def country(container: dict, key: str, label: str) -> None:
        if isinstance(container, dict) and isinstance(container.get(key), str):
            try:
                container[key] = country_code(container[key])
            except InputError as error:
                problems.append(f"{label}: {error}")
    country(facts.get("person"), "nationality", "person.nationality")
    country(facts, "work_country", "work_country")
    if isinstance(facts.get("work_place"), str):
        try:
            facts["work_place"] = place_code(facts["work_place"], facts.get("work_country"))
        except InputError as error:
            problems.append(f"work_place: {error}")
    country(facts.get("recruitment"), "agency_country", "recruitment.agency_country")
    transit = facts.get("transit_countries") if isinstance(facts.get("transit_countries"), list) else []
    for index, _ in enumerate(transit):
        try:
            facts["transit_countries"][index] = country_code(facts["transit_countries"][index])
        except (InputError, TypeError) as error:
            problems.append(f"transit_countries.{index}: {error}")
    problems += contradictions(facts)
    when = facts.get("date")
    if isinstance(when, str):
        try:
            if dt.date.fromisoformat(when) > dt.date.today():
                problems.append(f"date: {when} is in the future; give the date of the facts")
        except ValueError:
            problems.append(f"date: {when!r} is not a real date (YYYY-MM-DD)")
    return facts


# A fact of the person stated one way, and the facts that say the opposite: a case stating both is refused.
CONTRADICTIONS = [
    ("person.free_to_leave", True, ("no_freedom_to_leave", "restriction_of_movement", "debt_bondage", "threat_against_leaving")),
    ("person.threatened", False, ("threat", "threat_of_denunciation", "threat_against_leaving")),
    ("person.keeps_documents", True, ("retention_of_identity_documents",)),
    ("person.consented", True, ("abduction",)),
]


def contradictions(facts: dict) -> list[str]:
    """Each pair of facts the case states that cannot both be true, named by their fields."""
    person = facts.get("person") if isinstance(facts.get("person"), dict) else {}
    stated = {field: facts.get(field) if isinstance(facts.get(field), list) else [] for field in ("means", "involuntariness", "coercion")}
    found = []
    for field, value, opposites in CONTRADICTIONS:
        if person.get(field.split(".")[1]) is not value:
            continue
        for where, values in stated.items():
            found += [f"{field}: {str(value).lower()} contradicts {where}: {fact}; state one or the other"
                      for fact in values if fact in opposites]
    return found


# Fields of the first case format, with what to write instead: state_imposed mixed the context of
# C029 Art. 2(2) with the purposes of C105 Art. 1, which the law keeps apart.
REPLACED_VALUES = {
    "prison_labour_for_private": "compulsory_work: {kind: prison_labour, court_conviction: true, private_parties: true}",
    "military_service_non_military_work": "compulsory_work: {kind: military_service, purely_military: false}",
}


def replaced_field_problems(data: dict) -> list[str]:
    if "state_imposed" not in data:
        return []
    value = str(data.pop("state_imposed"))
    instead = REPLACED_VALUES.get(value, f"compulsory_work: {{kind: other, purpose: {value}}}")
    return [] if value == "none" else [f"state_imposed: replaced by compulsory_work; write {instead}"]


def non_text_keys(data, where: str = "(file)") -> list[tuple[str, object]]:
    """(where, key) of every mapping key that is not text (YAML reads 1:, ~: and yes: as a number, null, true)."""
    if isinstance(data, dict):
        found = [(where, key) for key in data if not isinstance(key, str)]
        return found + [f for key, value in data.items() if isinstance(key, str)
                        for f in non_text_keys(value, key if where == "(file)" else f"{where}.{key}")]
    if isinstance(data, list):
        return [f for index, value in enumerate(data) for f in non_text_keys(value, f"{where}.{index}")]
    return []


def parse_case(data, name: str) -> Case:
    """Check one case's data; raise CaseError listing every problem, prefixed with the file name."""
    if not isinstance(data, dict) or not data:
        raise CaseError([f"{name}: a case must be a non-empty mapping of facts (see normgraph/cases/schema.json)"])
    keys = non_text_keys(data)
    if keys:
        raise CaseError([f"{name}: {where}: the key {key!r} is not a field name; every key is text "
                         "(quote it in YAML: \"yes\": ...)" for where, key in keys])
    data = dict(data)
    if "date" in data and isinstance(data["date"], dt.date):
        data["date"] = data["date"].isoformat()
    problems = replaced_field_problems(data) + schema_problems(data)
    facts = normalised(data, problems)
    if problems:
        raise CaseError([f"{name}: {p}" for p in problems])
    return Case(str(facts.get("id") or Path(name).stem), facts)


# Bounds on what a case file may be: a case is a few facts, so anything larger is a mistake or an attack.
MAX_CASE_FILE_BYTES = 20_000_000
MAX_NESTING = 50


def read_cases(path: Path) -> Iterator[Case]:
    """The cases in a .yaml/.yml/.json file (one case) or a .jsonl file (one case per line)."""
    from ..files import regular_file

    try:
        regular_file(path)
    except InputError as error:
        raise CaseError([str(error)]) from None
    try:
        if path.stat().st_size > MAX_CASE_FILE_BYTES:
            raise CaseError([f"{path}: larger than {MAX_CASE_FILE_BYTES // 1_000_000} MB; a case file holds facts, "
                             "one case per line at most"])
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CaseError([f"{path}: cannot read: {error}"]) from None
    if path.suffix == ".jsonl":
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                yield parse_case(parsed_json(line, f"{path}:{number}"), f"{path}:{number}")
        return
    data = parsed_json(text, str(path)) if path.suffix == ".json" else parsed_yaml(text, str(path))
    yield parse_case(data, str(path))


def parsed_json(text: str, name: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CaseError([f"{name}: not JSON: {error.msg}"]) from None
    except ValueError as error:
        raise CaseError([f"{name}: not a case: {value_problem(error)}"]) from None
    except RecursionError:
        raise CaseError([f"{name}: nested too deep; a case nests a few levels at most"]) from None


def parsed_yaml(text: str, name: str):
    """YAML read safely: no aliases (no alias bombs), bounded nesting, dates kept as text for the date check."""
    import yaml

    try:
        depth = 0
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                raise CaseError([f"{name}: YAML aliases (*name) are not allowed in case files; write the facts out"])
            depth += isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent))
            depth -= isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent))
            if depth > MAX_NESTING:
                raise CaseError([f"{name}: nested more than {MAX_NESTING} levels; a case nests a few at most"])
        return yaml.load(text, Loader=text_dates_loader())  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as error:
        raise CaseError([f"{name}: not valid YAML: {error}"]) from None
    except (ValueError, TypeError) as error:
        raise CaseError([f"{name}: not a case: {value_problem(error)}"]) from None


def value_problem(error: Exception) -> str:
    """What a parser's error on a value means to the user: Python's limit on digits is not theirs to change."""
    if "integer string conversion" in str(error):
        return "a number has thousands of digits; no fact is that large"
    return str(error)


@lru_cache(maxsize=1)
def text_dates_loader():
    """A safe YAML loader that leaves dates as written: 2023-02-30 reaches the date check, not a crash."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass
    Loader.yaml_implicit_resolvers = {
        first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    # A date tagged by hand (!!timestamp 2023-02-30) stays text too.
    Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
    return Loader


def case_triples(case: Case, work_country_bindings: dict[str, dict], key: str | None = None) -> Iterator:
    """The case's facts as triples for the rules, with what legal time says binds the work country on the date of
    the facts (`work_country_bindings`, rows of profiles/country-instruments by instrument code): each instrument's
    status there and, where the state declared one, the lowest and highest age its declaration can give on the date.
    Which instrument a rule reads is the rule's business (C138's age: rules/minimum-age.rq).
    A fact the case leaves out is not stated, so that a rule can tell "no" from "not said". `key` names the
    case's node (by default its id): cases assessed together need keys of their own."""
    from ..rdf import RDF_TYPE, facts, ng, node

    f = case.facts
    person, recruitment, movement = f["person"], f.get("recruitment", {}), f.get("movement", {})
    household, compulsory = f.get("household", {}), f.get("compulsory_work")
    key = key or case.id.replace(" ", "-")
    subject = node("case", key)
    yield from facts(subject, [
        (RDF_TYPE, ng("Case")), (ng("date"), case.date), (ng("age"), person["age"]),
        (ng("nationality"), node("country", person["nationality"]) if person.get("nationality") else None),
        (ng("stateless"), person.get("stateless")), (ng("consented"), person.get("consented")),
        (ng("freeToLeave"), person.get("free_to_leave")), (ng("threatened"), person.get("threatened")),
        (ng("keepsDocuments"), person.get("keeps_documents")), (ng("weeklyHours"), f.get("working_hours_per_week")),
        (ng("workCountry"), node("country", f["work_country"])),
        (ng("sector"), node("sector", f["sector"]) if f.get("sector") else None),
        (ng("work"), node("work", f.get("work", "labour"))), (ng("hazardous"), bool(f.get("hazardous"))),
        (ng("lightWork"), bool(f.get("light_work"))),
        (ng("recruitedBy"), node("recruiter", recruitment.get("by", "none"))),
        (ng("feesChargedToWorker"), bool(recruitment.get("fees_charged_to_worker"))),
        (ng("crossBorder"), bool(movement.get("cross_border"))), (ng("irregular"), movement.get("irregular")),
        (ng("lawfullyPresent"), movement.get("lawfully_present")), (ng("frontierWorker"), movement.get("frontier_worker")),
        (ng("enlistment"), node("enlistment", f["armed_conflict_recruitment"]) if f.get("armed_conflict_recruitment") else None),
        (ng("liveIn"), household.get("live_in")), (ng("occasional"), household.get("occasional")),
        (ng("employmentRelationshipDisputed"), bool(f.get("employment_relationship_disputed")))])
    for code, record in work_country_bindings.items():
        binding = node("case", key, "binding", code)
        yield from facts(subject, [(ng("workCountryBinding"), binding)])
        yield from facts(binding, [(ng("instrument"), node("instrument", code)), (ng("statusThere"), record["statusThere"]),
                                   (ng("minAgeLow"), record.get("minAgeLow")), (ng("minAgeHigh"), record.get("minAgeHigh")),
                                   (ng("minAgeFirst"), record.get("minAgeFirst"))])
    # "Not free to leave" said as a fact of the person is the involuntariness fact no_freedom_to_leave.
    unfree = ["no_freedom_to_leave"] if person.get("free_to_leave") is False else []
    indicators = dict.fromkeys([*f.get("means", []), *f.get("involuntariness", []), *f.get("coercion", []), *unfree])
    for predicate, kind, values in (("act", "act", f.get("acts", [])), ("means", "means", f.get("means", [])),
                                    ("indicator", "means", indicators), ("purpose", "exploitation", f.get("purpose", [])),
                                    ("transitCountry", "country", f.get("transit_countries", []))):
        yield from facts(subject, [(ng(predicate), node(kind, value)) for value in values])
    if compulsory:
        work = node("case", key, "compulsory-work")
        yield from facts(subject, [(ng("compulsoryWork"), work)])
        yield from facts(work, [
            (ng("kind"), node("compulsory-work", compulsory["kind"])),
            (ng("purpose"), node("purpose", compulsory["purpose"]) if compulsory.get("purpose") else None),
            # The other fields are the facts the Art. 2(2) conditions read (ng:onFact in ontology/cases.ttl).
            *[(ng(camel_case(field)), value) for field, value in compulsory.items() if isinstance(value, bool)]])


def camel_case(field: str) -> str:
    first, *rest = field.split("_")
    return first + "".join(word.capitalize() for word in rest)

