#!/usr/bin/python3
"""Side-by-side benchmark of shoal-server against Debian's redis-server.

Modes:
  throughput  redis-benchmark SET/GET at pipeline 1 and 16 against redis,
              shoal --shards 1 and shoal with its default shard count, run
              alternately so machine noise hits every configuration.
  memory      RSS growth per key after loading KEYSPACE distinct keys into
              redis and into shoal (default shards).
  all         both (default).

The report goes to stdout (progress goes to stderr). The exit code is 0 when
everything ran, even if a performance target FAILs; it is non-zero only when
something could not be measured (server did not start, benchmark failed,
timeout, ...). See bench/README.md.
"""

import argparse
import csv
import ctypes
import datetime
import io
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SHOAL = os.path.join("build", "release", "src", "server", "shoal-server")
DOCS_PATH = os.path.join(REPO_ROOT, "docs", "benchmarks.md")

PIPELINES = (1, 16)
TESTS = ("SET", "GET")

START_TIMEOUT_S = 20.0  # until the server answers PING
STOP_TIMEOUT_S = 10.0  # SIGTERM -> SIGKILL grace period
CMD_TIMEOUT_S = 30.0  # small helper commands (git, --version, ...)

# Targets from the issue.
SHARDS1_MIN_RATIO = 1.0  # shoal --shards 1 ops/s vs redis, at P=1 and P=16
SHARDSN_MIN_RATIO = 1.3  # shoal default shards ops/s vs redis, at P=16
MEMORY_MAX_RATIO = 0.8  # shoal bytes/key vs redis bytes/key


class BenchError(Exception):
    """Something could not be measured; the run exits non-zero."""


class StartError(BenchError):
    """A server did not come up; later runs of that configuration are skipped."""


def log(msg):
    print(f"[redis_compare] {msg}", file=sys.stderr, flush=True)


class Report:
    """Collects stdout lines so --write-docs can reuse them."""

    def __init__(self):
        self.lines = []
        self.body_start = 0  # lines before this are the machine-info header

    def __call__(self, line=""):
        print(line, flush=True)
        self.lines.append(line)

    def body(self):
        return "\n".join(self.lines[self.body_start:]) + "\n"


# --------------------------------------------------------------------------
# Helpers


def run_cmd(argv, timeout=CMD_TIMEOUT_S, check=True, **kw):
    try:
        res = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kw)
    except FileNotFoundError as e:
        raise BenchError(f"cannot run {argv[0]!r}: {e}") from e
    except subprocess.TimeoutExpired as e:
        raise BenchError(f"timed out after {timeout:.0f}s: {shlex.join(argv)}") from e
    if check and res.returncode != 0:
        raise BenchError(
            f"command failed (exit {res.returncode}): {shlex.join(argv)}\n"
            f"{tail(res.stdout)}{tail(res.stderr)}"
        )
    return res


def tail(text, n=20):
    if not text:
        return ""
    lines = text.rstrip("\n").splitlines()[-n:]
    return "".join(f"    | {l}\n" for l in lines)


def free_port(exclude=()):
    """A loopback TCP port that is free right now (not in `exclude`)."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in exclude:
            return port
    raise BenchError("could not find a free loopback port")


def port_is_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def resp(*parts):
    out = [b"*%d\r\n" % len(parts)]
    for x in parts:
        x = x if isinstance(x, bytes) else str(x).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(x), x))
    return b"".join(out)


def resp_command(port, *args, timeout=5.0):
    """Sends one command over a fresh connection, returns the parsed reply.

    Supports the reply types needed here (+, -, :, $; for an array only its length).
    Raises OSError on connection problems."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(resp(*args))
        buf = b""
        while b"\r\n" not in buf:
            chunk = s.recv(4096)
            if not chunk:
                raise OSError("connection closed before reply")
            buf += chunk
        head, _, rest = buf.partition(b"\r\n")
        kind, body = head[:1], head[1:]
        if kind == b"+":
            return body.decode()
        if kind == b"-":
            return RuntimeError(body.decode())
        if kind in (b":", b"*"):
            return int(body)
        if kind == b"$":
            n = int(body)
            if n < 0:
                return None
            while len(rest) < n + 2:
                chunk = s.recv(65536)
                if not chunk:
                    raise OSError("connection closed inside bulk reply")
                rest += chunk
            return rest[:n].decode(errors="replace")
        raise OSError(f"unexpected reply {head[:40]!r}")


