"""Writing the store: building it from the sources it is handed, and loading a user's graphs over it, without
ever breaking the store in use.

The store path is a symbolic link to one version directory beside it. A build or a load writes a new
version and then replaces the link in one atomic rename, so a process killed at any moment leaves
the previous version answering as before.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..errors import StoreError
from ..terms import DOCUMENTS, GRAPH, NG, PROV, RDF, VOID, XSD
from .store import MANIFEST, READERS_LOCK

USER_GRAPH_PREFIX = "user/"
# Graphs a user loaded (tables under graph/user/, ingested documents under id/document/).
USER_GRAPHS = (GRAPH + USER_GRAPH_PREFIX, DOCUMENTS)
Report = Callable[[str, int], None]


def versions_dir(path: Path) -> Path:
    return path.with_name(path.name + ".versions")


def user_graphs_dir(path: Path) -> Path:
    """The user's graphs (loaded tables, ingested documents), one N-Quads file each, kept apart from every version
    so that no damage to a version, and no rebuild, can lose them; a load or drop touches only its graphs' files."""
    return path.with_name(path.name + ".user")


def user_graph_file(path: Path, iri: str) -> Path:
    import hashlib

    return user_graphs_dir(path) / (hashlib.sha256(iri.encode()).hexdigest()[:32] + ".nq")


# Where the user's graphs were kept before they had a file each: one file, or (earlier) the version's snapshot.
SINGLE_USER_FILE = ".user.nq"
LEGACY_SNAPSHOT = "snapshot.nq"


def say(message: str) -> None:
    print(f"normgraph: {message}", file=sys.stderr, flush=True)


# How long a writer waits for another one before it gives up.
LOCK_WAIT_SECONDS = 600


@contextlib.contextmanager
def writer_lock(path: Path):
    """One writer at a time on a store (build, load, ingest, drop): a second one waits, says so, and fails
    clearly after LOCK_WAIT_SECONDS; a lock dies with its process, so a killed writer never blocks the next."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"another normgraph command is writing to {path}; waiting for it to finish...")
            deadline = time.monotonic() + LOCK_WAIT_SECONDS
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise StoreError(f"another normgraph command has been writing to {path} for over "
                                         f"{LOCK_WAIT_SECONDS} s; nothing was written, try again later") from None
                    time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def drop_abandoned_versions(path: Path) -> None:
    """Versions left by killed writers, or kept while readers held them. Called with the writer lock held, so no
    other writer is at work: every version but the one in use is abandoned, however recent."""
    current = path.resolve().parent if path.is_symlink() else None
    for version in versions_dir(path).iterdir():
        if version.resolve() != current:
            remove_version(version)


def remove_version(version: Path) -> None:
    """Remove a version no reader holds (store.held_version); one still read is kept for a later writer to drop.
    It is renamed before it is removed, so a reader that finds it from then on passes it over."""
    import fcntl

    try:
        with open(version / READERS_LOCK, "rb") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return
            gone = version.with_name(version.name + ".removed")
            os.replace(version, gone)
    except FileNotFoundError:  # a version being written, or removed already: nobody can be reading it
        gone = version
    shutil.rmtree(gone, ignore_errors=True)


def new_version(path: Path) -> Path:
    folder = versions_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    drop_abandoned_versions(path)
    version = folder / f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns()}"
    version.mkdir()
    (version / READERS_LOCK).touch()
    return version


def swap_in(path: Path, version: Path) -> None:
    """Point the store path at the new version's database in one rename, then drop the version it replaced."""
    previous = path.resolve().parent if path.is_symlink() else None
    link = path.with_name(f".{path.name}.link-{os.getpid()}")
    if link.is_symlink():
        link.unlink()
    link.symlink_to((version / "db").resolve())
    os.replace(link, path)
    if previous and previous.parent == versions_dir(path).resolve():
        remove_version(previous)


def check_store_path(path: Path) -> None:
    if path.exists() and not path.is_symlink():
        raise StoreError(f"{path} exists and is not a normgraph store; choose another --store")


def quads_in(name: str, triples: Iterable) -> Iterator:
    from pyoxigraph import NamedNode, Quad

    graph = NamedNode(GRAPH + name)
    for triple in triples:
        yield Quad(triple.subject, triple.predicate, triple.object, graph)


def copy_user_graphs(path: Path, store) -> None:
    """Graphs a user loaded survive a rebuild of the bundled data, read from their own files, never from the
    version being replaced (which may be the damage the build repairs)."""
    from pyoxigraph import RdfFormat

    for kept in sorted(user_graphs_dir(path).glob("*.nq")):
        store.bulk_load(path=str(kept), format=RdfFormat.N_QUADS)


def keep_user_graphs(path: Path, files: dict[str, Path | None]) -> None:
    """Put each loaded graph's N-Quads in its place (one rename each), and remove the files of dropped graphs."""
    folder = user_graphs_dir(path)
    folder.mkdir(exist_ok=True)
    for iri, written in files.items():
        if written is None:
            user_graph_file(path, iri).unlink(missing_ok=True)
        else:
            os.replace(written, user_graph_file(path, iri))


