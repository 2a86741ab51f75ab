#!/usr/bin/env python3
"""scripted_primary.py — a fake libSQL primary whose /pull-updates answers are
scripted, for the replica's bad-input tests (tests/integration/
test_replica_badinput.py). Python stdlib only; plain HTTP on loopback.

    scripted_primary.py PORTFILE DB1 DB2

DB1 and DB2 are SQLite files (page size 4096), DB2 being DB1 after some
writes. Revision "1" is DB1, revision "2" is DB2. The answer to a pull is
picked by the current MODE, which a client sets with `GET /__mode/NAME`
(answers "ok"; `GET /__mode` prints it). Modes:

  v1, v2          a correct answer moving the client to revision 1 / 2
                  (bootstrap: every page; from "1" to "2": changed pages only)
  garbage         200, bytes that are not protobuf
  html            200, an HTML page
  empty           200, empty body (no header message)
  truncated       a correct v2 answer with its tail cut off
  oversized       a header whose declared length is 2**62 bytes
  wrongtype       header field db_size sent with the wrong wire type
  shortpage       a v2 answer in which one page holds 100 bytes, not 4096
  longpage        ... one page holds 8192 bytes
  pageid_beyond   a v2 answer whose db_size (1) is smaller than a page id
  dup_page        a v2 answer sending the same page twice with different bytes
  valid_then_garbage  a correct v2 answer followed by junk bytes
  rev_backwards   a header whose revision ("0") is older than the client's,
                  no pages (what tursodb answers after a checkpoint)
  midbody         announces the full v2 answer's length, sends half, closes
  huge_length     announces a 10 GB body (Content-Length), sends 1 KB, closes
  http401 http403 http404 http500 http503   that status with a short text body
Every request is appended to PORTFILE.log as "METHOD PATH client_rev=R mode=M".
"""
import http.server
import os
import socketserver
import sys
import threading
import time

PAGE = 4096


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_bytes(tag, data):
    return varint(tag << 3 | 2) + varint(len(data)) + data


def field_varint(tag, n):
    return varint(tag << 3 | 0) + varint(n)


def delimited(msg):
    return varint(len(msg)) + msg


def header(revision, db_size):
    return (field_bytes(1, revision.encode()) + field_varint(2, db_size) +
            field_bytes(3, b"") + field_varint(5, 0))


def page_msg(page_id, data):
    # page_id is zero-based; proto3 omits a zero field.
    return (field_varint(1, page_id) if page_id else b"") + field_bytes(2, data)


def read_pages(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) % PAGE:
        raise SystemExit(f"{path}: size {len(data)} is not a multiple of {PAGE}")
    return [data[i:i + PAGE] for i in range(0, len(data), PAGE)]


def parse_client_revision(body):
    """Field 3 of PullUpdatesReqProtoBody, or "" (a tiny protobuf reader)."""
    i, rev = 0, ""
    def rd_varint():
        nonlocal i
        shift = val = 0
        while i < len(body):
            b = body[i]; i += 1
            val |= (b & 0x7F) << shift; shift += 7
            if not b & 0x80:
                return val
        raise ValueError("truncated varint")
    try:
        while i < len(body):
            key = rd_varint(); tag, wt = key >> 3, key & 7
            if wt == 0:
                rd_varint()
            elif wt == 2:
                n = rd_varint(); val = body[i:i + n]; i += n
                if tag == 3:
                    rev = val.decode("utf-8", "replace")
            else:
                break
    except ValueError:
        pass
    return rev


class State:
    def __init__(self, db1, db2):
        self.revs = {"1": read_pages(db1), "2": read_pages(db2)}
        self.mode = "v1"
        self.lock = threading.Lock()

    def answer(self, target, client_rev):
        """The header and page list that move client_rev to revision target."""
        new = self.revs[target]
        if client_rev == target:
            return header(target, len(new)), []
        old = self.revs.get(client_rev)
        pages = []
        for i, p in enumerate(new):
            if old is None or i >= len(old) or old[i] != p:
                pages.append((i, p))
        return header(target, len(new)), pages

    def encode(self, hdr, pages):
        return delimited(hdr) + b"".join(delimited(page_msg(i, p)) for i, p in pages)


