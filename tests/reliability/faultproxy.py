#!/usr/bin/python3
"""faultproxy.py — an HTTP proxy on 127.0.0.1 that injects network faults
between the driver and the primary, for the reliability tests (issue 7).
Not a test itself (no rel_ prefix).

Each request from the driver (HTTP/1.1, one request per connection, as
tursodb answers "Connection: close") is read whole, then one fault is
chosen for it — a fixed mode, or a seeded random mix — and applied:

  pass           forward, answer as the primary did
  delay          hold the request 0.2-4 s, then pass (may outlast a timeout)
  drop_request   close without forwarding (the primary never sees it)
  drop_response  forward, then close without answering (applied, answer lost)
  reset          forward, send part of the answer, then RST (SO_LINGER 0)
  truncate       forward, send the headers and half the body, then close
  drip           forward, send the answer in small pieces, slowly
  5xx            a burst: this and the next 0-3 requests get 503 without
                 being forwarded, or 502 after being forwarded (half each)

Use from Python (the proxy runs its own asyncio loop in a thread):

    p = FaultProxy("http://127.0.0.1:PORT", seed=7)
    p.url                              # point SyncUrl here
    p.set_mode("pass")                 # or set_mix({"pass": 0.6, "reset": 0.1, ...})
    p.counts()                         # {"reset": 3, ...} faults injected per kind
    p.set_upstream("http://...")       # the primary moved (restart tests)
    p.stop()

or from a shell: faultproxy.py UPSTREAM [SEED] prints the port and runs a
default mix until killed.
"""
import asyncio
import random
import socket
import struct
import sys
import threading
import urllib.parse

KINDS = ("pass", "delay", "drop_request", "drop_response", "reset", "truncate", "drip", "5xx")

DEFAULT_MIX = {"pass": 0.55, "delay": 0.08, "drop_request": 0.06, "drop_response": 0.07,
               "reset": 0.07, "truncate": 0.06, "drip": 0.05, "5xx": 0.06}


