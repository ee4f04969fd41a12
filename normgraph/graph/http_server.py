"""An HTTP/1.1 server on one asyncio event loop, with the limits a public endpoint needs.

A SPARQL query is read, checked and handed to a query worker on the loop itself, with no thread in between
(`query_route`); every other request goes to a WSGI application on a thread of a bounded pool. Against
clients that hold the server, every connection is bounded: how many connections one address and all addresses
may hold, how long a connection may idle, how long a client may take to send a whole request (a trickle of
bytes counts) and to take a whole answer, and how large a request's head and body may be.
"""
from __future__ import annotations

import asyncio
import io
import socket
import sys
import urllib.parse
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http import HTTPStatus

# Past these a request is refused: its head (request line and headers) and its body.
MAX_HEAD_BYTES = 256 * 1024
# Bytes of an answer the server queues for a client before it waits for the client to take them.
WRITE_HIGH_WATER = 256 * 1024
# How often the server looks for connections past a deadline (one sweep, not a timer a request).
SWEEP_SECONDS = 0.25
# How long a connection the server is done with may still deliver what its client sends.
LINGER_SECONDS = 2.0

# What a route answers: status, headers, body.
Answer = tuple[HTTPStatus, list[tuple[str, str]], bytes]


@dataclass(frozen=True)
class ConnectionLimits:
    idle_seconds: float
    request_seconds: float
    answer_seconds: float
    max_body_bytes: int
    per_address: int
    connections: int


class Request:
    __slots__ = ("method", "target", "version", "headers", "body")

    def __init__(self, method: str, target: str, version: str, headers: dict[str, str], body: bytes):
        self.method, self.target, self.version, self.headers, self.body = method, target, version, headers, body

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    def environ(self, server_name: str, server_port: int, client: str) -> dict:
        """The WSGI environment of the request (PEP 3333)."""
        path, _, query_string = self.target.partition("?")
        environ = {
            "REQUEST_METHOD": self.method, "SCRIPT_NAME": "", "QUERY_STRING": query_string,
            "PATH_INFO": urllib.parse.unquote(path, encoding="latin-1"), "SERVER_NAME": server_name,
            "SERVER_PORT": str(server_port), "SERVER_PROTOCOL": self.version, "REMOTE_ADDR": client,
            "CONTENT_TYPE": self.headers.get("content-type", ""), "CONTENT_LENGTH": str(len(self.body)) if self.body else "",
            "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(self.body),
            "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
        }
        for name, value in self.headers.items():
            if name not in ("content-type", "content-length"):
                environ["HTTP_" + name.upper().replace("-", "_")] = value
        return environ


class BadRequest(Exception):
    def __init__(self, status: HTTPStatus, message: str):
        super().__init__(message)
        self.status = status


def parse_head(head: bytes) -> tuple[str, str, str, dict[str, str]]:
    """Method, target, version and headers (names in lower case) of a request's head."""
    try:
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ")
    except ValueError:
        raise BadRequest(HTTPStatus.BAD_REQUEST, "a request line is METHOD TARGET HTTP/1.1") from None
    if not version.startswith("HTTP/1.") or not target.startswith("/"):
        raise BadRequest(HTTPStatus.BAD_REQUEST, "this server speaks HTTP/1.x to paths that begin with /")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise BadRequest(HTTPStatus.BAD_REQUEST, "a header line is Name: value")
        name = name.lower()
        if name in headers and name in ("content-length", "host"):
            raise BadRequest(HTTPStatus.BAD_REQUEST, f"{name} is given twice")
        headers[name] = f"{headers[name]}, {value.strip()}" if name in headers else value.strip()
    return method, target, version, headers


def answer_bytes(status: HTTPStatus, headers: list[tuple[str, str]], body: bytes, keep_alive: bool,
                 head_only: bool) -> bytes:
    lines = [f"HTTP/1.1 {status.value} {status.phrase}", "Server: normgraph-serve"]
    lines += [f"{name}: {value}" for name, value in headers if name.lower() not in ("connection", "content-length")]
    lines.append(f"Content-Length: {len(body)}")
    if not keep_alive:
        lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head if head_only else head + body


def plain(status: HTTPStatus, message: str) -> Answer:
    return status, [("Content-Type", "text/plain; charset=utf-8")], (message + "\n").encode()


