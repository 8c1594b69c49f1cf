"""INFO, CONFIG, COMMAND, CLIENT and SLOWLOG against a real shoal-server, compared with a real
redis-server (Debian's 7.0) wherever the reply is deterministic.

Self-contained: the module starts its own servers (no conftest fixtures), each on a free
loopback port, and stops them by PID. SHOAL_SERVER names the binary (default
build/release/src/server/shoal-server under the repository root).
"""

import os
import pty
import select
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest
import redis

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHOAL_SERVER = os.environ.get(
    "SHOAL_SERVER", os.path.join(REPO_ROOT, "build", "release", "src", "server", "shoal-server"))
SHARDS = 2


# ---------------------------------------------------------------------------------------------
# Servers


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_ping(port, proc, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {proc.returncode}")
        try:
            if redis.Redis(port=port, socket_timeout=1).ping():
                return
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not answer PING")


def stop(proc):
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


class Server:
    def __init__(self, proc, port):
        self.proc = proc
        self.port = port

    def client(self, **kwargs):
        return redis.Redis(port=self.port, socket_timeout=10, **kwargs)


@pytest.fixture(scope="module")
def shoal():
    if not os.access(SHOAL_SERVER, os.X_OK):
        pytest.skip(f"no shoal-server at {SHOAL_SERVER} (set SHOAL_SERVER)")
    port = free_port()
    proc = subprocess.Popen(
        [SHOAL_SERVER, "--bind", "127.0.0.1", "--port", str(port), "--shards", str(SHARDS),
         "--loglevel", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_ping(port, proc)
        yield Server(proc, port)
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def reference():
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_ping(port, proc)
        yield Server(proc, port)
    finally:
        stop(proc)


@pytest.fixture
def r(shoal):
    client = shoal.client()
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def restore_config(shoal, reference):
    """Puts back every parameter a test changes, on both servers."""
    names = ["maxmemory", "maxmemory-policy", "maxmemory-samples", "hz",
             "slowlog-log-slower-than", "slowlog-max-len"]
    saved = {}
    for server in (shoal, reference):
        c = server.client()
        saved[server.port] = {n: c.config_get(n)[n] for n in names}
        c.close()
    yield
    for server in (shoal, reference):
        c = server.client()
        for n, v in saved[server.port].items():
            c.config_set(n, v)
        c.client_unpause()
        c.close()


# ---------------------------------------------------------------------------------------------
# A raw RESP connection: byte-exact replies, RESP3, and connections the test kills.


class Raw:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.file = self.sock.makefile("rb")

    def send(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)

    def raw_reply(self):
        return _read_raw(self.file)

    def reply(self):
        return _parse(self.file)

    def call(self, *args):
        self.send(*args)
        return self.reply()

    def call_raw(self, *args):
        self.send(*args)
        return self.raw_reply()

    def is_closed(self, timeout=5.0):
        """True once the server has closed the connection (EOF or reset)."""
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False

    def close(self):
        self.file.close()
        self.sock.close()


def _read_raw(f):
    line = f.readline()
    if not line:
        raise EOFError("connection closed")
    kind, out = line[:1], line
    if kind in b"$=!":
        n = int(line[1:-2])
        if n >= 0:
            out += f.read(n + 2)
    elif kind in b"*~>":
        for _ in range(max(int(line[1:-2]), 0)):
            out += _read_raw(f)
    elif kind == b"%":
        for _ in range(2 * int(line[1:-2])):
            out += _read_raw(f)
    return out


class Err(str):
    pass


def _parse(f):
    line = f.readline()
    if not line:
        raise EOFError("connection closed")
    kind, body = line[:1], line[1:-2]
    if kind == b"+":
        return body.decode()
    if kind == b"-":
        return Err(body.decode())
    if kind == b":":
        return int(body)
    if kind in b"$=":
        n = int(body)
        if n < 0:
            return None
        data = f.read(n + 2)[:-2]
        return data[4:] if kind == b"=" else data
    if kind == b"_":
        return None
    if kind in b"*~>":
        n = int(body)
        return None if n < 0 else [_parse(f) for _ in range(n)]
    if kind == b"%":
        return {_key(_parse(f)): _parse(f) for _ in range(int(body))}
    raise AssertionError(f"unexpected reply line {line!r}")


def _key(k):
    return k.decode() if isinstance(k, bytes) else k


def error_of(server, *args):
    """The error text a server replies to `args` (fails when it does not reply an error)."""
    c = server.client()
    try:
        with pytest.raises(redis.exceptions.ResponseError) as e:
            c.execute_command(*args)
        return str(e.value)
    finally:
        c.close()


def info_text(server, *sections):
    """The raw INFO text (redis-py parses INFO into a dict)."""
    c = Raw(server.port)
    try:
        return c.call("INFO", *sections).decode()
    finally:
        c.close()


def same_error(shoal, reference, *args):
    assert error_of(shoal, *args) == error_of(reference, *args), args


# ---------------------------------------------------------------------------------------------
# INFO


def test_info_default_parses_with_key_fields(r, shoal):
    info = r.info()
    assert info["redis_version"].startswith("7.")
    assert info["redis_mode"] == "standalone"
    assert info["tcp_port"] == shoal.port
    assert info["process_id"] == shoal.proc.pid
    assert info["arch_bits"] == 64
    assert len(info["run_id"]) == 40
    assert info["uptime_in_seconds"] >= 0 and info["uptime_in_days"] == 0
    assert info["shoal_shards"] == SHARDS
    assert info["executable"].endswith("shoal-server")
    assert info["connected_clients"] >= 1
    assert info["blocked_clients"] == 0
    assert info["maxclients"] == 10000
    assert info["used_memory"] > 0
    assert info["used_memory_rss"] > 0
    assert info["used_memory_peak"] >= info["used_memory"]
    assert info["maxmemory"] == 0 and info["maxmemory_human"] == "0B"
    assert info["maxmemory_policy"] == "noeviction"
    assert isinstance(info["mem_fragmentation_ratio"], float)
    assert info["loading"] == 0 and info["aof_enabled"] == 0
    assert info["total_connections_received"] >= 1
    assert info["total_commands_processed"] >= 1
    for field in ("instantaneous_ops_per_sec", "rejected_connections", "expired_keys",
                  "evicted_keys", "keyspace_hits", "keyspace_misses"):
        assert isinstance(info[field], int), field
    assert info["role"] == "master" and info["connected_slaves"] == 0
    assert info["cluster_enabled"] == 0
    assert isinstance(info["used_cpu_user"], float)


def test_info_format_and_sections(r, shoal, reference):
    text = info_text(shoal)
    assert text.startswith("# Server\r\n")
    assert text.endswith("\r\n")
    blocks = text.rstrip("\r\n").split("\r\n\r\n")
    headers = [b.split("\r\n")[0] for b in blocks]
    assert headers == ["# Server", "# Clients", "# Memory", "# Persistence", "# Stats",
                       "# Replication", "# CPU", "# Cluster", "# Keyspace"]
    for block in blocks:
        for line in block.split("\r\n")[1:]:
            assert ":" in line, line
    # The same order as Redis (which has a few more sections).
    ref = info_text(reference, "everything")
    ref_headers = [l for l in ref.split("\r\n") if l.startswith("# ")]
    assert [h for h in ref_headers if h in headers] == headers

    server_only = r.info("server")
    assert "redis_version" in server_only and "connected_clients" not in server_only
    two = info_text(shoal, "CLIENTS", "memory")
    assert two.startswith("# Clients\r\n") and "\r\n\r\n# Memory\r\n" in two
    assert "# Server" not in two
    for word in ("all", "everything", "default"):
        assert info_text(shoal, word).split("\r\n")[0] == "# Server"
    assert info_text(shoal, "nosuchsection") == ""
    assert info_text(reference, "nosuchsection") == ""


def test_info_keyspace_counts_over_shards(r):
    pipe = r.pipeline(transaction=False)
    for i in range(1000):
        if i % 10 == 0:
            pipe.set(f"key:{i}", "v", ex=1000)
        else:
            pipe.set(f"key:{i}", "v")
    pipe.execute()
    r.execute_command("SELECT", 3)
    r.set("other", "1")
    r.execute_command("SELECT", 0)
    # Many clients see the same totals, whatever shard they landed on.
    for _ in range(4):
        ks = redis.Redis(port=r.connection_pool.connection_kwargs["port"]).info("keyspace")
        assert ks["db0"]["keys"] == 1000
        assert ks["db0"]["expires"] == 100
        assert 900 * 1000 <= ks["db0"]["avg_ttl"] <= 1000 * 1000
        assert ks["db3"] == {"keys": 1, "expires": 0, "avg_ttl": 0}
        assert "db1" not in ks
    assert r.dbsize() == 1000


def test_info_stats_counters(r):
    before = r.info("stats")
    r.set("a", "1")
    r.get("a")
    r.get("a")
    r.get("missing")
    r.set("short", "1", px=1)
    time.sleep(0.05)
    assert r.get("short") is None
    after = r.info("stats")
    assert after["keyspace_hits"] - before["keyspace_hits"] >= 2
    assert after["keyspace_misses"] - before["keyspace_misses"] >= 2
    assert after["expired_keys"] - before["expired_keys"] >= 1
    assert after["total_commands_processed"] - before["total_commands_processed"] >= 7


def test_info_used_memory_grows(r):
    before = r.info("memory")["used_memory_dataset"]
    pipe = r.pipeline(transaction=False)
    for i in range(2000):
        pipe.set(f"mem:{i}", "x" * 100)
    pipe.execute()
    after = r.info("memory")
    assert after["used_memory_dataset"] - before > 2000 * 100
    assert after["used_memory"] >= after["used_memory_dataset"]


# ---------------------------------------------------------------------------------------------
# CONFIG


def test_config_get_set_roundtrip(r, restore_config):
    assert r.config_set("maxmemory", "10mb")
    assert r.config_get("maxmemory") == {"maxmemory": "10485760"}
    assert r.config_set("maxmemory-samples", 7, "hz", 20)
    got = r.config_get("maxmemory-samples")
    assert got == {"maxmemory-samples": "7"}
    assert r.config_get("hz") == {"hz": "20"}
    # Several patterns, glob patterns, no duplicates.
    flat = r.execute_command("CONFIG", "GET", "maxmemory*", "maxmemory", "hz")
    names = [n.decode() for n in flat[::2]]
    assert {"maxmemory", "maxmemory-policy", "maxmemory-samples", "hz"} <= set(names)
    assert len(names) == len(set(names))
    assert r.config_get("nosuchparameter") == {}
    # hz is clamped to [1, 500] as Redis does.
    r.config_set("hz", 0)
    assert r.config_get("hz") == {"hz": "1"}
    r.config_set("hz", 100000)
    assert r.config_get("hz") == {"hz": "500"}


def test_config_get_matches_redis(shoal, reference):
    for args in (("maxmemory-policy",), ("MAXMEMORY",), ("slowlog-max-len",),
                 ("slowlog-log-slower-than",), ("maxclients",), ("save",), ("appendonly",)):
        assert (shoal.client().execute_command("CONFIG", "GET", *args) ==
                reference.client().execute_command("CONFIG", "GET", *args)), args


def test_config_get_resp3_is_a_map(shoal, reference):
    replies = []
    for server in (shoal, reference):
        c = Raw(server.port)
        c.call("HELLO", "3")
        replies.append(c.call_raw("CONFIG", "GET", "maxmemory-policy"))
        c.close()
    assert replies[0] == replies[1] == b"%1\r\n$16\r\nmaxmemory-policy\r\n$10\r\nnoeviction\r\n"


def test_config_errors_match_redis(shoal, reference, restore_config):
    for args in (
        ("CONFIG", "SET", "nosuch", "1"),
        ("CONFIG", "SET", "databases", "3"),
        ("CONFIG", "SET", "maxmemory", "abc"),
        ("CONFIG", "SET", "maxmemory", "-1"),
        ("CONFIG", "SET", "maxmemory", "1", "maxmemory", "2"),
        ("CONFIG", "SET", "maxmemory"),
        ("CONFIG", "SET", "maxmemory", "1", "hz"),
        ("CONFIG", "SET", "maxmemory", "1", "hz", "10", "maxmemory-policy"),
        ("CONFIG", "SET", "maxmemory-policy", "bogus"),
        ("CONFIG", "SET", "maxmemory-samples", "0"),
        ("CONFIG", "SET", "hz", "abc"),
        ("CONFIG", "SET", "loglevel", "bogus"),
        ("CONFIG", "SET", "maxclients", "0"),
        ("CONFIG", "SET", "active-expire-effort", "11"),
        ("CONFIG", "SET", "proto-max-bulk-len", "1k"),
        ("CONFIG", "SET", "slowlog-log-slower-than", "-2"),
        ("CONFIG", "SET", "slowlog-max-len", "abc"),
        ("CONFIG", "GET"),
        ("CONFIG",),
        ("CONFIG", "NOSUCH"),
        ("CONFIG", "RESETSTAT", "x"),
        ("CONFIG", "REWRITE"),
    ):
        same_error(shoal, reference, *args)


def test_persistence_settings_are_reported_as_off(r, restore_config):
    assert r.config_set("save", "")
    assert r.config_set("appendonly", "no")
    for name, value in (("save", "900 1"), ("appendonly", "yes")):
        with pytest.raises(redis.exceptions.ResponseError, match="not supported"):
            r.config_set(name, value)
    assert r.config_get("save") == {"save": ""}


def test_redis_benchmark_reads_the_config(shoal):
    """redis-benchmark asks CONFIG GET save/appendonly and warns when the answer is missing."""
    out = subprocess.run(["redis-benchmark", "-p", str(shoal.port), "-t", "ping", "-n", "100",
                          "-q"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    assert "Could not fetch server CONFIG" not in out.stdout + out.stderr


def test_config_set_is_atomic(r, restore_config):
    r.config_set("maxmemory", "5mb")
    with pytest.raises(redis.exceptions.ResponseError):
        r.config_set("maxmemory", "7mb", "maxmemory-policy", "bogus")
    assert r.config_get("maxmemory") == {"maxmemory": str(5 * 1024 * 1024)}
    assert r.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}


def test_config_set_policy_visible_in_info(r, restore_config):
    r.config_set("maxmemory-policy", "ALLKEYS-LRU", "maxmemory", "100mb")
    info = r.info("memory")
    assert info["maxmemory_policy"] == "allkeys-lru"
    assert info["maxmemory"] == 100 * 1024 * 1024
    assert info["maxmemory_human"] == "100.00M"


def test_config_resetstat_zeroes_counters(r):
    r.set("a", "1")
    for _ in range(5):
        r.get("a")
        r.get("missing")
    r.set("gone", "1", px=1)
    time.sleep(0.05)
    r.get("gone")
    stats = r.info("stats")
    assert stats["keyspace_hits"] >= 5 and stats["keyspace_misses"] >= 5
    assert stats["expired_keys"] >= 1
    assert r.config_resetstat()
    stats = r.info("stats")
    assert stats["keyspace_hits"] == 0
    assert stats["keyspace_misses"] == 0
    assert stats["expired_keys"] == 0
    assert stats["evicted_keys"] == 0
    assert stats["total_connections_received"] == 0
    assert stats["total_commands_processed"] <= 2  # the INFO itself
    assert r.info("keyspace")["db0"]["keys"] == 1  # data is untouched


def test_config_help(r):
    lines = r.execute_command("CONFIG", "HELP")
    assert lines[0].startswith(b"CONFIG <subcommand>")
    assert b"RESETSTAT" in lines and b"HELP" in lines


# ---------------------------------------------------------------------------------------------
# COMMAND


def command_call(server, *args):
    """A COMMAND subcommand over a raw connection (redis-py parses every COMMAND reply as the
    full COMMAND table)."""
    c = Raw(server.port)
    try:
        return c.call("COMMAND", *args)
    finally:
        c.close()


def test_command_count_equals_command(r, shoal):
    table = r.command()
    assert r.command_count() == len(table)
    assert len(command_call(shoal, "LIST")) == len(table)
    for name in ("get", "set", "info", "config", "command", "client", "slowlog", "ping"):
        assert name in table, name
    assert table["get"]["arity"] == 2
    assert table["get"]["flags"] == ["readonly", "fast"]


def test_command_info_of_every_command(r, shoal):
    table = r.command()
    names = [n.decode() for n in command_call(shoal, "LIST")]
    assert sorted(names) == sorted(table)
    replies = command_call(shoal, "INFO", *names)
    assert len(replies) == len(names)
    for name, entry in zip(names, replies):
        assert entry[0].decode() == name
        assert entry[1] == table[name]["arity"], name
        assert len(entry) == 10
        first, last, step = entry[3], entry[4], entry[5]
        assert (first, last, step) == (table[name]["first_key_pos"], table[name]["last_key_pos"],
                                       table[name]["step_count"])
        if first > 0:
            assert len(entry[8]) == 1  # one key spec
        else:
            assert entry[8] == []
        assert entry[6] and all(c.startswith("@") for c in entry[6]), name
    assert command_call(shoal, "INFO", "nosuchcommand") == [None]


def test_command_info_matches_redis(shoal, reference):
    # Commands whose Redis entry has no tips and plain RO/access key flags (Shoal's table
    # derives key-spec flags from the command flags).
    for name in ("get", "getrange"):
        replies = []
        for server in (shoal, reference):
            c = Raw(server.port)
            replies.append(c.call_raw("COMMAND", "INFO", name))
            c.close()
        assert replies[0] == replies[1], name


def test_command_getkeys(r, shoal, reference):
    assert r.command_getkeys("mset", "a", "1", "b", "2") == ["a", "b"]
    assert r.command_getkeys("get", "k") == ["k"]
    assert command_call(shoal, "GETKEYS", "mget", "x", "y", "z") == [b"x", b"y", b"z"]
    assert command_call(shoal, "GETKEYSANDFLAGS", "get", "x") == [[b"x", ["RO", "access"]]]
    for args in (
        ("COMMAND", "GETKEYS", "nosuch", "x"),
        ("COMMAND", "GETKEYS", "ping", "x"),
        ("COMMAND", "GETKEYS", "mset", "a"),
        ("COMMAND", "GETKEYS", "get"),
        ("COMMAND", "GETKEYS"),
        ("COMMAND", "COUNT", "x"),
        ("COMMAND", "NOSUCH"),
        ("COMMAND", "LIST", "FILTERBY", "nosuch", "x"),
        ("COMMAND", "LIST", "FILTERBY", "pattern"),
    ):
        same_error(shoal, reference, *args)
    for server in (shoal, reference):
        assert command_call(server, "GETKEYS", "mset", "a", "1", "c", "2") == [b"a", b"c"]


def test_command_docs_and_list(r, shoal):
    docs = command_call(shoal, "DOCS", "get", "nosuch")
    assert docs[0] == b"get" and len(docs) == 2
    fields = dict(zip(docs[1][::2], docs[1][1::2]))
    assert fields[b"group"] == b"string" and fields[b"since"] == b"1.0.0"
    assert fields[b"summary"]
    all_docs = command_call(shoal, "DOCS")
    assert len(all_docs) == 2 * r.command_count()
    by_pattern = command_call(shoal, "LIST", "FILTERBY", "PATTERN", "get*")
    assert b"get" in by_pattern and b"getrange" in by_pattern and b"set" not in by_pattern
    by_cat = command_call(shoal, "LIST", "FILTERBY", "ACLCAT", "string")
    assert b"get" in by_cat and b"ping" not in by_cat
    assert command_call(shoal, "LIST", "FILTERBY", "ACLCAT", "nosuch") == []
    assert command_call(shoal, "LIST", "FILTERBY", "MODULE", "x") == []
    assert command_call(shoal, "HELP")[0].startswith("COMMAND <subcommand>")


# ---------------------------------------------------------------------------------------------
# CLIENT


def test_client_setname_getname_id_list(shoal, reference):
    c = shoal.client(single_connection_client=True)
    assert c.client_getname() is None
    assert c.client_setname("worker-1")
    assert c.client_getname() == "worker-1"
    my_id = c.client_id()
    assert my_id > 0
    mine = [e for e in c.client_list() if int(e["id"]) == my_id]
    assert len(mine) == 1
    entry = mine[0]
    assert entry["name"] == "worker-1"
    assert entry["cmd"] == "client|list"
    assert entry["flags"] == "N" and entry["db"] == "0" and entry["resp"] == "2"
    assert entry["laddr"] == f"127.0.0.1:{shoal.port}"
    # Every field Redis 7.0 reports is there, in the same order.
    ref = reference.client(single_connection_client=True)
    ref_keys = list(ref.client_list()[0].keys())
    keys = list(entry.keys())
    assert keys[:len(ref_keys)] == ref_keys
    info = c.client_info()
    assert int(info["id"]) == my_id and info["cmd"] == "client|info"
    assert c.client_list(_type="normal")
    assert c.client_list(_type="pubsub") == []
    # The name can be cleared; invalid names are refused as Redis refuses them.
    assert c.client_setname("")
    assert c.client_getname() is None
    same_error(shoal, reference, "CLIENT", "SETNAME", "a b")
    same_error(shoal, reference, "CLIENT", "SETNAME", "a\nb")
    c.close()
    ref.close()


def test_client_list_by_id_and_last_command(shoal):
    a = shoal.client(single_connection_client=True)
    b = shoal.client(single_connection_client=True)
    a_id, b_id = a.client_id(), b.client_id()
    b.get("some-key")
    listed = a.client_list(client_id=[str(b_id)])
    assert [int(e["id"]) for e in listed] == [b_id]
    assert listed[0]["cmd"] == "get"
    both = a.execute_command("CLIENT", "LIST", "ID", a_id, b_id).decode().splitlines()
    assert len(both) == 2
    assert a.execute_command("CLIENT", "LIST", "ID", 999999999) == b""
    a.client_no_evict("on")
    assert a.client_info()["flags"] == "e"
    a.client_no_evict("off")
    assert a.execute_command("CLIENT", "SETINFO", "LIB-NAME", "shoal-test") == b"OK"
    assert a.execute_command("CLIENT", "SETINFO", "lib-ver", "1.2") == b"OK"
    info = a.client_info()
    assert info["lib-name"] == "shoal-test" and info["lib-ver"].strip() == "1.2"
    with pytest.raises(redis.exceptions.ResponseError, match="Unrecognized option"):
        a.execute_command("CLIENT", "SETINFO", "nosuch", "x")
    a.close()
    b.close()


def test_client_kill_other_connections_on_every_shard(shoal):
    killer = shoal.client(single_connection_client=True)
    # Connections are spread over the shards round-robin: 2 * SHARDS covers all of them.
    victims = [Raw(shoal.port) for _ in range(2 * SHARDS)]
    ids = [v.call("CLIENT", "ID") for v in victims]
    before = killer.info("clients")["connected_clients"]
    for victim, vid in zip(victims, ids):
        assert killer.client_kill_filter(_id=vid) == 1
        assert victim.is_closed()
        victim.close()
    deadline = time.monotonic() + 5
    while killer.info("clients")["connected_clients"] > before - len(victims):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    # The old form by address.
    victim = Raw(shoal.port)
    victim.call("PING")
    addr = [e["addr"] for e in killer.client_list()
            if e["addr"] == "127.0.0.1:%d" % victim.sock.getsockname()[1]][0]
    assert killer.execute_command("CLIENT", "KILL", addr) == b"OK"
    assert victim.is_closed()
    victim.close()
    assert killer.client_kill_filter(_id=999999999) == 0
    killer.close()


def test_client_kill_self_and_skipme(shoal, reference):
    for server in (shoal, reference):
        c = Raw(server.port)
        my_id = c.call("CLIENT", "ID")
        # SKIPME yes (the default) spares the caller.
        assert c.call("CLIENT", "KILL", "ID", my_id) == 0
        assert c.call("CLIENT", "KILL", "ID", my_id, "SKIPME", "no") == 1
        assert c.is_closed()
        c.close()


def test_client_errors_match_redis(shoal, reference):
    for args in (
        ("CLIENT", "NOSUCH"),
        ("CLIENT",),
        ("CLIENT", "KILL", "1.2.3.4:5"),
        ("CLIENT", "KILL", "ID", "abc"),
        ("CLIENT", "KILL", "ID", "0"),
        ("CLIENT", "KILL", "ID", "5", "SKIPME"),
        ("CLIENT", "KILL", "SKIPME", "maybe"),
        ("CLIENT", "KILL", "TYPE", "bogus"),
        ("CLIENT", "KILL", "USER", "nosuchuser"),
        ("CLIENT", "KILL", "bogus", "x"),
        ("CLIENT", "KILL"),
        ("CLIENT", "LIST", "TYPE", "bogus"),
        ("CLIENT", "LIST", "ID", "abc"),
        ("CLIENT", "LIST", "ID"),
        ("CLIENT", "LIST", "bogus"),
        ("CLIENT", "PAUSE"),
        ("CLIENT", "PAUSE", "abc"),
        ("CLIENT", "PAUSE", "-1"),
        ("CLIENT", "PAUSE", "10", "bogus"),
        ("CLIENT", "PAUSE", "10", "WRITE", "extra"),
        ("CLIENT", "REPLY", "bogus"),
        ("CLIENT", "NO-EVICT", "bogus"),
        ("CLIENT", "SETNAME"),
        ("CLIENT", "ID", "extra"),
        ("CLIENT", "UNPAUSE", "extra"),
    ):
        same_error(shoal, reference, *args)
    for server in (shoal, reference):
        c = server.client()
        assert c.execute_command("CLIENT", "KILL", "LADDR", "1.1.1.1:1") == 0
        assert c.execute_command("CLIENT", "KILL", "USER", "default", "ID", "999999") == 0
        c.close()


def test_client_pause_write_holds_writes_not_reads(shoal, restore_config):
    admin = shoal.client(single_connection_client=True)
    writer = shoal.client(single_connection_client=True)
    reader = shoal.client(single_connection_client=True)
    reader.set("k", "before")
    events = []
    lock = threading.Lock()

    def record(what):
        with lock:
            events.append(what)

    pause_ms = 1500
    start = time.monotonic()
    assert admin.client_pause(pause_ms, all=False)
    deadline = start + pause_ms / 1000.0

    def write():
        writer.set("k", "after")
        record(("set", time.monotonic()))

    t = threading.Thread(target=write)
    t.start()
    time.sleep(0.2)  # the SET has been sent and is held
    assert reader.get("k") == b"before"  # reads go on during a WRITE pause
    record(("get", time.monotonic()))
    assert reader.info("server")["redis_version"]
    t.join(timeout=10)
    assert not t.is_alive()
    assert [e[0] for e in events] == ["get", "set"]
    # The SET completed only once the pause was over (server clock granularity allowed).
    assert events[1][1] >= deadline - 0.05
    assert reader.get("k") == b"after"
    admin.close()
    writer.close()
    reader.close()


def test_client_unpause_releases_held_commands(shoal, restore_config):
    admin = shoal.client(single_connection_client=True)
    writer = shoal.client(single_connection_client=True)
    assert admin.client_pause(60000, all=True)
    done = threading.Event()

    def write():
        writer.set("released", "1")
        done.set()

    t = threading.Thread(target=write)
    t.start()
    assert not done.wait(0.3)
    assert admin.client_unpause()
    assert done.wait(10)
    t.join()
    assert writer.get("released") == b"1"
    admin.close()
    writer.close()


def test_client_reply_modes_match_redis(shoal, reference):
    script = [
        ("CLIENT", "REPLY", "OFF"), ("SET", "rk", "1"), ("GET", "rk"),
        ("CLIENT", "REPLY", "ON"), ("GET", "rk"),
        ("CLIENT", "REPLY", "SKIP"), ("SET", "rk", "2"), ("GET", "rk"),
        ("CLIENT", "REPLY", "SKIP"), ("CLIENT", "REPLY", "ON"), ("PING",),
        ("CLIENT", "REPLY", "SKIP"), ("PING",), ("ECHO", "last"),
    ]
    outputs = []
    for server in (shoal, reference):
        c = Raw(server.port)
        for cmd in script:
            c.send(*cmd)
        got = [c.raw_reply() for _ in range(6)]
        outputs.append(got)
        c.sock.settimeout(0.3)
        with pytest.raises(socket.timeout):  # nothing more was sent
            c.file.peek(1)
        c.close()
    # REPLY ON clears a pending SKIP, so its +OK is sent (as Redis).
    assert outputs[0] == [b"+OK\r\n", b"$1\r\n1\r\n", b"$1\r\n2\r\n", b"+OK\r\n", b"+PONG\r\n",
                          b"$4\r\nlast\r\n"]
    assert outputs[0] == outputs[1]


def test_client_help(r):
    lines = r.execute_command("CLIENT", "HELP")
    assert lines[0].startswith(b"CLIENT <subcommand>")
    assert b"HELP" in lines


# ---------------------------------------------------------------------------------------------
# SLOWLOG


def test_slowlog_records_commands(shoal, restore_config):
    c = shoal.client(single_connection_client=True)
    c.client_setname("slowpoke")
    c.config_set("slowlog-log-slower-than", 0)
    c.config_set("slowlog-max-len", 128)
    assert c.slowlog_reset()
    for i in range(20):  # keys on every shard
        c.set(f"slow:{i}", i)
    entries = c.execute_command("SLOWLOG", "GET", "-1")
    ids = [e[0] for e in entries]
    assert ids == sorted(ids, reverse=True)  # newest first
    sets = [e for e in entries if e[3][0].lower() == b"set"]
    assert len(sets) == 20
    assert [e[3][1] for e in sets] == [f"slow:{i}".encode() for i in reversed(range(20))]
    for e in sets:
        assert len(e) == 6
        assert e[1] >= int(time.time()) - 60 and e[2] >= 0
        assert e[4].startswith(b"127.0.0.1:")
        assert e[5] == b"slowpoke"
    assert len(c.execute_command("SLOWLOG", "GET")) == 10  # the default count
    assert len(c.execute_command("SLOWLOG", "GET", "3")) == 3
    assert c.slowlog_len() >= 21
    parsed = c.slowlog_get(1)
    assert parsed[0]["command"].lower() == b"slowlog len"  # the newest before this GET
    c.slowlog_reset()
    assert c.slowlog_len() == 1  # the RESET itself, as Redis
    # -1 disables the log.
    c.config_set("slowlog-log-slower-than", -1)
    c.slowlog_reset()
    c.set("x", "1")
    assert c.slowlog_len() == 0
    c.close()


def test_slowlog_max_len(shoal, restore_config):
    c = shoal.client(single_connection_client=True)
    c.config_set("slowlog-log-slower-than", 0, "slowlog-max-len", 5)
    for i in range(30):
        c.get(f"maxlen:{i}")
    assert c.slowlog_len() == 5
    assert len(c.execute_command("SLOWLOG", "GET", "-1")) == 5
    c.close()


def test_slowlog_entries_match_redis(shoal, reference, restore_config):
    many = [str(i) for i in range(40)]
    long_value = "x" * 200
    got = []
    for server in (shoal, reference):
        c = server.client(single_connection_client=True)
        c.config_set("slowlog-log-slower-than", 0)
        c.slowlog_reset()
        c.execute_command("MSET", *many)
        c.set("long", long_value)
        c.execute_command("CONFIG", "SET", "requirepass", "", "maxmemory", "0")
        try:
            c.execute_command("AUTH", "secret")
        except redis.exceptions.ResponseError:
            pass
        entries = c.execute_command("SLOWLOG", "GET", "4")
        got.append([e[3] for e in entries])
        c.close()
    assert got[0] == got[1]
    assert got[0][3][-1] == b"... (10 more arguments)"
    assert got[0][2][2].endswith(b"... (72 more bytes)")
    assert got[0][1][3] == b"(redacted)"
    assert got[0][0] == [b"AUTH", b"(redacted)"]


def test_slowlog_errors_match_redis(shoal, reference):
    for args in (
        ("SLOWLOG",),
        ("SLOWLOG", "NOSUCH"),
        ("SLOWLOG", "GET", "-2"),
        ("SLOWLOG", "GET", "abc"),
        ("SLOWLOG", "GET", "1", "2"),
        ("SLOWLOG", "LEN", "x"),
    ):
        same_error(shoal, reference, *args)
    help_lines = shoal.client().execute_command("SLOWLOG", "HELP")
    assert help_lines == reference.client().execute_command("SLOWLOG", "HELP")


# ---------------------------------------------------------------------------------------------
# redis-cli


def test_redis_cli_info_server(shoal):
    cli = shutil.which("redis-cli")
    if cli is None:
        pytest.skip("redis-cli is not installed")
    out = subprocess.run([cli, "-p", str(shoal.port), "info", "server"], capture_output=True,
                         text=True, timeout=20, check=True).stdout
    assert out.startswith("# Server")
    assert "redis_version:" in out and f"tcp_port:{shoal.port}" in out


def test_redis_cli_interactive_session(shoal):
    """redis-cli in interactive mode (it sends COMMAND DOCS first) runs commands."""
    cli = shutil.which("redis-cli")
    if cli is None:
        pytest.skip("redis-cli is not installed")
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "dumb"  # linenoise then reads plain lines
        os.execv(cli, [cli, "-p", str(shoal.port)])
    try:
        os.write(fd, b"set cli-key hello\r\nget cli-key\r\ncommand count\r\n")
        out = b""
        deadline = time.monotonic() + 20
        while b"(integer)" not in out and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    out += os.read(fd, 65536)
                except OSError:
                    break
        assert b"OK" in out and b'"hello"' in out and b"(integer)" in out, out
        os.write(fd, b"quit\r\n")
    finally:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
