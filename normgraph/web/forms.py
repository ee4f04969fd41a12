"""The case form, made from the case schema (normgraph/cases/schema.json) so that the page asks for exactly the
facts the rules read, and read back into a case. A yes/no fact has three answers, because the rules tell "no"
from "not said"."""
from __future__ import annotations

from dataclasses import dataclass

from ..cases.case import Case, parse_case, schema


@dataclass(frozen=True)
class Field:
    name: str  # dotted: person.age
    kind: str  # text, integer, boolean, choice, choices
    options: tuple[str, ...] = ()
    required: bool = False
    hint: str = ""


def case_form_fields() -> list[Field]:
    """Every fact of the schema but the case's id, in the schema's order."""
    fields: list[Field] = []

    def walk(node: dict, prefix: str, required: set[str]) -> None:
        for name, spec in node.get("properties", {}).items():
            dotted = prefix + name
            if dotted == "id":
                continue
            if spec.get("type") == "object":
                walk(spec, dotted + ".", set(spec.get("required", [])) if name in required else set())
            elif spec.get("type") == "array":
                options = tuple(spec.get("items", {}).get("enum", ()))
                fields.append(Field(dotted, "choices" if options else "list", options, hint=spec.get("description", "")))
            elif "enum" in spec:
                fields.append(Field(dotted, "choice", tuple(spec["enum"]), name in required, spec.get("description", "")))
            else:
                kind = {"integer": "integer", "boolean": "boolean"}.get(spec.get("type"), "text")
                fields.append(Field(dotted, kind, (), name in required, spec.get("description", "")))
    top = schema()
    walk(top, "", set(top.get("required", [])))
    return fields


def case_from_form(args) -> Case:
    """The case the form's parameters state (a MultiDict: checkboxes repeat a name); CaseError lists its problems."""
    data: dict = {}
    for field in case_form_fields():
        if field.kind in ("choices", "list"):
            values = [v.strip() for raw in args.getlist(field.name) for v in raw.split(",") if v.strip()]
            value = values or None
        else:
            text = (args.get(field.name) or "").strip()
            value = {"true": True, "false": False}.get(text) if field.kind == "boolean" else text or None
            if field.kind == "integer" and value is not None:
                value = int(value) if value.lstrip("-").isdigit() else value
        if value is None:
            continue
        *parents, last = field.name.split(".")
        container = data
        for parent in parents:
            container = container.setdefault(parent, {})
        container[last] = value
    return parse_case({"id": "web-form", **data}, "the form")