class Server:
    """Listens on `host`:`port` once made (`effective_port` tells the port); `run()` serves until `close()` or a
    signal. `query_route(request, server_name, server_port)` gives an awaitable answer to a request it takes (/query,
    on the loop), or None for one it leaves to `application` (WSGI), which runs on one of `threads` threads."""

    def __init__(self, application, query_route: Callable[[Request, str, int], Awaitable[Answer] | None],
                 host: str, port: int, limits: ConnectionLimits, threads: int):
        self.application, self.query_route, self.limits = application, query_route, limits
        self.loop = asyncio.new_event_loop()
        self.threads = ThreadPoolExecutor(threads, thread_name_prefix="normgraph-page")
        self.listener = socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET,
                                             backlog=1024, reuse_port=False)
        self.listener.setblocking(False)
        self.host, self.effective_port = host, self.listener.getsockname()[1]
        self.by_address: dict[str, int] = {}
        self.connections: set[Connection] = set()
        self.open = 0
        self.server = None

    def run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.set_default_executor(self.threads)  # a query that waits for a worker waits on a page thread
        self.server = self.loop.run_until_complete(
            self.loop.create_server(lambda: Connection(self), sock=self.listener))
        self.loop.call_later(SWEEP_SECONDS, self.sweep)
        try:
            self.loop.run_forever()
        finally:
            self.server.close()

    def close(self) -> None:
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
        else:
            self.listener.close()
        self.threads.shutdown(wait=False, cancel_futures=True)

    def sweep(self) -> None:
        now = self.loop.time()
        for connection in [c for c in self.connections if c.overdue(now)]:
            connection.hang_up()
        self.loop.call_later(SWEEP_SECONDS, self.sweep)

    def wsgi(self, request: Request, client: str) -> Answer:
        """The WSGI application's answer, on a page thread."""
        captured: list = []

        def start_response(status, headers, exc_info=None):
            captured[:] = [status, headers]
        try:
            result = self.application(request.environ(self.host, self.effective_port, client), start_response)
            try:
                body = b"".join(result)
            finally:
                getattr(result, "close", lambda: None)()
        except Exception:  # a page's failure is the server's, never the client's to read
            import traceback

            traceback.print_exc()
            return plain(HTTPStatus.INTERNAL_SERVER_ERROR, "the page failed; the server's log says why")
        status, headers = captured
        return HTTPStatus(int(status.split(" ", 1)[0])), headers, body