# A line of an N-Quads file whose quad sits in a user graph: the graph name ends the line.
USER_QUAD_LINE = re.compile(rb" <(?P<graph>(?:" + rb"|".join(re.escape(p.encode()) for p in USER_GRAPHS) + rb")[^<>]*)> \.\s*$")


def migrate_user_graphs(path: Path) -> None:
    """A store made before each user graph had its own file: split the single file (or, older still, the
    version's snapshot) into one file per graph, once."""
    if user_graphs_dir(path).exists():
        return
    single = path.with_name(path.name + SINGLE_USER_FILE)
    source = single if single.exists() else path.resolve().parent / LEGACY_SNAPSHOT if path.exists() else None
    if source is None or not source.exists():
        return
    partial = path.with_name(f".{path.name}.user-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    outputs: dict[bytes, object] = {}
    try:
        with source.open("rb") as lines:
            for line in lines:
                match = USER_QUAD_LINE.search(line)
                if match:
                    graph = match.group("graph")
                    if graph not in outputs:
                        outputs[graph] = (partial / user_graph_file(path, graph.decode()).name).open("wb")
                    outputs[graph].write(line)
    except OSError:
        return
    finally:
        for output in outputs.values():
            output.close()
    os.replace(partial, user_graphs_dir(path))
    single.unlink(missing_ok=True)


# Per named graph: how many facts state each as-of date ("unknown" says nothing and is left out).
AS_OF_COUNTS = """SELECT ?g ?asOf (COUNT(*) AS ?facts) WHERE {
                    GRAPH ?g { ?s <""" + NG + """asOf> ?o } BIND(STR(?o) AS ?asOf) FILTER(?asOf != "unknown")
                  } GROUP BY ?g ?asOf"""


def write_metadata(store, fingerprint: str) -> None:
    """A VoID description of every named graph: size, build time, and the as-of dates its facts state:
    the date most of them state (ng:asOf) and the range of all (ng:asOfEarliest, ng:asOfLatest)."""
    from pyoxigraph import Literal, NamedNode, Quad

    meta = NamedNode(GRAPH + "meta")
    built = Literal(dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), datatype=NamedNode(XSD + "dateTime"))
    quads = []
    for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        graph = row["g"]
        quads += [Quad(graph, NamedNode(RDF + "type"), NamedNode(VOID + "Dataset"), meta),
                  Quad(graph, NamedNode(VOID + "triples"), Literal(row["n"].value, datatype=NamedNode(XSD + "integer")), meta),
                  Quad(graph, NamedNode(PROV + "generatedAtTime"), built, meta)]
    dates: dict = {}
    for row in store.query(AS_OF_COUNTS):
        dates.setdefault(row["g"], []).append((int(row["facts"].value), row["asOf"].value))
    for graph, counted in dates.items():
        most = max(counted)[1]
        earliest, latest = min(date for _, date in counted), max(date for _, date in counted)
        quads += [Quad(graph, NamedNode(NG + "asOf"), Literal(most), meta),
                  Quad(graph, NamedNode(NG + "asOfEarliest"), Literal(earliest), meta),
                  Quad(graph, NamedNode(NG + "asOfLatest"), Literal(latest), meta)]
    quads.append(Quad(meta, NamedNode(NG + "dataFingerprint"), Literal(fingerprint), meta))
    store.extend(quads)


