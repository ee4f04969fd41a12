"""Reading a CSV table whole, checking every cell, and reporting every bad row by its line number."""
from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import TypeVar

from ..errors import InputError, TableError
from ..ids import country_code, instrument_code

T = TypeVar("T")
# Dates as NORMLEX's own tables write them, besides ISO 8601.
DATE_LAYOUTS = ("%d %b %Y", "%d %B %Y", "%d/%m/%Y")
IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$")


class Row:
    """One CSV row whose accessors check a cell and note what is wrong instead of raising."""

    def __init__(self, cells: dict[str, str], line: int):
        self.cells, self.line, self.problems = cells, line, []

    def text(self, column: str, required: bool = False) -> str:
        value = (self.cells.get(column) or "").strip()
        if required and not value:
            self.problems.append(f"column {column!r} is empty")
        return value

    def _checked(self, column: str, required: bool, convert: Callable[[str], T]) -> T | None:
        value = self.text(column, required)
        if not value:
            return None
        try:
            return convert(value)
        except (InputError, ValueError) as error:
            self.problems.append(f"column {column!r}: {error}")
            return None

    def date(self, column: str, required: bool = False) -> dt.date | None:
        def convert(value: str) -> dt.date:
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
            for layout in DATE_LAYOUTS:
                try:
                    return dt.datetime.strptime(value, layout).date()
                except ValueError:
                    continue
            raise ValueError(f"{value!r} is not a real date (YYYY-MM-DD, or NORMLEX's 04 Jun 1976)") from None
        return self._checked(column, required, convert)

    def integer(self, column: str, required: bool = False, allowed: Iterable[int] | None = None) -> int | None:
        allowed = set(allowed) if allowed is not None else None

        def convert(value: str) -> int:
            number = int(value)
            if allowed is not None and number not in allowed:
                raise ValueError(f"{number} is not one of {sorted(allowed)}")
            return number
        return self._checked(column, required, convert)

    def choice(self, column: str, allowed: Iterable[str], required: bool = False) -> str:
        options = tuple(allowed)

        def convert(value: str) -> str:
            # "In Force" as NORMLEX writes it is normgraph's in_force.
            spelled = value if value in options else "_".join(value.lower().split())
            if spelled not in options:
                raise ValueError(f"{value!r} is not one of {', '.join(options)}")
            return spelled
        return self._checked(column, required, convert) or ""

    def instrument(self, column: str, required: bool = True) -> str | None:
        return self._checked(column, required, instrument_code)

    def country(self, column: str, required: bool = True) -> str | None:
        return self._checked(column, required, country_code)

    def identifier(self, column: str, required: bool = False) -> str:
        """An id that becomes part of an IRI: letters, digits, '_', '-' and '.' (no space, no '<', no '#')."""
        def convert(value: str) -> str:
            if not IDENTIFIER.match(value):
                raise ValueError(f"{value[:60]!r} is not an id: use letters, digits, '_', '-' and '.'")
            return value
        return self._checked(column, required, convert) or ""

    def url(self, column: str) -> str:
        """An http(s) address (a link in pages and reports opens it): no other scheme, no spaces."""
        from ..links import web_address

        def convert(value: str) -> str:
            if not web_address(value):
                raise ValueError(f"{value[:60]!r} is not an http(s) address")
            return value
        return self._checked(column, False, convert) or ""

    def many(self, column: str, convert: Callable[[str], str]) -> list[str]:
        return self._checked(column, False, lambda v: [convert(p.strip()) for p in v.split(";") if p.strip()]) or []


def check_as_of(row: Row) -> None:
    problem = as_of_problem(row.text("as_of"))
    if problem:
        row.problems.append(f"column 'as_of': {problem}")


