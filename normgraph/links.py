"""Addresses of the authority behind a fact, built from identifiers the graph holds: NORMLEX for ILO instruments,
the UN Treaty Collection for UN treaties (its status page lists every party with its dates). NORMLEX's pages of
one ratification need NORMLEX's own numeric ids, which normgraph does not hold; a comment carries its own address."""
from __future__ import annotations

NORMLEX_INSTRUMENT = "https://normlex.ilo.org/dyn/nrmlx_en/f?p=NORMLEXPUB:12100:0::NO::P12100_ILO_CODE:{code}"
UNTC_STATUS = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no={chapter}&chapter={number}&clang=_en"
ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}


def roman_number(numeral: str) -> int:
    values = [ROMAN[letter] for letter in numeral]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def instrument_url(code: str, untc_chapter: str | None = None) -> str:
    """The instrument's page at its authority: UNTC status (chapter "XVIII-12-a" is in chapter 18) or NORMLEX."""
    if untc_chapter:
        return UNTC_STATUS.format(chapter=untc_chapter, number=roman_number(untc_chapter.split("-")[0]))
    return NORMLEX_INSTRUMENT.format(code=code)


def web_address(url: str | None) -> str | None:
    """The address if it is one a link may open (http or https, with a host, no spaces or control characters);
    None for anything else a table or a client sends (javascript:, data:, a bare word)."""
    from urllib.parse import urlsplit

    if not url or any(c.isspace() or ord(c) < 32 or c in '<>"\\`' for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None
