"""Running a query where it can be stopped: in a child process with a wall-clock and a memory limit.

The embedded engine evaluates a query inside one native call that nothing in Python can interrupt, and a
pathological query can take unbounded time or memory, or crash the process. A forked child runs it (sharing
the store already in memory); the parent waits up to the limit, kills the child past it, and turns a crash
or an exhausted memory limit into one line. The CLI's child writes straight to standard output; `serve`'s
child hands its whole answer back through a pipe.
"""
from __future__ import annotations

import os
import resource
import select
import signal
import sys
import time
from collections.abc import Callable

from .store import QueryError, StoreError

POLL_SECONDS = 0.02
# Exit codes the child uses to tell the parent what happened.
DONE, REJECTED, FAILED = 0, 2, 1
DEFAULT_MEMORY_MB = 2048


def limit_memory(megabytes: int | None) -> None:
    """Cap the calling process's address space at what it uses now plus `megabytes`."""
    if not megabytes:
        return
    with open("/proc/self/status", encoding="ascii") as status:
        used_kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    cap = used_kb * 1024 + megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def quiet_engine():
    """In the child: the engine's own cries (an allocation failure prints a Rust backtrace) go nowhere; the
    child's one-line messages go to the real standard error, returned as a file."""
    own = os.fdopen(os.dup(2), "w")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    os.close(null)
    return own


def run_bounded(work: Callable[[], None], seconds: float, memory_mb: int | None = DEFAULT_MEMORY_MB) -> None:
    """Run `work` (which writes its answer to standard output) within `seconds` and `memory_mb` more memory;
    QueryError if the engine rejected the query, StoreError if it ran out of time or memory, or crashed."""
    sys.stdout.flush()
    child = os.fork()
    if child == 0:
        limit_memory(memory_mb)
        os._exit(child_run(work, quiet_engine()))
    status = wait_for(child, time.monotonic() + seconds)
    if status is None:
        kill(child)
        raise StoreError(f"the query ran longer than {seconds:g} s (--timeout) and was stopped")
    check_exit(status, memory_mb)


def answer_bounded(work: Callable[[], bytes], seconds: float, memory_mb: int | None) -> bytes:
    """Run `work` in a child within the limits and return the bytes it produced; the errors as run_bounded's."""
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(reader)
        quiet_engine()
        limit_memory(memory_mb)
        os._exit(child_answer(work, writer))
    os.close(writer)
    deadline, chunks = time.monotonic() + seconds, []
    try:
        while True:
            ready, _, _ = select.select([reader], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                kill(child)
                raise StoreError(f"the query ran longer than {seconds:g} s and was stopped")
            chunk = os.read(reader, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(reader)
    status = wait_for(child, deadline + 1)
    check_exit(status if status is not None else kill(child), memory_mb)
    answer = b"".join(chunks)
    if answer.startswith(REJECTION):
        raise QueryError(answer[len(REJECTION):].decode("utf-8", "replace"))
    if answer.startswith(FAILURE):
        raise StoreError(f"the query failed: {answer[len(FAILURE):].decode('utf-8', 'replace')}")
    return answer


# How the child marks an answer that is an error instead (an answer never starts with a NUL byte).
REJECTION, FAILURE = b"\x00rejected:", b"\x00failed:"


def child_answer(work: Callable[[], bytes], writer: int) -> int:
    try:
        answer = work()
    except QueryError as error:
        answer = REJECTION + str(error).encode()
    except BaseException as error:  # the parent reports it; the child must never unwind into the server
        answer = FAILURE + (str(error) or type(error).__name__).encode()
    with os.fdopen(writer, "wb") as pipe:
        pipe.write(answer)
    return DONE


def wait_for(child: int, deadline: float) -> int | None:
    """The child's exit status, or None if it is still running at the deadline."""
    while True:
        finished, status = os.waitpid(child, os.WNOHANG)
        if finished:
            return status
        if time.monotonic() > deadline:
            return None
        time.sleep(POLL_SECONDS)


def kill(child: int) -> int:
    os.kill(child, signal.SIGKILL)
    return os.waitpid(child, 0)[1]


def check_exit(status: int | None, memory_mb: int | None) -> None:
    if status is None:
        raise StoreError("the query was stopped")
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        cause = f"ran out of its memory limit ({memory_mb} MB beyond what normgraph holds) or " if memory_mb else ""
        raise StoreError(f"the query {cause}crashed the SPARQL engine ({name}) and was stopped; nothing else was "
                         "affected")
    if os.WEXITSTATUS(status) == REJECTED:
        raise QueryError("the SPARQL engine rejected the query (see above)")
    if os.WEXITSTATUS(status) != DONE:
        raise StoreError("the query failed (see above)")


def child_run(work: Callable[[], None], messages) -> int:
    try:
        work()
        sys.stdout.flush()
        return DONE
    except BrokenPipeError:
        return DONE
    except QueryError as error:
        print(f"normgraph: {error}", file=messages, flush=True)
        return REJECTED
    except BaseException as error:  # the parent reports it; the child must never unwind into the CLI
        print(f"normgraph: {error}", file=messages, flush=True)
        return FAILED