class Connection(asyncio.Protocol):
    """One client's connection: requests are read and answered one at a time, in order."""

    def __init__(self, server: Server):
        self.server, self.limits = server, server.limits
        self.buffer = bytearray()
        # The head of the request being read, once whole (see read_head), and how far the buffer was searched for it.
        self.head = None
        self.scanned = 0
        self.transport = None
        self.client = ""
        self.busy = False  # a request is being answered
        self.closing = False
        self.task: asyncio.Future | None = None
        # Loop times past which the connection is hung up: for its next request to be whole (or, idle, to begin),
        # and for its client to take what the server has written.
        self.request_deadline: float | None = None
        self.answer_deadline: float | None = None

    # Connection life

    def connection_made(self, transport) -> None:
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.client = peer[0] if isinstance(peer, tuple) else str(peer)
        server = self.server
        server.open += 1
        server.connections.add(self)
        held = server.by_address.get(self.client, 0)
        server.by_address[self.client] = held + 1
        if held >= self.limits.per_address or server.open > self.limits.connections:
            self.hang_up()
            return
        transport.set_write_buffer_limits(high=WRITE_HIGH_WATER)
        self.wait(self.limits.idle_seconds)

    def connection_lost(self, exc) -> None:
        server = self.server
        server.open -= 1
        server.connections.discard(self)
        left = server.by_address.get(self.client, 1) - 1
        if left > 0:
            server.by_address[self.client] = left
        else:
            server.by_address.pop(self.client, None)
        self.closing = True
        if self.task and not self.task.done():
            self.task.cancel()  # nobody waits for the answer: its query is stopped

    def hang_up(self) -> None:
        self.closing = True
        if self.transport.get_write_buffer_size():
            self.transport.abort()  # a client that does not take its answer is not waited for
        else:
            self.transport.close()

    def wait(self, seconds: float | None) -> None:
        """Hang up unless the connection moves on within `seconds` (idle, or a request not yet whole); None while
        the server answers."""
        self.request_deadline = None if seconds is None else self.server.loop.time() + seconds

    def overdue(self, now: float) -> bool:
        if self.answer_deadline is not None and now > self.answer_deadline:
            if self.transport.get_write_buffer_size():
                return True
            self.answer_deadline = None
        return self.request_deadline is not None and now > self.request_deadline

    # Reading

    def data_received(self, data: bytes) -> None:
        if self.closing:  # the last answer is sent: what the client still sends is read and dropped (see send)
            return
        if not self.buffer and not self.busy:
            self.wait(self.limits.request_seconds)  # a request begins: it must be whole in time
        self.buffer += data
        if self.busy:
            if len(self.buffer) > MAX_HEAD_BYTES + self.limits.max_body_bytes:
                self.transport.pause_reading()
            return
        self.next_request()

    def next_request(self) -> None:
        if self.closing or self.busy or not self.buffer:
            return
        try:
            if self.head is None:
                self.head = self.read_head()
                if self.head is None:
                    return
        except BadRequest as refused:
            self.busy = True
            self.send(*plain(refused.status, str(refused)), keep_alive=False, head_only=False)
            return
        (method, target, version, headers), start, end = self.head
        if len(self.buffer) < end:
            return
        request = Request(method, target, version, headers, bytes(self.buffer[start:end]))
        del self.buffer[:end]
        self.head, self.scanned = None, 0
        self.wait(None)
        self.busy = True
        self.task = asyncio.ensure_future(self.answer(request))

    def read_head(self):
        """The request's head once it is whole, with where its body starts and ends; None until then. Each byte is
        searched and parsed once, however the client cuts the request."""
        head_end = self.buffer.find(b"\r\n\r\n", max(0, self.scanned - 3))
        self.scanned = len(self.buffer)
        if (len(self.buffer) if head_end < 0 else head_end) > MAX_HEAD_BYTES:
            raise BadRequest(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                             f"a request's head is at most {MAX_HEAD_BYTES} bytes")
        if head_end < 0:
            return None
        head = parse_head(bytes(self.buffer[:head_end]))
        headers = head[3]
        if "transfer-encoding" in headers:
            raise BadRequest(HTTPStatus.LENGTH_REQUIRED, "send the body with a Content-Length, not chunked")
        length = headers.get("content-length", "0")
        if not length.isdigit():
            raise BadRequest(HTTPStatus.BAD_REQUEST, "Content-Length is a number of bytes")
        if int(length) > self.limits.max_body_bytes:
            raise BadRequest(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                             f"a request body is at most {self.limits.max_body_bytes} bytes")
        return head, head_end + 4, head_end + 4 + int(length)

    # Answering

    async def answer(self, request: Request) -> None:
        connection = request.headers.get("connection", "").lower()
        keep_alive = "close" not in connection and (request.version == "HTTP/1.1" or "keep-alive" in connection)
        try:
            routed = self.server.query_route(request, self.server.host, self.server.effective_port)
            if routed is not None:
                status, headers, body = await routed
            else:
                status, headers, body = await self.server.loop.run_in_executor(
                    self.server.threads, self.server.wsgi, request, self.client)
        except asyncio.CancelledError:
            return
        except Exception:
            import traceback

            traceback.print_exc()
            status, headers, body = plain(HTTPStatus.INTERNAL_SERVER_ERROR, "the request failed; the server's log says why")
        if not self.closing:
            self.send(status, headers, body, keep_alive, head_only=request.method == "HEAD")

    def send(self, status: HTTPStatus, headers, body: bytes, keep_alive: bool, head_only: bool) -> None:
        if not self.transport.get_write_buffer_size():  # the last answer was taken whole: its deadline is past
            self.answer_deadline = None
        self.transport.write(answer_bytes(status, headers, body, keep_alive, head_only))
        self.busy, self.task = False, None
        if not keep_alive:
            # Closed at once, a socket with unread bytes (the rest of a refused body) resets the connection, and
            # the client may lose the answer: the server stops writing, reads what comes, and hangs up once the
            # client does or after LINGER_SECONDS.
            self.closing = True
            self.transport.write_eof()
            self.wait(LINGER_SECONDS)
            return
        self.transport.resume_reading()
        if self.buffer:
            self.wait(self.limits.request_seconds)
            self.next_request()
        else:
            self.wait(self.limits.idle_seconds)

    def pause_writing(self) -> None:
        # The client takes its answer slower than it comes: it has until the answer deadline to take it all.
        if self.answer_deadline is None:
            self.answer_deadline = self.server.loop.time() + self.limits.answer_seconds

    def resume_writing(self) -> None:
        pass
