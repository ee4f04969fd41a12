"""Running a query where it can be stopped: in a child process with a wall-clock limit.

The embedded engine evaluates a query inside one native call that nothing in Python can interrupt, and a
pathological query can take unbounded time or crash the process. A forked child runs it (sharing the store
already in memory) and writes straight to the same output; the parent waits up to the limit, stops the
child past it, and turns a crash into one line.
"""
from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable

from .store import QueryError, StoreError

POLL_SECONDS = 0.02
# Exit codes the child uses to tell the parent what happened.
DONE, REJECTED, FAILED = 0, 2, 1


def run_bounded(work: Callable[[], None], seconds: float) -> None:
    """Run `work` (which writes its answer to standard output) within `seconds`; QueryError if the engine
    rejected the query, StoreError if it ran out of time or crashed."""
    sys.stdout.flush()
    child = os.fork()
    if child == 0:
        os._exit(child_run(work))
    deadline = time.monotonic() + seconds
    while True:
        finished, status = os.waitpid(child, os.WNOHANG)
        if finished:
            break
        if time.monotonic() > deadline:
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            raise StoreError(f"the query ran longer than {seconds:g} s (--timeout) and was stopped")
        time.sleep(POLL_SECONDS)
    if os.WIFSIGNALED(status):
        raise StoreError(f"the query crashed the SPARQL engine ({signal.Signals(os.WTERMSIG(status)).name}); "
                         "nothing else was affected")
    if os.WEXITSTATUS(status) == REJECTED:
        raise QueryError("the SPARQL engine rejected the query (see above)")
    if os.WEXITSTATUS(status) != DONE:
        raise StoreError("the query failed (see above)")


def child_run(work: Callable[[], None]) -> int:
    try:
        work()
        sys.stdout.flush()
        return DONE
    except BrokenPipeError:
        return DONE
    except QueryError as error:
        print(f"normgraph: {error}", file=sys.stderr, flush=True)
        return REJECTED
    except BaseException as error:  # the parent reports it; the child must never unwind into the CLI
        print(f"normgraph: {error}", file=sys.stderr, flush=True)
        return FAILED
