"""Running a query where it can be stopped: in a child process with a wall-clock and a memory limit.

The embedded engine evaluates a query inside one native call that nothing in Python can interrupt, and a
pathological query can take unbounded time or memory, or crash the process. A forked child runs it (sharing
the store already in memory); the parent waits up to the limit, kills the child past it, and turns a crash
or an exhausted memory limit into one line. The CLI forks one child per query, which writes straight to
standard output; `serve` keeps a pool of such children (workers), each answering request after request
through a pipe, so that a query costs no fork.
"""
from __future__ import annotations

import collections
import os
import queue
import resource
import select
import signal
import sys
import threading
import time
from collections.abc import Callable

from ..errors import QueryError, StoreError

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


class WorkerPool:
    """Processes forked from the server before it answers, each holding the store, that answer one request at a
    time under the limits. A worker past its time is killed and replaced; one that dies (its memory limit, a
    crash) is replaced too; the others keep answering."""

    def __init__(self, work: Callable[[bytes], bytes], size: int, seconds: float, memory_mb: int | None,
                 offline: bool = False):
        self.work, self.seconds, self.memory_mb, self.offline = work, seconds, memory_mb, offline
        # The server's ends of every worker's pipes: a new worker closes them, so that each worker sees the end
        # of its requests (and exits) once the server is gone, even if its siblings live on.
        self.server_ends: set[int] = set()
        self.idle: queue.Queue = queue.Queue()
        # Queries waiting for a worker, longest first, whether on the event loop (a future) or on a thread (a slot of
        # one); `lock` keeps them and `idle` in step.
        self.waiting: collections.deque = collections.deque()
        self.lock = threading.Lock()
        # Server threads that may run or wait for a query at once; past them a query is told the server is busy at
        # once, so that queries can never hold every thread the web pages need.
        self.admitted = threading.BoundedSemaphore(2 * size)
        # Queries the event loop runs or queues at once, holding no thread; past them, the same answer at once.
        self.queued = threading.BoundedSemaphore(QUEUED_PER_WORKER * size)
        for _ in range(size):
            self.idle.put(self.start_worker())

    def start_worker(self) -> tuple[int, int, int]:
        """(pid, request pipe, answer pipe) of a new worker."""
        child_reads, parent_writes = os.pipe()
        parent_reads, child_writes = os.pipe()
        pid = os.fork()
        if pid == 0:
            for fd in (parent_writes, parent_reads, *self.server_ends):
                os.close(fd)
            try:
                quiet_engine()
                if self.offline and not leave_network():
                    os._exit(FAILED)
                limit_memory(self.memory_mb)
                code = on_new_thread(lambda: serve_requests(self.work, child_reads, child_writes, self.seconds))
            except BaseException:  # the worker must never unwind into the server's code
                code = FAILED
            os._exit(code)
        os.close(child_reads)
        os.close(child_writes)
        self.server_ends |= {parent_writes, parent_reads}
        return pid, parent_writes, parent_reads

    def run(self, request: bytes, seconds: float | None = None) -> bytes:
        """The worker's answer to the request, waited for on the calling thread; QueryError if the engine rejected
        it, StoreError past a limit (the pool's, or a shorter `seconds`)."""
        if not self.admitted.acquire(blocking=False):
            raise StoreError(BUSY)
        try:
            return self.run_admitted(request, lambda: False, min(seconds or self.seconds, self.seconds))
        finally:
            self.admitted.release()

    async def run_async(self, request: bytes, seconds: float) -> bytes:
        """`run` for a caller on an event loop: a small request is handed to a worker and awaited on the loop, with
        no thread (waiting its turn, if need be, behind the loop's other queries); a larger one waits on a thread,
        as `run` does. Cancelling the call (its client left) stops the query."""
        import asyncio

        seconds = min(seconds, self.seconds)
        if FRAME + len(request) <= select.PIPE_BUF:  # written whole at once into an idle worker's empty pipe
            if not self.queued.acquire(blocking=False):
                raise StoreError(BUSY)
            try:
                deadline = time.monotonic() + seconds
                worker = await self.next_worker(seconds)
                return await self.handed_over(worker, request, seconds, deadline)
            finally:
                self.queued.release()
        if not self.admitted.acquire(blocking=False):
            raise StoreError(BUSY)
        gone = threading.Event()
        try:
            return await asyncio.get_running_loop().run_in_executor(None, self.run_admitted, request, gone.is_set,
                                                                    seconds)
        except asyncio.CancelledError:
            gone.set()
            raise
        finally:
            self.admitted.release()

    async def next_worker(self, seconds: float) -> tuple[int, int, int]:
        import asyncio

        with self.lock:
            try:
                return self.idle.get_nowait()
            except queue.Empty:
                waiter = asyncio.get_running_loop().create_future()
                self.waiting.append(waiter)
        try:
            return await asyncio.wait_for(waiter, seconds)
        except asyncio.TimeoutError:
            raise stayed_busy(seconds) from None

    def worker_for_thread(self, seconds: float) -> tuple[int, int, int]:
        """An idle worker, or the first freed after the queries that waited longer; StoreError past `seconds`."""
        with self.lock:
            try:
                return self.idle.get_nowait()
            except queue.Empty:
                slot = queue.Queue(maxsize=1)
                self.waiting.append(slot)
        try:
            return slot.get(timeout=seconds)
        except queue.Empty:
            with self.lock:
                if slot in self.waiting:  # else a worker was handed to it meanwhile: take it
                    self.waiting.remove(slot)
                    raise stayed_busy(seconds) from None
            return slot.get()

    def release(self, worker: tuple[int, int, int]) -> None:
        """A worker free again: to the query that has waited longest, on the event loop or on a thread, else to the
        idle ones."""
        with self.lock:
            if not self.waiting:
                self.idle.put(worker)
                return
            waiter = self.waiting.popleft()
            if isinstance(waiter, queue.Queue):  # a thread's slot
                waiter.put(worker)
                return

        def hand() -> None:
            if waiter.done():  # its query gave up meanwhile
                self.release(worker)
            else:
                waiter.set_result(worker)
        if on_loop(waiter.get_loop()):  # no need to wake the loop through its pipe
            hand()
        else:
            waiter.get_loop().call_soon_threadsafe(hand)

    async def handed_over(self, worker: tuple[int, int, int], request: bytes, seconds: float, deadline: float) -> bytes:
        import asyncio

        loop = asyncio.get_running_loop()
        _, requests, answers = worker
        answered = loop.create_future()
        frame = bytearray()

        def readable() -> None:
            chunk = os.read(answers, 1 << 20)
            if not chunk:
                answered.done() or answered.set_exception(EOFError())
                return
            frame.extend(chunk)
            if len(frame) >= FRAME and len(frame) - FRAME >= int.from_bytes(frame[:FRAME], "big"):
                answered.done() or answered.set_result(bytes(frame[FRAME:]))

        def stop_at(when: float):
            return loop.call_later(when - time.monotonic(),
                                   lambda: answered.done() or answered.set_exception(TimeoutError()))
        try:
            os.write(requests, len(request).to_bytes(FRAME, "big") + request)
        except OSError:  # the worker died while idle (killed from outside): replaced, and the query is not run
            os.waitpid(worker[0], 0)
            self.replace(worker)
            raise StoreError("a query worker had stopped while idle and is replaced; ask again") from None
        loop.add_reader(answers, readable)
        overdue = stop_at(deadline)
        try:
            await asyncio.shield(answered)
        except asyncio.CancelledError:
            # Its client left. A query about to answer keeps its worker (killing and forking one costs the server more
            # than the rest of such a query), and the answer is dropped; one still running LEFT_SECONDS later is stopped.
            overdue.cancel()
            overdue = stop_at(min(deadline, time.monotonic() + LEFT_SECONDS))
            answered.add_done_callback(lambda _: (overdue.cancel(), self.settled(worker, answered, quietly=True)))
            raise
        except (TimeoutError, OSError, EOFError):
            pass
        overdue.cancel()
        self.settled(worker, answered)
        if isinstance(answered.exception(), TimeoutError):
            raise StoreError(f"the query ran longer than {seconds:g} s and was stopped")
        return checked_answer(answered.result())

    def settled(self, worker: tuple[int, int, int], answered, quietly: bool = False) -> None:
        """The worker after its query: back to the pool once it has answered, killed and replaced past its time,
        replaced if it died (StoreError says why, unless nobody waits for the answer)."""
        answered.get_loop().remove_reader(worker[2])
        stop = answered.exception()
        if stop is None:
            self.release(worker)
        elif isinstance(stop, TimeoutError):
            kill(worker[0])
            self.replace(worker)
        else:
            try:
                self.died(worker)
            except StoreError:
                if not quietly:
                    raise

    def run_admitted(self, request: bytes, client_gone: Callable[[], bool], seconds: float) -> bytes:
        deadline = time.monotonic() + seconds
        worker = self.worker_for_thread(seconds)
        pid, requests, answers = worker
        try:
            write_frame(requests, request, deadline)
            wait_for_answer(answers, deadline, client_gone)
            answer = read_frame(answers, deadline)
        except (TimeoutError, ClientGone) as stop:
            kill(pid)
            self.replace(worker)
            if isinstance(stop, ClientGone):
                raise StoreError("the client went away; its query was stopped") from None
            raise StoreError(f"the query ran longer than {seconds:g} s and was stopped") from None
        except (OSError, EOFError):
            self.died(worker)
        self.release(worker)
        return checked_answer(answer)

    def died(self, worker: tuple[int, int, int]) -> None:
        """A worker that stopped without an answer (its memory limit, or a crash) is replaced; StoreError says why."""
        status = os.waitpid(worker[0], 0)[1]
        self.replace(worker)
        check_exit(status, self.memory_mb)
        raise StoreError("the worker stopped without an answer")

    def replace(self, worker: tuple[int, int, int]) -> None:
        for fd in worker[1:]:
            os.close(fd)
            self.server_ends.discard(fd)
        self.release(self.start_worker())

    def close(self) -> None:
        while not self.idle.empty():
            pid, requests, answers = self.idle.get()
            os.close(requests)
            os.close(answers)
            self.server_ends -= {requests, answers}
            kill(pid)