class FaultProxy:
    def __init__(self, upstream, seed=0, mix=None, paths=None):
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._mix = dict(mix or {"pass": 1.0})
        self._paths = paths  # None = every path; else only these get faults
        self._counts = {k: 0 for k in KINDS}
        self._burst = 0      # requests of a 5xx burst still to come
        self._requests = 0
        self.set_upstream(upstream)
        self._loop = asyncio.new_event_loop()
        started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(started,), daemon=True)
        self._thread.start()
        started.wait(10)
        if not hasattr(self, "port"):
            raise RuntimeError("faultproxy did not start")
        self.url = "http://127.0.0.1:%d" % self.port

    # ---------- control ---------------------------------------------------

    def set_upstream(self, upstream):
        u = urllib.parse.urlsplit(upstream)
        with self._lock:
            self._up = (u.hostname or "127.0.0.1", u.port or 80)

    def set_mode(self, kind):
        if kind not in KINDS:
            raise ValueError("unknown fault %r" % kind)
        self.set_mix({kind: 1.0})

    def set_mix(self, mix):
        for k in mix:
            if k not in KINDS:
                raise ValueError("unknown fault %r" % k)
        with self._lock:
            self._mix = dict(mix)
            self._burst = 0

    def counts(self):
        """Faults injected per kind ("pass" counts requests let through)."""
        with self._lock:
            return dict(self._counts)

    def requests(self):
        with self._lock:
            return self._requests

    def stop(self):
        async def shut():
            self._server.close()
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in others:
                t.cancel()
            await asyncio.gather(*others, return_exceptions=True)
            self._loop.stop()
        asyncio.run_coroutine_threadsafe(shut(), self._loop)
        self._thread.join(10)

    # ---------- the loop --------------------------------------------------

    def _run(self, started):
        asyncio.set_event_loop(self._loop)

        async def start():
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
            self.port = self._server.sockets[0].getsockname()[1]
        self._loop.run_until_complete(start())
        started.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    def _choose(self, path):
        with self._lock:
            self._requests += 1
            if self._paths is not None and path not in self._paths:
                kind = "pass"
            elif self._burst > 0:
                self._burst -= 1
                kind = "5xx"
            else:
                kinds = list(self._mix)
                kind = self._rng.choices(kinds, [self._mix[k] for k in kinds])[0]
                if kind == "5xx":
                    self._burst = self._rng.randint(0, 3)
            self._counts[kind] += 1
            # every random draw happens under the lock, in request order
            params = {"delay": self._rng.uniform(0.2, 4.0), "after": self._rng.random() < 0.5,
                      "cut": self._rng.uniform(0.1, 0.9)}
            return kind, params, self._up

    async def _handle(self, reader, writer):
        try:
            request = await _read_request(reader)
            if request is None:
                return
            path = request.split(b" ", 2)[1].decode("latin-1") if b" " in request else ""
            kind, p, up = self._choose(path)
            if kind == "drop_request":
                return
            if kind == "delay":
                await asyncio.sleep(p["delay"])
            if kind == "5xx" and not p["after"]:
                await _send(writer, _status(503, b"fault injected: service unavailable"))
                return
            answer = await _forward(up, request)
            if answer is None:  # the primary is down: as a gateway would
                await _send(writer, _status(502, b"upstream unreachable"))
                return
            if kind == "drop_response":
                return
            if kind == "5xx":
                await _send(writer, _status(502, b"fault injected: bad gateway"))
                return
            if kind == "reset":
                writer.write(answer[:max(1, int(len(answer) * p["cut"]))])
                await writer.drain()
                _rst(writer)
                return
            if kind == "truncate":
                head, _, body = answer.partition(b"\r\n\r\n")
                writer.write(head + b"\r\n\r\n" + body[:int(len(body) * p["cut"])])
                await writer.drain()
                return
            if kind == "drip":
                piece = max(16, len(answer) // 20)
                for i in range(0, len(answer), piece):
                    writer.write(answer[i:i + piece])
                    await writer.drain()
                    await asyncio.sleep(0.05)
                return
            await _send(writer, answer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError, OSError):
            pass
        finally:
            try:
                writer.close()
            except Exception:  # noqa: BLE001 - already reset
                pass


async def _read_request(reader):
    """One whole HTTP request (head and Content-Length body), made to close
    its connection afterwards; None when the client went away."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        return None
    length = 0
    lines = head.split(b"\r\n")
    kept = []
    for line in lines:
        low = line.lower()
        if low.startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1].strip())
        if low.startswith(b"connection:"):
            continue
        kept.append(line)
    body = await reader.readexactly(length) if length else b""
    head = b"\r\n".join(kept[:-2]) + b"\r\nConnection: close\r\n\r\n"
    return head + body


async def _forward(up, request):
    """Send the request to the primary and read its whole answer; None when
    the primary cannot be reached."""
    try:
        r, w = await asyncio.wait_for(asyncio.open_connection(*up), 10)
    except (OSError, asyncio.TimeoutError):
        return None
    try:
        w.write(request)
        await w.drain()
        chunks = []
        while True:
            chunk = await asyncio.wait_for(r.read(65536), 60)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks) or None
    except (OSError, asyncio.TimeoutError):
        return None
    finally:
        w.close()


def _status(code, text):
    reason = {502: b"Bad Gateway", 503: b"Service Unavailable"}.get(code, b"Error")
    return (b"HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
            b"Connection: close\r\n\r\n%s" % (code, reason, len(text), text))


async def _send(writer, data):
    writer.write(data)
    await writer.drain()


def _rst(writer):
    """Close with RST instead of FIN: SO_LINGER on, timeout 0."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: faultproxy.py UPSTREAM_URL [SEED]")
    proxy = FaultProxy(sys.argv[1], seed=int(sys.argv[2]) if len(sys.argv) > 2 else 0,
                       mix=DEFAULT_MIX)
    print(proxy.port, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print(proxy.counts())
        proxy.stop()