def read_rss_bytes(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    parts = line.split()
                    assert parts[2].lower() == "kb", line
                    return int(parts[1]) * 1024
    except OSError as e:
        raise BenchError(f"cannot read /proc/{pid}/status: {e}") from e
    raise BenchError(f"no VmRSS in /proc/{pid}/status")


def _set_pdeathsig():
    """Child pre-exec hook: the server gets SIGTERM if the harness dies hard."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except Exception:
        pass


# --------------------------------------------------------------------------
# Server processes (only ever the ones this script started)


class Server:
    def __init__(self, name, argv_for_port, workdir):
        self.name = name
        self.argv_for_port = argv_for_port  # port -> argv
        self.workdir = workdir
        self.proc = None
        self.port = None
        self.logpath = os.path.join(workdir, "server.log")

    @property
    def pid(self):
        return self.proc.pid

    def start(self, used_ports):
        os.makedirs(self.workdir, exist_ok=True)
        last_err = None
        for attempt in range(3):  # a free port may be grabbed by someone else
            self.port = free_port(used_ports)
            argv = self.argv_for_port(self.port)
            log(f"starting {self.name}: {shlex.join(argv)}")
            with open(self.logpath, "ab") as logf:
                try:
                    self.proc = subprocess.Popen(
                        argv,
                        cwd=self.workdir,
                        stdin=subprocess.DEVNULL,
                        stdout=logf,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,  # Ctrl-C is handled by us
                        preexec_fn=_set_pdeathsig,
                    )
                except OSError as e:
                    raise BenchError(f"{self.name}: cannot execute {argv[0]!r}: {e}") from e
            _STARTED.append(self)
            try:
                self._wait_ready()
                used_ports.add(self.port)
                return self
            except BenchError as e:
                last_err = e
                self.stop()
                # Retry on a new port only if the exit looks like a port
                # collision, i.e. someone else holds the port now.
                if "exited" not in str(e) or port_is_free(self.port):
                    break
                log(f"{self.name}: port {self.port} was taken, retrying on another port")
        raise StartError(str(last_err))

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT_S
        last = "no attempt"
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                raise BenchError(
                    f"{self.name} exited with code {rc} during startup "
                    f"(port {self.port})\n  last log lines:\n{self.log_tail()}"
                )
            try:
                reply = resp_command(self.port, "PING", timeout=1.0)
                if reply == "PONG":
                    # Make sure the answer came from our process, not from
                    # something that grabbed the port in between.
                    time.sleep(0.05)
                    if self.proc.poll() is None:
                        return
                    continue
                last = f"PING replied {reply!r}"
            except OSError as e:
                last = str(e)
            time.sleep(0.05)
        raise BenchError(
            f"{self.name} did not answer PING on 127.0.0.1:{self.port} within "
            f"{START_TIMEOUT_S:.0f}s (last: {last}); log:\n{self.log_tail()}"
        )

    def log_tail(self):
        try:
            with open(self.logpath, errors="replace") as f:
                return tail(f.read()) or "    | (empty)\n"
        except OSError:
            return "    | (no log)\n"

    def stop(self):
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if self in _STARTED:
            _STARTED.remove(self)
        if proc.poll() is not None:
            return
        try:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            log(f"{self.name} (pid {proc.pid}) ignored SIGTERM for "
                f"{STOP_TIMEOUT_S:.0f}s, sending SIGKILL")
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                log(f"WARNING: {self.name} (pid {proc.pid}) still alive after SIGKILL")
        except ProcessLookupError:
            pass


def note_error(errors, e):
    if getattr(e, "skipped", False):
        log(str(e))
        return
    errors.append(str(e))
    log(f"ERROR: {e}")


_STARTED = []  # servers currently running, for cleanup


def stop_all_servers():
    for srv in list(_STARTED):
        srv.stop()


class ServerFactory:
    """Builds fresh Server objects for the three configurations."""

    def __init__(self, redis_server, shoal, tmpdir):
        self.redis_server = redis_server
        self.shoal = shoal
        self.tmpdir = tmpdir
        self.counter = 0
        self.used_ports = set()
        self.broken = {}  # config -> first startup error

    def start(self, config):
        """A started Server for `config`, or StartError (remembered, so a
        configuration that cannot start is not retried for every run)."""
        if config in self.broken:
            e = StartError(f"{config}: skipped, it failed to start earlier")
            e.skipped = True
            raise e
        srv = self.make(config)
        try:
            return srv.start(self.used_ports)
        except StartError as e:
            self.broken[config] = str(e)
            raise

    def stop(self, srv):
        self.used_ports.discard(srv.port)
        srv.stop()

    def _workdir(self, name):
        self.counter += 1
        return os.path.join(self.tmpdir, f"{self.counter:02d}-{name}")

    def make(self, config):
        if config == "redis":
            def argv(port):
                return [self.redis_server, "--bind", "127.0.0.1", "--port", str(port),
                        "--save", "", "--appendonly", "no", "--daemonize", "no",
                        "--dir", ".", "--logfile", "", "--loglevel", "warning"]
        elif config == "shoal-1":
            def argv(port):
                return [self.shoal, "--bind", "127.0.0.1", "--port", str(port),
                        "--shards", "1", "--loglevel", "warning"]
        elif config == "shoal-N":
            def argv(port):
                return [self.shoal, "--bind", "127.0.0.1", "--port", str(port),
                        "--loglevel", "warning"]
        else:
            raise ValueError(config)
        return Server(config, argv, self._workdir(config))


CONFIG_LABEL = {
    "redis": "redis",
    "shoal-1": "shoal --shards 1",
    "shoal-N": "shoal (default shards)",
}


# --------------------------------------------------------------------------
# Throughput mode


def parse_benchmark_csv(out):
    rows = {}
    header = None
    for rec in csv.reader(io.StringIO(out)):
        if not rec:
            continue
        if rec[0] == "test":
            header = rec
            continue
        if header is None or len(rec) != len(header):
            continue
        row = dict(zip(header, rec))
        try:
            rows[row["test"].upper()] = {
                "rps": float(row["rps"]),
                "p50": float(row["p50_latency_ms"]),
                "p99": float(row["p99_latency_ms"]),
            }
        except (KeyError, ValueError):
            continue
    return rows


def run_benchmark(args, srv, pipeline, tests=TESTS, command=()):
    """redis-benchmark's rows for `tests` (-t), or for one custom `command` (its CSV row
    is named after the command line; it is returned under tests[0])."""
    argv = [args.redis_benchmark, "-h", "127.0.0.1", "-p", str(srv.port),
            "-c", str(args.clients), "-n", str(args.requests),
            "-P", str(pipeline), "-d", str(args.datasize), "-r", str(args.keyspace),
            "--csv"]
    argv += list(command) if command else ["-t", ",".join(t.lower() for t in tests)]
    if args.bench_threads:
        argv += ["--threads", str(args.bench_threads)]
    timeout = args.bench_timeout or (120 + args.requests / 2000.0)
    log(f"  {shlex.join(argv)}")
    try:
        res = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise BenchError(f"redis-benchmark against {srv.name} P={pipeline} timed out "
                         f"after {timeout:.0f}s") from e
    rows = parse_benchmark_csv(res.stdout)
    if command and len(rows) == 1:
        rows = {tests[0]: next(iter(rows.values()))}
    missing = [t for t in tests if t not in rows]
    if res.returncode != 0 or missing:
        raise BenchError(
            f"redis-benchmark against {srv.name} P={pipeline} failed "
            f"(exit {res.returncode}, missing {missing or 'nothing'}):\n"
            f"{tail(res.stdout)}{tail(res.stderr)}")
    if srv.proc is None or srv.proc.poll() is not None:
        raise BenchError(f"{srv.name} died during the benchmark; log:\n{srv.log_tail()}")
    return rows


def throughput_mode(args, factory, report, errors):
    configs = ["redis", "shoal-1", "shoal-N"]
    # samples[(test, P, config)] -> list of {"rps","p50","p99"}
    samples = {}
    total = args.rounds * len(PIPELINES) * len(configs)
    step = 0
    for rnd in range(args.rounds):
        for p in PIPELINES:
            for cfg in configs:  # alternate: redis, shoal-1, shoal-N, redis, ...
                step += 1
                log(f"[{step}/{total}] round {rnd + 1} P={p} {CONFIG_LABEL[cfg]}")
                try:
                    srv = factory.start(cfg)
                except BenchError as e:
                    note_error(errors, e)
                    continue
                try:
                    rows = run_benchmark(args, srv, p)
                except BenchError as e:
                    note_error(errors, e)
                    continue
                finally:
                    factory.stop(srv)
                for t in TESTS:
                    samples.setdefault((t, p, cfg), []).append(rows[t])

    def median(t, p, cfg):
        s = samples.get((t, p, cfg))
        if not s:
            return None
        return {k: statistics.median(x[k] for x in s) for k in ("rps", "p50", "p99")}

    report("## Throughput (redis-benchmark -t set,get)")
    report()
    report(f"clients={args.clients} requests={args.requests} keyspace={args.keyspace} "
           f"datasize={args.datasize} rounds={args.rounds}"
           + (" (median of rounds)" if args.rounds > 1 else "")
           + (f" bench-threads={args.bench_threads}" if args.bench_threads else ""))
    report()
    hdr = f"{'test':<4} {'P':>3}  {'config':<23} {'ops/s':>12} {'p50 ms':>8} {'p99 ms':>8} " \
          f"{'ops vs redis':>12} {'p99 vs redis':>12}"
    report(hdr)
    report("-" * len(hdr))
    for t in TESTS:
        for p in PIPELINES:
            base = median(t, p, "redis")
            for cfg in configs:
                m = median(t, p, cfg)
                if m is None:
                    report(f"{t:<4} {p:>3}  {CONFIG_LABEL[cfg]:<23} {'FAILED':>12}")
                    continue
                if cfg == "redis":
                    r_ops = r_p99 = "(base)"
                elif base is None:
                    r_ops = r_p99 = "n/a"
                else:
                    r_ops = f"{m['rps'] / base['rps']:.2f}x" if base["rps"] > 0 else "n/a"
                    r_p99 = f"{m['p99'] / base['p99']:.2f}x" if base["p99"] > 0 else "n/a"
                report(f"{t:<4} {p:>3}  {CONFIG_LABEL[cfg]:<23} {m['rps']:>12,.0f} "
                       f"{m['p50']:>8.3f} {m['p99']:>8.3f} {r_ops:>12} {r_p99:>12}")
    report()
    report("Targets:")
    for t in TESTS:
        for p in PIPELINES:
            base, m = median(t, p, "redis"), median(t, p, "shoal-1")
            name = f"shards=1 {t} P={p}: ops/s >= {SHARDS1_MIN_RATIO:.1f}x redis and p99 <= redis"
            if base is None or m is None:
                report(f"  [n/a ] {name} (missing measurement)")
                continue
            ratio = m["rps"] / base["rps"] if base["rps"] > 0 else 0.0
            ok = ratio >= SHARDS1_MIN_RATIO and m["p99"] <= base["p99"]
            report(f"  [{'PASS' if ok else 'FAIL'}] {name}: {ratio:.3f}x, "
                   f"p99 {m['p99']:.3f} vs {base['p99']:.3f} ms")
    for t in TESTS:
        p = 16
        base, m = median(t, p, "redis"), median(t, p, "shoal-N")
        name = f"default shards {t} P={p}: ops/s >= {SHARDSN_MIN_RATIO:.1f}x redis"
        if base is None or m is None:
            report(f"  [n/a ] {name} (missing measurement)")
            continue
        ratio = m["rps"] / base["rps"] if base["rps"] > 0 else 0.0
        ok = ratio >= SHARDSN_MIN_RATIO
        report(f"  [{'PASS' if ok else 'FAIL'}] {name}: {ratio:.3f}x")
    report()


# --------------------------------------------------------------------------
# Memory mode

LOAD_BATCH = 10000


def resp_set_batches(keyspace, datasize):
    """RESP-encoded `SET key:%012d <value>` commands in batches of LOAD_BATCH.

    Values are DATASIZE bytes and distinct per key (index prefix) when
    DATASIZE >= 12 so nothing can be deduplicated."""
    if datasize >= 12:
        tmpl = (b"*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$" + str(datasize).encode()
                + b"\r\n%012d" + b"x" * (datasize - 12) + b"\r\n")
        two = True
    else:
        tmpl = (b"*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$" + str(datasize).encode()
                + b"\r\n" + b"x" * datasize + b"\r\n")
        two = False
    for start in range(0, keyspace, LOAD_BATCH):
        end = min(start + LOAD_BATCH, keyspace)
        if two:
            yield b"".join(tmpl % (i, i) for i in range(start, end))
        else:
            yield b"".join(tmpl % i for i in range(start, end))


def load_with_pipe(args, srv, timeout, batches=None, replies=None):
    """Streams generated RESP into `redis-cli --pipe`: the SET keyspace, or `batches`
    (an iterable of RESP bytes) expecting `replies` replies, none of them errors."""
    if batches is None:
        batches, replies = resp_set_batches(args.keyspace, args.datasize), args.keyspace
    rfd, wfd = os.pipe()
    argv = [args.redis_cli, "-h", "127.0.0.1", "-p", str(srv.port), "--pipe",
            "--pipe-timeout", "60"]
    try:
        proc = subprocess.Popen(argv, stdin=rfd, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    finally:
        os.close(rfd)
    write_err = []

    def writer():
        try:
            with os.fdopen(wfd, "wb", buffering=1 << 20) as w:
                for chunk in batches:
                    w.write(chunk)
        except (BrokenPipeError, OSError) as e:
            write_err.append(e)

    th = threading.Thread(target=writer, daemon=True)
    th.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as e:
        proc.kill()
        proc.communicate()
        raise BenchError(f"loading {srv.name} with redis-cli --pipe timed out after "
                         f"{timeout:.0f}s") from e
    except BaseException:  # Ctrl-C / SIGTERM: don't leave redis-cli behind
        proc.kill()
        proc.wait()
        raise
    finally:
        th.join(timeout=10)
    m = re.search(r"errors:\s*(\d+),\s*replies:\s*(\d+)", out)
    if proc.returncode != 0 or write_err or not m or int(m.group(1)) != 0 \
            or int(m.group(2)) != replies:
        raise BenchError(
            f"redis-cli --pipe into {srv.name} failed (exit {proc.returncode}"
            f"{', write error: ' + str(write_err[0]) if write_err else ''}):\n"
            f"{tail(out)}{tail(err)}")


def load_with_redispy(args, srv, timeout):
    try:
        import redis  # python3-redis
    except ImportError as e:
        raise BenchError("python3-redis is not installed (apt-get install -y python3-redis)") from e
    deadline = time.monotonic() + timeout
    value_tail = b"x" * max(0, args.datasize - 12)
    r = redis.Redis(host="127.0.0.1", port=srv.port, socket_timeout=60)
    try:
        for start in range(0, args.keyspace, LOAD_BATCH):
            if time.monotonic() > deadline:
                raise BenchError(f"loading {srv.name} with redis-py timed out after {timeout:.0f}s")
            pipe = r.pipeline(transaction=False)
            for i in range(start, min(start + LOAD_BATCH, args.keyspace)):
                if args.datasize >= 12:
                    val = b"%012d" % i + value_tail
                else:
                    val = b"x" * args.datasize
                pipe.set(b"key:%012d" % i, val)
            res = pipe.execute(raise_on_error=False)
            bad = [x for x in res if x is not True]
            if bad:
                raise BenchError(f"SET into {srv.name} failed: {bad[0]!r}")
    except redis.RedisError as e:
        raise BenchError(f"loading {srv.name} with redis-py failed: {e}") from e
    finally:
        r.close()


def measure_memory(args, srv):
    baseline = read_rss_bytes(srv.pid)
    timeout = args.load_timeout or (120 + args.keyspace / 5000.0)
    t0 = time.monotonic()
    if args.loader == "pipe":
        load_with_pipe(args, srv, timeout)
    else:
        load_with_redispy(args, srv, timeout)
    load_s = time.monotonic() - t0
    try:
        dbsize = resp_command(srv.port, "DBSIZE", timeout=30)
    except OSError as e:
        raise BenchError(f"DBSIZE on {srv.name} failed: {e}") from e
    if dbsize != args.keyspace:
        raise BenchError(f"{srv.name}: DBSIZE is {dbsize!r}, expected {args.keyspace}")
    time.sleep(1.0)
    if srv.proc.poll() is not None:
        raise BenchError(f"{srv.name} died after loading; log:\n{srv.log_tail()}")
    loaded = read_rss_bytes(srv.pid)
    return {"baseline": baseline, "loaded": loaded, "load_s": load_s,
            "per_key": (loaded - baseline) / args.keyspace}


def memory_mode(args, factory, report, errors):
    results = {}
    for cfg in ("redis", "shoal-N"):
        log(f"memory: {CONFIG_LABEL[cfg]}: loading {args.keyspace} keys "
            f"({args.datasize}-byte values) via {args.loader}")
        try:
            srv = factory.start(cfg)
        except BenchError as e:
            note_error(errors, e)
            continue
        try:
            results[cfg] = measure_memory(args, srv)
        except BenchError as e:
            note_error(errors, e)
        finally:
            factory.stop(srv)

    mib = 1024.0 * 1024.0
    report("## Memory (RSS growth after loading the keyspace)")
    report()
    report(f"keys={args.keyspace} (16-byte keys \"key:%012d\") datasize={args.datasize} "
           f"loader={args.loader}")
    report()
    hdr = f"{'config':<23} {'baseline MiB':>12} {'loaded MiB':>11} {'load s':>7} {'bytes/key':>10}"
    report(hdr)
    report("-" * len(hdr))
    for cfg in ("redis", "shoal-N"):
        r = results.get(cfg)
        if r is None:
            report(f"{CONFIG_LABEL[cfg]:<23} {'FAILED':>12}")
            continue
        report(f"{CONFIG_LABEL[cfg]:<23} {r['baseline'] / mib:>12.1f} {r['loaded'] / mib:>11.1f} "
               f"{r['load_s']:>7.1f} {r['per_key']:>10.1f}")
    report()
    report("Targets:")
    name = f"shoal bytes/key <= {MEMORY_MAX_RATIO:.1f}x redis"
    if "redis" in results and "shoal-N" in results and results["redis"]["per_key"] > 0:
        ratio = results["shoal-N"]["per_key"] / results["redis"]["per_key"]
        ok = ratio <= MEMORY_MAX_RATIO
        report(f"  [{'PASS' if ok else 'FAIL'}] {name}: {ratio:.3f}x "
               f"({results['shoal-N']['per_key']:.1f} vs {results['redis']['per_key']:.1f} B/key)")
    else:
        report(f"  [n/a ] {name} (missing or invalid measurement)")
    report()


# --------------------------------------------------------------------------
# Collection types: throughput of their commands, memory of big and small collections

TYPE_TESTS = ("LPUSH", "LPOP", "SADD", "HSET", "ZADD")
# redis-benchmark has no ZRANGE test: a custom command over the ZADD test's key.
ZRANGE_COMMAND = ("zrange", "myzset", "0", "9", "withscores")
TYPES_MIN_RATIO = 1.0  # shoal --shards 1 ops/s vs redis
SMALL_MEMORY_MAX_RATIO = 0.9  # shoal bytes/element vs redis, collections in small keys
PROBES = {"LPUSH": ("LPUSH", "probe:l", "x"), "LPOP": ("LPOP", "probe:l"),
          "SADD": ("SADD", "probe:s", "x"), "HSET": ("HSET", "probe:h", "f", "x"),
          "ZADD": ("ZADD", "probe:z", "1", "x"), "ZRANGE": ("ZRANGE", "probe:z", "0", "1")}


def supported_by(port, name):
    """Whether the server implements the command the test `name` uses."""
    try:
        reply = resp_command(port, *PROBES[name], timeout=10)
    except OSError:
        return False
    return not (isinstance(reply, RuntimeError) and str(reply).startswith("ERR unknown command"))


def types_mode(args, factory, report, errors):
    configs = ["redis", "shoal-1"]
    samples = {}
    skipped = set()
    for rnd in range(args.rounds):
        for p in PIPELINES:
            for cfg in configs:
                log(f"types: round {rnd + 1} P={p} {CONFIG_LABEL[cfg]}")
                try:
                    srv = factory.start(cfg)
                except BenchError as e:
                    note_error(errors, e)
                    continue
                try:
                    if cfg != "redis":
                        skipped |= {t for t in PROBES if not supported_by(srv.port, t)}
                    tests = tuple(t for t in TYPE_TESTS if t not in skipped)
                    rows = run_benchmark(args, srv, p, tests) if tests else {}
                    if "ZADD" in tests and "ZRANGE" not in skipped:
                        rows.update(run_benchmark(args, srv, p, ("ZRANGE",), ZRANGE_COMMAND))
                except BenchError as e:
                    note_error(errors, e)
                    continue
                finally:
                    factory.stop(srv)
                for t, row in rows.items():
                    samples.setdefault((t, p, cfg), []).append(row)

    report("## Collection types throughput (redis-benchmark -t lpush,lpop,sadd,hset,zadd; "
           "zrange myzset 0 9 withscores)")
    report()
    report(f"clients={args.clients} requests={args.requests} keyspace={args.keyspace} "
           f"rounds={args.rounds}; shoal --shards 1 against redis")
    if skipped:
        report(f"not implemented in shoal yet (skipped): {', '.join(sorted(skipped))}")
    report()
    hdr = f"{'test':<7} {'P':>3} {'redis ops/s':>12} {'shoal ops/s':>12} {'ratio':>7} " \
          f"{'redis p99':>9} {'shoal p99':>9}"
    report(hdr)
    report("-" * len(hdr))
    verdicts = []
    for t in TYPE_TESTS + ("ZRANGE",):
        for p in PIPELINES:
            base, m = (samples.get((t, p, c)) for c in configs)
            if not base or not m:
                continue
            b = {k: statistics.median(x[k] for x in base) for k in ("rps", "p99")}
            v = {k: statistics.median(x[k] for x in m) for k in ("rps", "p99")}
            ratio = v["rps"] / b["rps"] if b["rps"] > 0 else 0.0
            report(f"{t:<7} {p:>3} {b['rps']:>12,.0f} {v['rps']:>12,.0f} {ratio:>6.2f}x "
                   f"{b['p99']:>9.3f} {v['p99']:>9.3f}")
            verdicts.append((f"shards=1 {t} P={p}: ops/s >= {TYPES_MIN_RATIO:.1f}x redis",
                             ratio >= TYPES_MIN_RATIO, f"{ratio:.3f}x"))
    report()
    report("Targets:")
    for name, ok, value in verdicts:
        report(f"  [{'PASS' if ok else 'FAIL'}] {name}: {value}")
    report()


def one_big_key(command, key, elements, element):
    """`elements` elements into one key, 1000 per command; element(i) -> list of args."""
    def batches():
        for start in range(0, elements, 1000):
            args = [a for i in range(start, min(start + 1000, elements)) for a in element(i)]
            yield resp(command, key, *args)
    return batches, (elements + 999) // 1000


def small_keys(command, keys, per_key, element):
    """`keys` keys of `per_key` elements each, one command per key."""
    def batches():
        for start in range(0, keys, LOAD_BATCH):
            yield b"".join(resp(command, b"k:%09d" % k,
                                *[a for i in range(per_key) for a in element(k * per_key + i)])
                           for k in range(start, min(start + LOAD_BATCH, keys)))
    return batches, keys


def type_memory_cases(args):
    n, keys, per = args.type_elements, args.small_keys, 10
    field = lambda i: [b"f:%09d" % i, b"v:%07d" % (i % 10**7)]  # noqa: E731
    member = lambda i: [b"m:%09d" % i]  # noqa: E731
    scored = lambda i: [b"%d" % i, b"m:%09d" % i]  # noqa: E731
    return [
        ("HSET", f"hash, {n} fields in one key", False, n, one_big_key("HSET", "h", n, field)),
        ("SADD", f"set, {n} members in one key", False, n, one_big_key("SADD", "s", n, member)),
        ("ZADD", f"zset, {n} members in one key", False, n, one_big_key("ZADD", "z", n, scored)),
        ("HSET", f"hash, {keys} keys x {per} fields", True, keys * per,
         small_keys("HSET", keys, per, field)),
        ("SADD", f"set, {keys} keys x {per} members", True, keys * per,
         small_keys("SADD", keys, per, member)),
        ("ZADD", f"zset, {keys} keys x {per} members", True, keys * per,
         small_keys("ZADD", keys, per, scored)),
    ]


def types_memory_mode(args, factory, report, errors):
    results = {}
    cases = type_memory_cases(args)
    for cfg in ("redis", "shoal-N"):
        for command, label, _, elements, (batches, replies) in cases:
            try:
                srv = factory.start(cfg)
            except BenchError as e:
                note_error(errors, e)
                continue
            try:
                if not supported_by(srv.port, command):
                    results[(label, cfg)] = None
                    continue
                log(f"types memory: {CONFIG_LABEL[cfg]}: {label}")
                baseline = read_rss_bytes(srv.pid)
                load_with_pipe(args, srv, args.load_timeout or 600, batches(), replies)
                time.sleep(1.0)
                results[(label, cfg)] = (read_rss_bytes(srv.pid) - baseline) / elements
            except BenchError as e:
                note_error(errors, e)
            finally:
                factory.stop(srv)

    report("## Collection types memory (RSS growth per element)")
    report()
    hdr = f"{'case':<36} {'redis B/elem':>12} {'shoal B/elem':>12} {'ratio':>7}"
    report(hdr)
    report("-" * len(hdr))
    verdicts = []
    for _, label, small, _, _ in cases:
        r, sh = results.get((label, "redis")), results.get((label, "shoal-N"))
        if r is None or sh is None:
            report(f"{label:<36} {'n/a' if r is None else f'{r:.1f}':>12} "
                   f"{'not implemented' if (label, 'shoal-N') in results else 'FAILED':>12}")
            continue
        ratio = sh / r if r > 0 else 0.0
        report(f"{label:<36} {r:>12.1f} {sh:>12.1f} {ratio:>6.2f}x")
        if small:
            verdicts.append((f"{label}: shoal <= {SMALL_MEMORY_MAX_RATIO:.1f}x redis",
                             ratio <= SMALL_MEMORY_MAX_RATIO, f"{ratio:.3f}x"))
    report()
    report("Targets:")
    for name, ok, value in verdicts:
        report(f"  [{'PASS' if ok else 'FAIL'}] {name}: {value}")
    report()


# --------------------------------------------------------------------------
# Setup, machine info, docs


def ensure_anchors(need_cli):
    needed = ["redis-server", "redis-benchmark"] + (["redis-cli"] if need_cli else [])
    missing = [b for b in needed if shutil.which(b) is None]
    if not missing:
        return
    log(f"missing {', '.join(missing)}; installing redis-server redis-tools with apt-get")
    if os.geteuid() != 0:
        raise BenchError(f"{', '.join(missing)} not found and not root; run "
                         "`apt-get install -y redis-server redis-tools` first")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "redis-server", "redis-tools"]
    res = run_cmd(cmd, timeout=900, check=False, env=env)
    if res.returncode != 0:
        log("apt-get install failed; running apt-get update and retrying")
        run_cmd(["apt-get", "update"], timeout=900, env=env)
        run_cmd(cmd, timeout=900, env=env)
    still = [b for b in needed if shutil.which(b) is None]
    if still:
        raise BenchError(f"still missing after apt-get install: {', '.join(still)}")


def git_commit():
    try:
        res = run_cmd(["git", "-C", REPO_ROOT, "rev-parse", "--short=12", "HEAD"], check=False)
        if res.returncode != 0:
            return "unknown (no commit)"
        commit = res.stdout.strip()
        st = run_cmd(["git", "-C", REPO_ROOT, "status", "--porcelain", "--untracked-files=no"],
                     check=False)
        if st.returncode == 0 and st.stdout.strip():
            commit += " (dirty)"
        return commit
    except BenchError:
        return "unknown (git unavailable)"


def machine_info(args):
    def first_line(argv):
        try:
            res = run_cmd(argv, check=False)
            return (res.stdout or res.stderr).strip().splitlines()[0]
        except (BenchError, IndexError):
            return "unknown"

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return [
        ("date", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")),
        ("nproc", first_line(["nproc"])),
        ("loadavg", " ".join(f"{x:.2f}" for x in os.getloadavg()) + " (at start)"),
        ("cpu", cpu),
        ("kernel", f"{platform.system()} {platform.release()} {platform.machine()}"),
        ("redis-server", first_line([args.redis_server, "--version"])),
        ("redis-benchmark", first_line([args.redis_benchmark, "--version"])),
        ("shoal commit", git_commit()),
        ("shoal binary", os.path.relpath(args.shoal, REPO_ROOT)
         if args.shoal.startswith(REPO_ROOT + os.sep) else args.shoal),
    ]


DOCS_HEADER = """\
# Benchmarks: shoal-server vs redis-server