# unshare(2) flags: a network namespace of its own, and (for a user without CAP_SYS_ADMIN) a user namespace to
# make one in.
CLONE_NEWNET, CLONE_NEWUSER = 0x40000000, 0x10000000


def leave_network() -> bool:
    """Move the calling process, just forked and so single-threaded, into a network namespace of its own, with
    no interface but a loopback that is down: nothing it runs (a SERVICE clause the checks missed) can reach any
    address. False where the kernel or a container refuses namespaces."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    return libc.unshare(CLONE_NEWNET) == 0 or libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0


def can_leave_network() -> bool:
    """Whether a forked worker can be put offline on this machine (asked once, by a child that tries)."""
    child = os.fork()
    if child == 0:
        os._exit(DONE if leave_network() else FAILED)
    return os.WEXITSTATUS(os.waitpid(child, 0)[1]) == DONE


# How a worker marks an answer that is an error instead (an answer never starts with a NUL byte).
REJECTION, FAILURE = b"\x00rejected:", b"\x00failed:"
# Queries the event loop may run or queue, for each worker.
QUEUED_PER_WORKER = 5
# How long a query whose client left may still run before its worker is stopped.
LEFT_SECONDS = 0.5
BUSY = "every query worker is busy and as many queries wait; try again later"


def on_new_thread(work: Callable[[], int]) -> int:
    """`work`'s exit code, run on a thread of its own. The engine draws RAND, UUID, STRUUID and blank nodes from a
    generator each thread seeds on first use; a forked worker's main thread has a copy of the server's, so that
    every worker forked after the server had seeded it drew the same values (three distinct UUIDs in eight)."""
    codes = [FAILED]

    def run() -> None:
        codes[0] = work()
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return codes[0]


def on_loop(loop) -> bool:
    """Whether the caller runs on `loop`'s thread, inside it."""
    import asyncio

    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def stayed_busy(seconds: float) -> StoreError:
    return StoreError(f"every worker stayed busy for {seconds:g} s; try again later")


