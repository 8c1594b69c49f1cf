"""Fixtures for the integration tests: real shoal-server processes (and a real redis-server
as the reference for differential tests) on free loopback ports.

    SHOAL_SERVER=<binary> /usr/bin/python3 -m pytest -q tests/integration

Fixtures:
  shoal          the session's server (--shards 2), flushed before every test; checked alive
                 after every test
  r              redis-py client (RESP2, bytes replies) to ``shoal``
  raw            RawClient (raw socket, exact replies, errors as Err) to ``shoal``
  shoal_factory  starts extra servers with given flags for one test (stopped at its end)
  redis_ref      the session's reference redis-server; ``ref`` / ``ref_raw`` clients to it,
                 flushed before every test

With SHOAL_IT_AGAINST_REDIS=1 the "shoal" servers are real redis-servers (same flags minus
--shards): a way to check that the tests expect what Redis does.

Every server is stopped by PID (SIGTERM, then SIGKILL after a timeout) and must exit with
status 0 and no sanitizer report on stderr; stderr goes to a temp file shown on failure.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import redis

from resp_helpers import RawClient, shoal_binary_path
START_TIMEOUT = 30.0  # seconds until PING must answer (ASan builds start slower)
STOP_TIMEOUT = 30.0  # seconds between SIGTERM and SIGKILL
SANITIZER_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "runtime error:",
    "WARNING: ThreadSanitizer",
)


def shoal_binary() -> Path:
    path = shoal_binary_path()
    if not path.exists():
        pytest.exit(f"shoal-server binary not found at {path} (set SHOAL_SERVER)", returncode=2)
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            data = s.recv(64)
            return data[:1] in (b"+", b"-")  # -NOAUTH also means it is up
    except OSError:
        return False


class ServerProcess:
    """A server process on a free loopback port: shoal-server or the reference redis-server."""

    def __init__(self, argv_for_port, name: str):
        self.argv_for_port = argv_for_port  # port -> argv
        self.name = name
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.tmpdir = tempfile.mkdtemp(prefix=f"{name}-")
        self.stderr_path = os.path.join(self.tmpdir, "stderr.log")
        self.argv: list[str] = []

    # -- lifecycle --
    def start(self) -> "ServerProcess":
        last_error = ""
        for _attempt in range(5):
            self.port = free_port()
            self.argv = self.argv_for_port(self.port)
            with open(self.stderr_path, "ab") as err:
                err.write(f"==== start {' '.join(self.argv)}\n".encode())
                err.flush()
                self.proc = subprocess.Popen(
                    self.argv, stdout=err, stderr=err, stdin=subprocess.DEVNULL, cwd=self.tmpdir
                )
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                if _answers_ping(self.port):
                    return self
                time.sleep(0.02)
            if self.proc.poll() is None:
                self.kill()
                pytest.fail(f"{self.name} did not answer PING within {START_TIMEOUT}s\n"
                            f"{self.stderr_text()}")
            last_error = self.stderr_text()
            if "in use" not in last_error.lower():
                break  # not a port race: give up at once
        pytest.fail(f"{self.name} failed to start (exit {self.proc.returncode}):\n{last_error}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        if self.alive():
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=STOP_TIMEOUT)

    def stop(self) -> tuple[int | None, str]:
        """SIGTERM by PID, SIGKILL after STOP_TIMEOUT. Returns (exit code, problem or '')."""
        if self.proc is None:
            return None, ""
        problem = ""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=STOP_TIMEOUT)
                problem = f"did not exit within {STOP_TIMEOUT}s of SIGTERM (killed)"
        else:
            problem = f"had already exited (code {self.proc.returncode}) before SIGTERM"
        rc = self.proc.returncode
        text = self.stderr_text()
        if not problem and rc != 0:
            problem = f"exited with code {rc}"
        if not problem and any(m in text for m in SANITIZER_MARKERS):
            problem = "printed a sanitizer report"
        return rc, problem

    def stop_and_check(self) -> None:
        rc, problem = self.stop()
        if problem:
            pytest.fail(f"{self.name} (port {self.port}) {problem}; stderr:\n{self.stderr_text()}",
                        pytrace=False)
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    def stderr_text(self, limit: int = 20000) -> str:
        try:
            with open(self.stderr_path, "rb") as f:
                data = f.read()
        except OSError:
            return "<no stderr file>"
        text = data.decode("utf-8", "replace")
        return text if len(text) <= limit else "...\n" + text[-limit:]

    # -- clients --
    def client(self, **kw) -> redis.Redis:
        kw.setdefault("socket_timeout", 60)
        return redis.Redis(host="127.0.0.1", port=self.port, **kw)

    def raw(self, timeout: float = 30.0) -> RawClient:
        return RawClient(self.port, timeout=timeout)


def make_shoal(*extra: str, shards: int = 2) -> ServerProcess:
    if os.environ.get("SHOAL_IT_AGAINST_REDIS"):
        # Runs the suite against redis-server to check the tests' own expectations.
        return make_redis("--loglevel", "warning", *extra)
    binary = str(shoal_binary())

    def argv(port: int) -> list[str]:
        return [binary, "--bind", "127.0.0.1", "--port", str(port), "--shards", str(shards),
                "--loglevel", "warning", *extra]

    return ServerProcess(argv, f"shoal-{shards}sh")


def make_redis(*extra: str) -> ServerProcess:
    exe = shutil.which("redis-server") or "/usr/bin/redis-server"
    holder: dict[str, str] = {}

    def argv(port: int) -> list[str]:
        return [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                "no", "--dir", holder["dir"], "--daemonize", "no", *extra]

    p = ServerProcess(argv, "redis-ref")
    holder["dir"] = p.tmpdir
    return p


# ---------------------------------------------------------------- shoal, session-wide

class _SessionShoal:
    def __init__(self):
        self.server = make_shoal(shards=2).start()
        self.deaths: list[str] = []

    def ensure_alive(self) -> None:
        if not self.server.alive():
            # A previous test killed it (that test was already failed): start a fresh one.
            self.deaths.append(self.server.stderr_text())
            self.server = make_shoal(shards=2).start()


@pytest.fixture(scope="session")
def _shoal_session():
    holder = _SessionShoal()
    yield holder
    holder.server.stop_and_check()


@pytest.fixture
def shoal(_shoal_session, request):
    """The shared --shards 2 server, with every database flushed."""
    _shoal_session.ensure_alive()
    server = _shoal_session.server
    with server.raw() as c:
        assert c.cmd("FLUSHALL") == "OK"
    yield server
    if not server.alive():
        pytest.fail(f"shoal-server died during {request.node.nodeid} "
                    f"(exit {server.proc.returncode}); stderr:\n{server.stderr_text()}",
                    pytrace=False)


@pytest.fixture
def r(shoal):
    c = shoal.client()
    yield c
    c.close()


@pytest.fixture
def raw(shoal):
    c = shoal.raw()
    yield c
    c.close()


@pytest.fixture
def shoal_factory():
    """``shoal_factory(*flags, shards=1)`` starts a dedicated server for this test."""
    started: list[ServerProcess] = []

    def factory(*extra: str, shards: int = 1) -> ServerProcess:
        s = make_shoal(*extra, shards=shards).start()
        started.append(s)
        return s

    yield factory
    problems = []
    for s in started:
        rc, problem = s.stop()
        if problem:
            problems.append(f"{s.name} {' '.join(s.argv[1:])}: {problem}\n{s.stderr_text()}")
        else:
            shutil.rmtree(s.tmpdir, ignore_errors=True)
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


@pytest.fixture
def scratch_shoal():
    """Like ``shoal_factory``, for tests that may crash the server (recorded bugs): the exit
    status is not checked; the test itself asserts the server survived."""
    started: list[ServerProcess] = []

    def factory(*extra: str, shards: int = 1) -> ServerProcess:
        s = make_shoal(*extra, shards=shards).start()
        started.append(s)
        return s

    yield factory
    for s in started:
        s.stop()
        shutil.rmtree(s.tmpdir, ignore_errors=True)


# ---------------------------------------------------------------- reference redis-server

@pytest.fixture(scope="session")
def redis_ref():
    if not shutil.which("redis-server") and not os.path.exists("/usr/bin/redis-server"):
        pytest.skip("redis-server not installed")
    server = make_redis().start()
    yield server
    server.stop()
    shutil.rmtree(server.tmpdir, ignore_errors=True)


@pytest.fixture
def ref(redis_ref):
    c = redis_ref.client()
    c.flushall()
    yield c
    c.close()


@pytest.fixture
def ref_raw(redis_ref):
    c = redis_ref.raw()
    assert c.cmd("FLUSHALL") == "OK"
    yield c
    c.close()