def finish(store, version: Path) -> None:
    """Flush the new version and write the manifest that says it is whole: its quads and named graphs.
    The caller then lets go of the store before swapping it in (see write_graphs)."""
    store.flush()
    manifest = {"quads": len(store), "graphs": sorted(graph.value for graph in store.named_graphs())}
    (version / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


Sources = list[tuple[str, Callable[[], Iterable]]]
# What a named graph derives, made when the store is written: (store, graph IRI) -> (derived graph IRI, its quads).
Derive = Callable[[object, str], tuple[str, list]]


def rederive(store, graphs: Iterable[str], derive: Derive) -> None:
    """Replace what each of `graphs` derives by what it derives now (nothing, for a graph just removed)."""
    from pyoxigraph import NamedNode

    for iri in graphs:
        target, quads = derive(store, iri)
        if store.contains_named_graph(NamedNode(target)):
            store.remove_graph(NamedNode(target))
        store.bulk_extend(quads)


def build(path: Path, sources: Sources, fingerprint: str, derive: Derive,
          report: Report = lambda name, count: None) -> dict[str, int]:
    """Build the store at `path` atomically from `sources` (each named graph and what makes its triples), kept
    with the user's graphs, with what each graph derives; `fingerprint` names what it was built from. Returns
    quads per named graph."""
    check_store_path(path)
    with writer_lock(path):
        return build_locked(path, sources, fingerprint, derive, report)


def build_locked(path: Path, sources: Sources, fingerprint: str, derive: Derive, report: Report) -> dict[str, int]:
    from pyoxigraph import Store

    from ..errors import TableError

    migrate_user_graphs(path)
    version = new_version(path)
    try:
        store = Store(str(version / "db"))
        for name, triples in sources:
            quads = list(quads_in(name, triples()))
            store.bulk_extend(quads)
            report(name, len(quads))
        copy_user_graphs(path, store)
        rederive(store, [GRAPH + name for name, _ in sources] + sorted(
            graph.value for graph in store.named_graphs() if graph.value.startswith(USER_GRAPHS)), derive)
        write_metadata(store, fingerprint)
        finish(store, version)
        del store
    except BaseException as error:
        shutil.rmtree(version, ignore_errors=True)
        if isinstance(error, (TableError, OSError, ValueError)):
            raise StoreError(f"build failed, the previous store is untouched: {error}") from None
        raise
    swap_in(path, version)
    from .store import LocalGraph

    return LocalGraph(path).graph_counts()


def load_user_graphs(path: Path, graphs: dict[str, Callable[[object], Iterable] | None], derive: Derive) -> dict[str, int]:
    """Add, replace or (for None) remove user graphs, by IRI, with what each derives, in a new version of the store
    and swap it in; returns quads per graph. One writer at a time: each starts from the version the previous one
    left.

    Each `triples_for(store)` makes one graph's triples; it may read the store (to link superseded records).
    They stream as N-Quads to the engine's bulk loader and to a file per graph beside the version, which becomes
    that graph's user file: a million-row table is never a list in memory."""
    from pyoxigraph import Store

    with writer_lock(path):
        migrate_user_graphs(path)
        version = new_version(path)
        try:
            try:
                Store.read_only(str(path.resolve())).backup(str(version / "db"))
            except (OSError, RuntimeError) as error:
                raise StoreError(f"the store at {path} cannot be read ({error}); run `normgraph build` to "
                                 "repair it (your loaded graphs are kept)") from None
            counts, files = write_graphs(version / "db", graphs, version, derive)
            keep_user_graphs(path, files)
        except BaseException as error:
            shutil.rmtree(version, ignore_errors=True)
            if isinstance(error, OSError):
                raise StoreError(f"load failed, the store is untouched: {error}") from None
            raise
        swap_in(path, version)
    return counts


def write_graphs(database: Path, graphs: dict[str, Callable[[object], Iterable] | None], folder: Path,
                 derive: Derive) -> tuple[dict[str, int], dict[str, Path | None]]:
    """Replace the graphs in the version's database, keeping each one's N-Quads in a file in `folder`; quads per
    graph, and the file of each (None for a graph removed). The store is closed on return: readers open the
    database read-only, and a writer still open may compact away the files they are about to read."""
    from pyoxigraph import NamedNode, Quad, RdfFormat, Store, serialize

    store, counts = Store(str(database)), {}
    files = {iri: (folder / f"graph-{number}.nq" if triples_for else None)
             for number, (iri, triples_for) in enumerate(graphs.items())}
    for iri in graphs:
        if store.contains_named_graph(NamedNode(iri)):
            store.remove_graph(NamedNode(iri))

    def write(loading) -> None:
        for iri, triples_for in graphs.items():
            if not triples_for:
                counts[iri] = 0
                continue
            graph = NamedNode(iri)
            counted = Counted(Quad(t.subject, t.predicate, t.object, graph) for t in triples_for(store))
            with files[iri].open("wb") as kept:
                serialize(counted, Tee(loading, kept), RdfFormat.N_QUADS)
            counts[iri] = counted.count
    bulk_load_written(store, write)
    rederive(store, graphs, derive)
    finish(store, database.parent)
    return counts, files


def bulk_load_written(store, write: Callable[[object], None]) -> None:
    """Bulk-load into the store the N-Quads that `write(output)` writes (and may copy where it likes).
    They pass through a pipe: Python makes the quads on one core while the engine, which lets go of the GIL,
    loads them on the other. If `write` fails, the engine has loaded part of them: the caller drops the version."""
    import threading

    from pyoxigraph import RdfFormat

    read_end, write_end = os.pipe()
    failures: list[BaseException] = []

    def produce() -> None:
        try:
            with os.fdopen(write_end, "wb") as loading:
                write(loading)
        except BaseException as error:
            failures.append(error)
    producer = threading.Thread(target=produce, daemon=True)
    producer.start()
    try:
        # The engine opens the pipe by path; both ends exist before either side starts, so neither waits to open.
        store.bulk_load(path=f"/proc/self/fd/{read_end}", format=RdfFormat.N_QUADS)
    finally:
        # With no reader left, a producer still writing (the engine failed) gets a broken pipe and stops.
        os.close(read_end)
        producer.join()
    if failures:
        raise failures[0]


class Tee:
    """A binary output that writes to two."""

    def __init__(self, first, second):
        self.first, self.second = first, second

    def write(self, data: bytes) -> int:
        self.first.write(data)
        return self.second.write(data)

    def flush(self) -> None:
        self.first.flush()
        self.second.flush()


class Counted:
    """An iterable that counts what passes through it."""

    def __init__(self, items: Iterable):
        self.items, self.count = items, 0

    def __iter__(self):
        for item in self.items:
            self.count += 1
            yield item


