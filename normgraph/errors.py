"""normgraph's exceptions, one tree. A UsageError is the user's to fix (a value, a file, a query): the command exits 2.
A Failure is not (the store, an endpoint, the engine, the disk): it exits 1. `normgraph.cli.main` maps the tree,
and nothing else needs to know the codes."""
from __future__ import annotations


class NormgraphError(Exception):
    """Anything normgraph reports to its user as one line."""

    exit_code = 1


class UsageError(NormgraphError, ValueError):
    exit_code = 2


class InputError(UsageError):
    """A value a user gave that normgraph cannot accept; the message says what would be accepted."""


class ParameterError(InputError):
    """A query parameter is missing or has a value of the wrong kind."""


class ProblemsError(InputError):
    """A file with problems: one line per problem, each saying where and what is allowed."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class TableError(ProblemsError):
    """A table with bad rows; nothing from it may be loaded."""


class CaseError(ProblemsError):
    """A case file with problems; no rule runs on it."""


class Failure(NormgraphError, RuntimeError):
    exit_code = 1


class StoreError(Failure):
    """The store cannot be opened or a query cannot run on it."""


class QueryError(StoreError):
    """A query the engine rejects (syntax or evaluation); the message says where."""