STATE = None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body, ctype="application/octet-stream"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.startswith("/__mode/"):
            with STATE.lock:
                STATE.mode = self.path[len("/__mode/"):]
            self.send(200, b"ok\n", "text/plain")
        elif self.path == "/__mode":
            self.send(200, STATE.mode.encode() + b"\n", "text/plain")
        else:
            self.send(404, b"Not Found", "text/plain")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        with STATE.lock:
            mode = STATE.mode
        rev = parse_client_revision(body)
        with open(LOG, "a") as f:
            f.write(f"POST {self.path} client_rev={rev} mode={mode}\n")
        if self.path.rstrip("/") != "/pull-updates":
            return self.send(404, b"Not Found", "text/plain")
        if mode.startswith("http") and mode[4:].isdigit():
            return self.send(int(mode[4:]), f"scripted HTTP {mode[4:]}\n".encode(), "text/plain")
        if mode in ("v1", "v2"):
            hdr, pages = STATE.answer(mode[1], rev)
            return self.send(200, STATE.encode(hdr, pages))
        hdr, pages = STATE.answer("2", rev)
        good = STATE.encode(hdr, pages)
        if mode == "garbage":
            return self.send(200, bytes([0xFF]) * 64 + b"\x07\x08\x09" * 100)
        if mode == "html":
            return self.send(200, b"<html><body>not a primary</body></html>", "text/html")
        if mode == "empty":
            return self.send(200, b"")
        if mode == "truncated":
            return self.send(200, good[:len(good) - 1000])
        if mode == "oversized":
            return self.send(200, varint(1 << 62) + hdr + good)
        if mode == "wrongtype":
            bad = field_bytes(1, b"2") + field_bytes(2, b"\x05\x05") + field_bytes(3, b"")
            return self.send(200, delimited(bad) + good[len(delimited(hdr)):])
        if mode == "shortpage":
            pages = pages[:-1] + [(pages[-1][0], b"\x00" * 100)]
            return self.send(200, STATE.encode(hdr, pages))
        if mode == "longpage":
            pages = pages[:-1] + [(pages[-1][0], pages[-1][1] * 2)]
            return self.send(200, STATE.encode(hdr, pages))
        if mode == "pageid_beyond":
            return self.send(200, STATE.encode(header("2", 1), pages))
        if mode == "dup_page":
            i, p = pages[-1]
            return self.send(200, STATE.encode(hdr, pages + [(i, bytes(reversed(p)))]))
        if mode == "valid_then_garbage":
            return self.send(200, good + b"\x0a\xff\xff\xff\xff\x0f" + b"junk" * 50)
        if mode == "rev_backwards":
            return self.send(200, delimited(header("0", len(STATE.revs["1"]))))
        if mode in ("midbody", "huge_length"):
            declared = len(good) if mode == "midbody" else 10 * 1000 ** 3
            sent = len(good) // 2 if mode == "midbody" else 1024
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(declared))
            self.end_headers()
            self.wfile.write(good[:sent])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass
            return
        return self.send(500, f"scripted_primary: unknown mode {mode}\n".encode(), "text/plain")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global STATE, LOG
    if len(sys.argv) != 4:
        sys.exit("usage: scripted_primary.py PORTFILE DB1 DB2")
    portfile, db1, db2 = sys.argv[1:]
    STATE = State(db1, db2)
    LOG = portfile + ".log"
    srv = Server(("127.0.0.1", 0), Handler)
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, portfile)
    # A test that crashes (a sanitizer abort) cannot stop us: leave with it.
    parent = os.getppid()
    def watch_parent():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)
    threading.Thread(target=watch_parent, daemon=True).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