def as_of_problem(value: str) -> str | None:
    """Why a source's as-of date is not one (a year, a month or a day that exists, or 'unknown'), or None."""
    from .legal_time import as_of_upper_bound

    try:
        if value and value != "unknown" and as_of_upper_bound(value) is None:
            raise ValueError
    except ValueError:
        return f"{value[:40]!r} is not a real date (YYYY, YYYY-MM or YYYY-MM-DD) or 'unknown'"
    return None


def read_rows(text: str, name: str, required: list[str], parse: Callable[[Row], T],
              aliases: dict[str, str] | None = None, defaults: dict[str, str] | None = None) -> list[T]:
    """Parse every row; raise TableError listing each bad row (file:line: problem) if any is bad."""
    return list(parsed_rows(io.StringIO(text), name, required, parse, aliases, defaults))


def parsed_rows(lines: Iterable[str], name: str, required: list[str], parse: Callable[[Row], T],
                aliases: dict[str, str] | None = None, defaults: dict[str, str] | None = None) -> Iterator[T]:
    """Each row parsed, as it is read; at the end, TableError listing each bad row (file:line: problem) if any
    is bad, so that a reader writing as it goes can throw away what it wrote.

    `aliases` maps other spellings of column names (a NORMLEX export's 'country', 'date') to normgraph's;
    `defaults` fills a column the table leaves out or empty (the source declared on the command line).
    A header with semicolons and no commas (NORMLEX's Country;Date;Status;Note) is read with semicolons."""
    lines = iter(lines)
    first_line = next(lines, "")
    reader = csv.DictReader(itertools.chain([first_line], lines),
                            delimiter=";" if ";" in first_line and "," not in first_line else ",")
    if reader.fieldnames:
        reader.fieldnames = [(aliases or {}).get(f.strip().lower(), f.strip().lower()) for f in reader.fieldnames]
    defaults = defaults or {}
    missing = [column for column in required if column not in (reader.fieldnames or []) and column not in defaults]
    if missing:
        raise TableError([f"{name}: missing column(s) {', '.join(missing)}; the header must have {', '.join(required)}"])
    problems, count = [], 0
    for cells in _cells_or_table_error(reader, name):
        row = Row({**cells, **{k: v for k, v in defaults.items() if not (cells.get(k) or "").strip()}}, reader.line_num)
        if None in cells:
            row.problems.append("more cells than the header has columns")
        value = parse(row)
        check_as_of(row)
        problems += [f"{name}:{row.line}: {problem}" for problem in row.problems]
        count += 1
        if not problems:
            yield value
    if problems:
        raise TableError(problems)
    if not count:
        raise TableError([f"{name}: the table has no rows"])


def _cells_or_table_error(reader: csv.DictReader, name: str) -> Iterator[dict]:
    """The rows, or the line where the CSV itself breaks (a bare carriage return inside an unquoted cell)."""
    try:
        yield from reader
    except csv.Error as error:
        raise TableError([f"{name}:{reader.line_num}: not readable as CSV: {error}"]) from None


def read_file(path: Path, required: list[str], parse: Callable[[Row], T],
              aliases: dict[str, str] | None = None, defaults: dict[str, str] | None = None) -> list[T]:
    return list(stream_file(path, required, parse, aliases, defaults))


def stream_file(path: Path, required: list[str], parse: Callable[[Row], T],
                aliases: dict[str, str] | None = None, defaults: dict[str, str] | None = None) -> Iterator[T]:
    """parsed_rows over a file read line by line, so a large table is never whole in memory."""
    from ..files import regular_file

    try:
        regular_file(path)
    except InputError as error:
        raise TableError([str(error)]) from None
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield from parsed_rows(handle, str(path), required, parse, aliases, defaults)
    except (OSError, UnicodeDecodeError) as error:
        raise TableError([f"{path}: cannot read: {error}"]) from None


def read_bundled(file_name: str, required: list[str], parse: Callable[[Row], T]) -> list[T]:
    text = resources.files("normgraph.data").joinpath(file_name).read_text(encoding="utf-8")
    return read_rows(text, file_name, required, parse)