This file is generated by `bench/redis_compare.py`; do not edit the results by
hand. It compares `shoal-server` side by side with Debian's `redis-server`
(the anchor) on the same machine in the same run:

- **throughput**: `redis-benchmark -t set,get` at pipeline 1 and 16 against
  redis, shoal `--shards 1` and shoal with its default shard count, run
  alternately so machine noise hits all of them; every measurement uses a
  freshly started server.
- **memory**: RSS growth per key after loading N distinct 16-byte keys with
  fixed-size values into redis and shoal (default shards).
- **types**: `redis-benchmark -t lpush,lpop,sadd,hset,zadd` and
  `zrange myzset 0 9 withscores` at pipeline 1 and 16, redis against shoal
  `--shards 1`.
- **types-memory**: RSS growth per element for one big hash, set and sorted set
  and for many small ones (10 elements per key).

To regenerate (as root on Debian; the script installs redis-server and
redis-tools if they are missing):

```sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build/release --target shoal-server
/usr/bin/python3 bench/redis_compare.py --write-docs
```

Numbers from small or busy machines are noisy; compare ratios, not absolute
values, and only between runs on the same machine. See `bench/README.md` for
the options.
"""


def write_docs(args, info, report_text, argv):
    lines = [DOCS_HEADER, "## Latest run", ""]
    for k, v in info:
        lines.append(f"- {k}: `{v}`")
    lines.append(f"- command: `{shlex.join(['bench/redis_compare.py'] + argv)}`")
    lines += ["", "```text", report_text.rstrip("\n"), "```", ""]
    os.makedirs(os.path.dirname(DOCS_PATH), exist_ok=True)
    tmp = DOCS_PATH + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines))
    os.replace(tmp, DOCS_PATH)
    log(f"wrote {DOCS_PATH}")


# --------------------------------------------------------------------------


def positive_int(s):
    v = int(s)
    if v <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0: {s}")
    return v


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="Benchmark shoal-server side by side with redis-server.")
    ap.add_argument("--shoal", default=DEFAULT_SHOAL,
                    help=f"shoal-server binary (default: {DEFAULT_SHOAL}, relative to the repo root)")
    ap.add_argument("--mode", choices=("throughput", "memory", "types", "types-memory", "all"),
                    default="all")
    ap.add_argument("--type-elements", type=positive_int, default=1000000,
                    help="types-memory: elements in the one-big-key cases (default 1000000)")
    ap.add_argument("--small-keys", type=positive_int, default=100000,
                    help="types-memory: keys in the small-keys cases (default 100000)")
    ap.add_argument("--requests", type=positive_int, default=1000000,
                    help="redis-benchmark -n (default 1000000)")
    ap.add_argument("--keyspace", type=positive_int, default=1000000,
                    help="redis-benchmark -r and number of keys loaded in memory mode (default 1000000)")
    ap.add_argument("--clients", type=positive_int, default=50, help="redis-benchmark -c (default 50)")
    ap.add_argument("--datasize", type=positive_int, default=100,
                    help="value size in bytes (default 100)")
    ap.add_argument("--rounds", type=positive_int, default=1,
                    help="throughput rounds; the table shows medians (default 1)")
    ap.add_argument("--bench-threads", type=int, default=0,
                    help="redis-benchmark --threads (default: not passed, single-threaded client)")
    ap.add_argument("--loader", choices=("pipe", "redis-py"), default="pipe",
                    help="memory mode loader: redis-cli --pipe (default) or redis-py pipelines")
    ap.add_argument("--bench-timeout", type=float, default=0,
                    help="seconds per redis-benchmark run (default 120 + requests/2000)")
    ap.add_argument("--load-timeout", type=float, default=0,
                    help="seconds for loading the keyspace (default 120 + keyspace/5000)")
    ap.add_argument("--write-docs", action="store_true",
                    help="rewrite docs/benchmarks.md with this run's output and machine info")
    args = ap.parse_args(argv)
    if not os.path.isabs(args.shoal):
        cand = os.path.join(REPO_ROOT, args.shoal)
        # The default is relative to the repo root; an explicit relative path
        # given on the command line is taken relative to the cwd if it exists there.
        if args.shoal == DEFAULT_SHOAL or not os.path.exists(args.shoal):
            args.shoal = cand
        else:
            args.shoal = os.path.abspath(args.shoal)
    return args


def main(argv):
    args = parse_args(argv)
    report = Report()
    errors = []
    tmpdir = None

    def on_sigterm(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGHUP, on_sigterm)
    try:
        if not (os.path.isfile(args.shoal) and os.access(args.shoal, os.X_OK)):
            raise BenchError(f"shoal-server not found or not executable: {args.shoal} "
                             "(build it, or pass --shoal PATH)")
        ensure_anchors(need_cli=args.mode in ("memory", "types-memory", "all"))
        args.redis_server = shutil.which("redis-server")
        args.redis_benchmark = shutil.which("redis-benchmark")
        args.redis_cli = shutil.which("redis-cli") or "redis-cli"

        info = machine_info(args)
        report("# shoal-server vs redis-server")
        report()
        for k, v in info:
            report(f"{k + ':':<17}{v}")
        report()
        report.body_start = len(report.lines)

        tmpdir = tempfile.mkdtemp(prefix="shoal-bench-")
        factory = ServerFactory(args.redis_server, args.shoal, tmpdir)
        if args.mode in ("throughput", "all"):
            throughput_mode(args, factory, report, errors)
        if args.mode in ("memory", "all"):
            memory_mode(args, factory, report, errors)
        if args.mode in ("types", "all"):
            types_mode(args, factory, report, errors)
        if args.mode in ("types-memory", "all"):
            types_memory_mode(args, factory, report, errors)

        if errors:
            report(f"ERRORS ({len(errors)}): some measurements are missing, see stderr")
            log(f"{len(errors)} error(s):")
            for e in errors:
                log(f"  - {e.splitlines()[0]}")
            if args.write_docs:
                log("not writing docs/benchmarks.md because of errors")
            return 1
        if args.write_docs:
            write_docs(args, info, report.body(), argv)
        return 0
    except BenchError as e:
        log(f"ERROR: {e}")
        return 1
    except KeyboardInterrupt:
        log("interrupted; stopping servers")
        return 130
    finally:
        stop_all_servers()
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