def checked_answer(answer: bytes) -> bytes:
    """A worker's answer; QueryError or StoreError if it is the error the worker marked it as."""
    if answer.startswith(REJECTION):
        raise QueryError(answer[len(REJECTION):].decode("utf-8", "replace"))
    if answer.startswith(FAILURE):
        raise StoreError(f"the query failed: {answer[len(FAILURE):].decode('utf-8', 'replace')}")
    return answer


FRAME = 8  # bytes of the length that precedes each request and answer


def serve_requests(work: Callable[[bytes], bytes], requests: int, answers: int, seconds: float) -> int:
    """The worker's loop: read a request, write its answer, until the server closes the pipe. Each request
    also runs under an alarm whose default action ends the worker, inside the engine or not, should the
    server be gone and unable to stop it."""
    while True:
        try:
            request = read_frame(requests, None)
        except EOFError:
            return DONE
        signal.alarm(int(seconds) + 2)
        try:
            answer = work(request)
        except QueryError as error:
            answer = REJECTION + str(error).encode()
        except BaseException as error:  # reported by the server; the worker must never unwind into it
            answer = FAILURE + (str(error) or type(error).__name__).encode()
        signal.alarm(0)
        write_frame(answers, answer)


class ClientGone(Exception):
    """Nobody waits for the answer any more."""


# How often a waiting server thread asks whether its client is still there.
CLIENT_CHECK_SECONDS = 0.2


def wait_for_answer(fd: int, deadline: float, client_gone: Callable[[], bool]) -> None:
    """Until the worker starts answering: TimeoutError past the deadline, ClientGone once the client has left."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        ready, _, _ = select.select([fd], [], [], min(left, CLIENT_CHECK_SECONDS))
        if ready:
            return
        if client_gone():
            raise ClientGone


def write_frame(fd: int, payload: bytes, deadline: float | None = None) -> None:
    """One length-prefixed message; with a deadline, TimeoutError if the other end has not taken it all by then.
    (A query larger than the pipe's buffer waits on the worker's reading: a worker that never reads, such as one
    forked while another thread held a lock, held the request for ever.)"""
    data = len(payload).to_bytes(FRAME, "big") + payload
    while data:
        if deadline is not None:
            _, ready, _ = select.select([], [fd], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError
            # Writable means room for PIPE_BUF bytes at least: a larger write could block past the deadline.
            data = data[os.write(fd, data[:select.PIPE_BUF]):]
        else:
            data = data[os.write(fd, data):]


def read_frame(fd: int, deadline: float | None) -> bytes:
    """One length-prefixed message; EOFError if the other end closed, TimeoutError past the deadline."""
    def read(count: int) -> bytes:
        chunks, left = [], count
        while left:
            if deadline is not None:
                ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
                if not ready:
                    raise TimeoutError
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    return read(int.from_bytes(read(FRAME), "big"))


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
