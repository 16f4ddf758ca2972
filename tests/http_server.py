"""A local HTTP server on 127.0.0.1 that serves files well or badly, for the download tests.

A helper module, not a test file: the tests import it with ``from http_server import ...``.
Nothing here reaches the network.

Modes (how the server misbehaves):

- ``"ok"``: the file, with its Content-Length;
- ``"slow"``: waits 1.5 s before answering;
- ``"corrupt"``: the file with its first byte changed;
- ``"drop"``: announces the whole file, sends half, hangs up;
- ``"trickle"``: announces the file, then sends it ``TRICKLE_BYTES_PER_SECOND`` bytes a
  second;
- ``"trickle-headers"``: sends the status line and headers that fast, then the file at once;
- ``"flood"``: no Content-Length, then a body of ``FLOOD_BYTES`` (64 MiB, as good as endless
  for a 1 KB file, yet a client that fails to stop still gets to the end);
- ``"announce-huge"``: a Content-Length of 5 GB, then ``FLOOD_BYTES``;
- ``"file-then-flood"``: no Content-Length, the file, then ``FLOOD_BYTES`` more;
- ``"hold-open"``: no Content-Length, the file, then the connection stays open;
- ``"redirect-ftp"``: a redirect to an ftp: address.

A client that does not bound its time or size still finishes against every mode, within
about a minute, with the file intact or not: so a test of the bounds fails, never hangs.
"""

from __future__ import annotations

import http.server
import threading
import time

TRICKLE_BYTES_PER_SECOND = 16
FLOOD_BYTES = 64 << 20


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # e.g. a broken pipe after the client gave up: expected here


class Server:
    """A local HTTP server in a thread; ``mode`` says how it misbehaves.

    Attributes:
        url: the base URL to download from, ``http://127.0.0.1:<port>/mnist/``.
        requests: the paths asked for, in order.
        sent: bytes of body sent, per request, in order (updated while sending).
    """

    def __init__(self, files: dict[str, bytes], mode: str = "ok"):
        self.files, self.mode, self.requests, self.sent = files, mode, [], []
        self.stop = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self):
                outer.requests.append(self.path)
                outer.sent.append(0)
                data = outer.files.get(self.path.rsplit("/", 1)[-1])
                if data is None:
                    self.send_error(404)
                    return
                respond = getattr(self, "respond_" + outer.mode.replace("-", "_"))
                respond(data)

            def body(self, data: bytes) -> None:
                self.wfile.write(data)
                self.wfile.flush()
                outer.sent[-1] += len(data)

            def head(self, length: int | None) -> None:
                self.send_response(200)
                if length is not None:
                    self.send_header("Content-Length", str(length))
                self.end_headers()

            def respond_ok(self, data):
                self.head(len(data))
                self.body(data)

            def respond_slow(self, data):
                time.sleep(1.5)
                self.respond_ok(data)

            def respond_corrupt(self, data):
                self.respond_ok(bytes([data[0] ^ 1]) + data[1:])

            def respond_drop(self, data):
                self.head(len(data))
                self.body(data[: len(data) // 2])
                self.close_connection = True

            def respond_trickle(self, data):
                self.head(len(data))
                for i in range(len(data)):
                    if outer.stop.wait(1 / TRICKLE_BYTES_PER_SECOND):
                        return
                    self.body(data[i:i + 1])

            def respond_trickle_headers(self, data):
                head = (f"HTTP/1.0 200 OK\r\nContent-Length: {len(data)}\r\n"
                        + "X-Padding: slow\r\n" * 30 + "\r\n").encode()  # 560 bytes
                for i in range(len(head)):
                    if outer.stop.wait(1 / TRICKLE_BYTES_PER_SECOND):
                        return
                    self.wfile.write(head[i:i + 1])
                    self.wfile.flush()
                self.body(data)

            def respond_flood(self, data, length=None, head=True):
                if head:
                    self.head(length)
                block = bytes(64 * 1024)
                for _ in range(FLOOD_BYTES // len(block)):
                    if outer.stop.is_set():
                        return
                    self.body(block)

            def respond_announce_huge(self, data):
                self.respond_flood(data, length=5 * 10**9)

            def respond_file_then_flood(self, data):
                self.head(None)
                self.body(data)
                self.respond_flood(data, length=None, head=False)

            def respond_hold_open(self, data):
                self.head(None)
                self.body(data)
                outer.stop.wait(60)

            def respond_redirect_ftp(self, data):
                self.send_response(302)
                self.send_header("Location", "ftp://127.0.0.1/mnist/" + self.path.rsplit("/")[-1])
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/mnist/"
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def close(self):
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
