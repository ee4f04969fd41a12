"""normgraph: a legal and normative knowledge graph of the law against forced labour, child labour and trafficking.

    >>> import normgraph
    >>> normgraph.gaps("c182-without-c138", as_of="2010-01-01")["rows"]      # doctest: +SKIP
    >>> normgraph.country_profile("NPL")["instruments"]                      # doctest: +SKIP

Heavy modules load on first use, so that importing normgraph (and the CLI's --help) stays fast.
"""
from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["open_graph", "gaps", "gap_report", "country_profile", "instrument_profile", "catalogue"]


def __getattr__(name: str):
    if name == "open_graph":
        from .dataset import open_graph

        return open_graph
    if name in ("gaps", "gap_report", "country_profile", "instrument_profile"):
        from . import reports

        return getattr(reports, name)
    if name == "catalogue":
        from .queries.catalogue import catalogue

        return catalogue
    raise AttributeError(f"module 'normgraph' has no attribute {name!r}")
