"""Small helpers shared by the integration tests.

- ``RawClient``: a plain socket that sends commands (multibulk or raw bytes) and reads one
  RESP2/RESP3 reply at a time with a tiny parser. redis-py 4.3.4 has no RESP3, and it
  interprets replies (``SET`` -> ``True``, errors -> exceptions with the code stripped), so
  tests that care about the exact bytes on the wire use this instead.
- ``Err``: how ``RawClient`` returns an error reply (compare with ``Err("ERR syntax error")``).
- ``wait_until``: a bounded poll; tests wait for conditions, never for fixed times.
"""
from __future__ import annotations

import functools
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BINARY = REPO_ROOT / "build" / "release" / "src" / "server" / "shoal-server"


@dataclass(frozen=True)
class Err:
    """An error reply, full text including the code (``"ERR ..."``, ``"WRONGPASS ..."``)."""

    msg: str

    def __str__(self) -> str:
        return self.msg


@dataclass(frozen=True)
class Verbatim:
    fmt: str
    data: bytes


class RespSet(list):
    """A RESP3 set (``~``), kept as a list since members may be unhashable."""


class Push(list):
    """A RESP3 push (``>``)."""


class ConnectionClosed(Exception):
    pass


def encode_command(*args) -> bytes:
    """Encodes a command as a RESP multibulk request; str/int/float args are converted."""
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, (int, float)):
            a = str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)


class RawClient:
    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 30.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0

    # -- sending --
    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send_command(self, *args) -> None:
        self.send(encode_command(*args))

    def cmd(self, *args):
        """Sends one command and returns its reply (errors as ``Err``, not raised)."""
        self.send_command(*args)
        return self.read_reply()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- receiving --
    def _fill(self) -> None:
        if self.pos > 1 << 20 and self.pos > len(self.buf) // 2:
            del self.buf[: self.pos]
            self.pos = 0
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionClosed("server closed the connection")
        self.buf += chunk

    def _line(self) -> bytes:
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = bytes(self.buf[self.pos : i])
                self.pos = i + 2
                return line
            self._fill()

    def _exact(self, n: int) -> bytes:
        while len(self.buf) - self.pos < n + 2:
            self._fill()
        data = bytes(self.buf[self.pos : self.pos + n])
        if self.buf[self.pos + n : self.pos + n + 2] != b"\r\n":
            raise AssertionError("bulk not terminated by CRLF")
        self.pos += n + 2
        return data

    def read_line(self) -> bytes:
        """The next raw reply line without its CRLF (to check the exact wire type)."""
        return self._line()

    def read_reply(self):
        line = self._line()
        if not line:
            raise AssertionError("empty reply line")
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode("utf-8", "surrogateescape")
        if t == b"-":
            return Err(rest.decode("utf-8", "surrogateescape"))
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read_reply() for _ in range(n)]
        if t == b"_":
            return None
        if t == b",":
            s = rest.decode()
            return float(s)
        if t == b"#":
            return rest == b"t"
        if t == b"(":
            return int(rest)
        if t == b"!":
            return Err(self._exact(int(rest)).decode("utf-8", "surrogateescape"))
        if t == b"=":
            data = self._exact(int(rest))
            return Verbatim(data[:3].decode(), data[4:])
        if t == b"%":
            n = int(rest)
            pairs = [(self.read_reply(), self.read_reply()) for _ in range(n)]
            try:
                return dict(pairs)
            except TypeError:
                return pairs
        if t == b"~":
            return RespSet(self.read_reply() for _ in range(int(rest)))
        if t == b">":
            return Push(self.read_reply() for _ in range(int(rest)))
        if t == b"|":  # attributes precede the real reply
            for _ in range(int(rest)):
                self.read_reply()
                self.read_reply()
            return self.read_reply()
        raise AssertionError(f"unknown reply type {line!r}")

    def read_raw_until_closed(self, limit: float = 10.0) -> bytes:
        """Returns everything the server sends until it closes the connection."""
        deadline = time.monotonic() + limit
        out = bytes(self.buf[self.pos :])
        self.buf.clear()
        self.pos = 0
        while time.monotonic() < deadline:
            try:
                self.sock.settimeout(max(0.05, deadline - time.monotonic()))
                chunk = self.sock.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                return out
            if not chunk:
                return out
            out += chunk
        raise AssertionError(f"connection not closed within {limit}s; got {out[:200]!r}")

    def is_closed(self, limit: float = 10.0) -> bool:
        try:
            self.read_raw_until_closed(limit)
            return True
        except AssertionError:
            return False


def wait_until(cond, timeout: float = 10.0, interval: float = 0.02, what: str = "condition"):
    """Polls ``cond()`` until it returns a truthy value; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def assert_same_replies(shoal, ref, commands, normalize=lambda cmd, reply: reply):
    """Runs ``commands`` on two RawClients (Shoal and redis-server) and fails listing every
    command whose (normalized) replies differ."""
    diffs = []
    for cmd in commands:
        a = normalize(cmd, shoal.cmd(*cmd))
        b = normalize(cmd, ref.cmd(*cmd))
        if a != b:
            diffs.append(f"{cmd!r}:\n    shoal: {a!r}\n    redis: {b!r}")
    assert not diffs, "replies differ from redis-server:\n" + "\n".join(diffs)


def survives(server, *command) -> object:
    """Sends one command to ``server`` and returns its reply, or fails the test with the
    server's stderr if the connection dropped or the server died."""
    import subprocess

    import pytest

    try:
        with server.raw() as c:
            reply = c.cmd(*command)
            assert c.cmd("PING") == "PONG"
            return reply
    except (ConnectionClosed, OSError) as e:
        try:
            server.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        pytest.fail(f"{command[:3]!r} killed the connection or the server ({e!r}; exit "
                    f"{server.proc.poll()}); stderr:\n{server.stderr_text()}", pytrace=False)


def shoal_binary_path() -> Path:
    """The server under test: $SHOAL_SERVER (relative to the working directory or the repo
    root) or build/release/src/server/shoal-server."""
    env = os.environ.get("SHOAL_SERVER")
    if not env:
        return DEFAULT_BINARY
    path = Path(env)
    if not path.is_absolute():
        path = (Path.cwd() / path) if (Path.cwd() / path).exists() else (REPO_ROOT / path)
    return path


@functools.lru_cache(maxsize=None)
def shoal_is_sanitized() -> bool:
    """True when the server under test is an ASan/UBSan build (some recorded bugs are
    undefined behaviour that only the sanitizers turn into a crash)."""
    if os.environ.get("SHOAL_IT_AGAINST_REDIS"):
        return False
    try:
        with open(shoal_binary_path(), "rb") as f:
            data = f.read()
        return b"__asan_init" in data or b"__ubsan_handle" in data
    except OSError:
        return False
