"""Legal time: when a consent to be bound takes effect for a party, and when a denunciation ends it.

This is the one place normgraph computes it. The rule's parameters are data (each instrument's
consent and denunciation delays, its own entry into force); the result is stored on the
ratification node as two dates, so that every query reads the same answer:

* ``in_force_earliest``: before this date the party is certainly not bound;
* ``in_force_latest``: from this date the party is certainly bound (None: the data cannot say).

Each record also lists the calendar years in which it may be pending (consent given, not yet
certainly binding), from the year of consent to the year of ``in_force_latest``. A query for one
date then finds the few pending records by a lookup instead of comparing every record's dates:
no store normgraph supports keeps a range index on date literals except Virtuoso.

With a registration day both dates are the same. With only a year, the window spans every day of
that year. With no date at all, the window runs from the instrument's own entry into force to the
source's as-of date plus the delay (the source saw the party as a party by then).
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

DURATION = re.compile(r"^P(?:(?P<months>\d+)M|(?P<days>\d+)D)$")


def add_duration(day: dt.date, duration: str) -> dt.date:
    """Add an ISO 8601 duration of whole months (P12M) or days (P30D); month ends clamp (29 Feb + P12M = 28 Feb)."""
    match = DURATION.match(duration)
    if not match:
        raise ValueError(f"unsupported duration {duration!r}")
    if match.group("days"):
        return day + dt.timedelta(days=int(match.group("days")))
    months = day.month - 1 + int(match.group("months"))
    year, month = day.year + months // 12, months % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Window:
    earliest: dt.date | None
    latest: dt.date | None
    consented: dt.date | None = None

    @property
    def pending_years(self) -> range:
        """The calendar years in which consent may have been given while the party was not yet certainly bound."""
        if not (self.consented and self.latest):
            return range(0)
        return range(self.consented.year, self.latest.year + 1)

    @property
    def exact(self) -> dt.date | None:
        return self.earliest if self.earliest == self.latest else None


def as_of_upper_bound(as_of: str) -> dt.date | None:
    """The last day an as-of value (YYYY, YYYY-MM or YYYY-MM-DD) can stand for."""
    if not re.fullmatch(r"\d{4}(-\d{2}){0,2}", as_of or ""):
        return None
    parts = [int(p) for p in as_of.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return dt.date(*parts)


def as_of_lower_bound(value: str) -> dt.date | None:
    """The first day a partial date (YYYY, YYYY-MM or YYYY-MM-DD) can stand for."""
    if not re.fullmatch(r"\d{4}(-\d{2}){0,2}", value or ""):
        return None
    parts = [int(p) for p in value.split("-")] + [1, 1]
    return dt.date(*parts[:3])


def in_force_window(*, registered: dt.date | None, year: int | None, as_of: str, delay: str,
                    instrument_in_force: dt.date | None, stated_in_force: dt.date | None = None) -> Window:
    """When the instrument binds the party, as a window of certainty (see the module text)."""
    if stated_in_force and not registered:
        return Window(stated_in_force, stated_in_force)
    if registered:
        first = last = registered
    elif year:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    else:
        first, last = None, as_of_upper_bound(as_of)
    floor = instrument_in_force or dt.date.min

    def effective(day: dt.date | None) -> dt.date | None:
        return None if day is None else max(add_duration(day, delay), floor)

    return Window(effective(first) or instrument_in_force, effective(last), first)


@lru_cache(maxsize=1)
def consent_delays() -> dict[str, str]:
    """Consent type -> its own delay, where it does not follow the instrument's (data/consent_types.csv)."""
    from .table import Row, read_bundled

    def parse(row: Row) -> tuple[str, str]:
        return row.text("consent_type", True), row.text("delay", True)
    return {kind: delay for kind, delay in read_bundled("consent_types.csv", ["consent_type", "delay", "source"], parse)
            if delay != "instrument"}


def consent_delay(consent_type: str | None, instrument_delay: str) -> str:
    """How long after its date a consent takes effect: a succession at once, the others after the instrument's delay."""
    return consent_delays().get(consent_type or "", instrument_delay)


def binding_ends(denounced: dt.date | None, delay: str) -> dt.date | None:
    """The day a registered denunciation takes effect."""
    return add_duration(denounced, delay) if denounced and delay else None
