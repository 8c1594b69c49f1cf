"""maxmemory and eviction policies.

Each test starts its own server with a small --maxmemory and writes several times more data
than fits. Shoal accounts the bytes of its entries (value bytes included), so with values of
VALUE bytes a database can never hold more than maxmemory / VALUE keys (plus one per shard:
the limit is checked before a write).
"""
import os

import pytest

from resp_helpers import Err

OOM = Err("OOM command not allowed when used memory > 'maxmemory'.")
MAXMEMORY = 1 << 20  # 1mb
VALUE = 1000
CAPACITY = MAXMEMORY // VALUE  # an upper bound on the number of keys that fit

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("SHOAL_IT_AGAINST_REDIS")),
    reason="memory accounting is Shoal's own; Redis counts its whole heap")


def start(factory, policy, shards=2):
    return factory("--maxmemory", "1mb", "--maxmemory-policy", policy, shards=shards)


def pipeline(c, commands):
    """Sends all commands in one write, returns the replies in order."""
    c.send(b"".join(_enc(cmd) for cmd in commands))
    return [c.read_reply() for _ in commands]


def _enc(cmd):
    from resp_helpers import encode_command
    return encode_command(*cmd)


def write_keys(c, prefix, n, *opts, batch=500):
    replies = []
    for start_i in range(0, n, batch):
        cmds = [("SET", f"{prefix}:{i}", b"x" * VALUE, *opts)
                for i in range(start_i, min(n, start_i + batch))]
        replies += pipeline(c, cmds)
    return replies


def info_evicted_keys(c):
    """evicted_keys from INFO stats, or None while INFO is not implemented."""
    reply = c.cmd("INFO", "stats")
    if isinstance(reply, Err):
        assert "unknown command" in reply.msg, reply
        return None
    text = reply.decode() if isinstance(reply, bytes) else str(reply)
    for line in text.splitlines():
        if line.startswith("evicted_keys:"):
            return int(line.split(":", 1)[1])
    raise AssertionError("INFO stats has no evicted_keys")


# ---------------------------------------------------------------- noeviction

def test_noeviction_refuses_writes_but_serves_reads(shoal_factory):
    s = start(shoal_factory, "noeviction")
    with s.raw() as c:
        replies = write_keys(c, "k", 3 * CAPACITY)
        assert set(replies) <= {"OK", OOM}
        assert OOM in replies
        stored = c.cmd("DBSIZE")
        assert 0 < stored <= CAPACITY + 2
        assert replies.count("OK") == stored
        # writes that may grow memory are refused
        assert c.cmd("SET", "new", "v") == OOM or c.cmd("SET", "new2", "v") == OOM
        full = [f"k:{i}" for i, r in enumerate(replies) if r == "OK"]
        # find a key on a full shard: a write to it must be refused
        refused = [i for i, r in enumerate(replies) if r == OOM]
        victim = f"k:{refused[-1]}"
        for cmd in (["SET", victim, "v"], ["APPEND", victim, "v"], ["INCR", victim],
                    ["SETNX", victim, "v"], ["MSET", victim, "v", "other", "v"],
                    ["MSETNX", victim, "v"], ["SETRANGE", victim, 0, "v"],
                    ["GETSET", victim, "v"], ["INCRBYFLOAT", victim, "1"]):
            assert c.cmd(*cmd) == OOM, cmd
        # reads and non-growing writes keep working
        assert c.cmd("GET", full[0]) == b"x" * VALUE
        assert len(c.cmd("MGET", *full[:50])) == 50
        assert c.cmd("EXISTS", *full) == len(full)
        assert c.cmd("STRLEN", full[0]) == VALUE
        assert c.cmd("TTL", full[0]) == -1
        assert c.cmd("EXPIRE", full[0], 1000) == 1
        assert len(c.cmd("KEYS", "k:*")) == len(full)
        assert c.cmd("PING") == "PONG"
        # deleting makes room again
        assert c.cmd("DEL", *full) == len(full)
        assert c.cmd("SET", victim, "v") == "OK"
        assert c.cmd("MSET", "a", "1", "b", "2") == "OK"


def test_noeviction_is_the_default_policy(shoal_factory):
    s = shoal_factory("--maxmemory", "1mb", shards=2)
    with s.raw() as c:
        replies = write_keys(c, "k", 2 * CAPACITY)
        assert OOM in replies
        assert c.cmd("DBSIZE") <= CAPACITY + 2


# ---------------------------------------------------------------- evicting policies

@pytest.mark.parametrize("policy", ["allkeys-lru", "allkeys-lfu", "allkeys-random"])
def test_allkeys_policies_keep_memory_bounded(shoal_factory, policy):
    s = start(shoal_factory, policy)
    with s.raw() as c:
        replies = write_keys(c, "k", 6 * CAPACITY)
        assert replies == ["OK"] * len(replies), set(replies)
        n = c.cmd("DBSIZE")
        assert CAPACITY // 4 <= n <= CAPACITY + 2, n
        # the most recent write is always there (eviction happens before the write)
        assert c.cmd("GET", f"k:{6 * CAPACITY - 1}") == b"x" * VALUE
        ev = info_evicted_keys(c)
        assert ev is None or ev >= 6 * CAPACITY - n


@pytest.mark.parametrize("policy", ["volatile-lru", "volatile-lfu", "volatile-random",
                                    "volatile-ttl"])
def test_volatile_policies_evict_only_keys_with_ttl(shoal_factory, policy):
    s = start(shoal_factory, policy)
    with s.raw() as c:
        persistent = [f"keep:{i}" for i in range(100)]
        assert pipeline(c, [("SET", k, b"p" * VALUE) for k in persistent]) == ["OK"] * 100
        replies = write_keys(c, "vol", 6 * CAPACITY, "EX", 100000)
        assert replies == ["OK"] * len(replies), set(replies)
        n = c.cmd("DBSIZE")
        assert n <= CAPACITY + 2
        assert c.cmd("EXISTS", *persistent) == 100  # never evicted
        assert c.cmd("MGET", *persistent[:3]) == [b"p" * VALUE] * 3
        assert n > 100


@pytest.mark.parametrize("policy", ["volatile-lru", "volatile-lfu", "volatile-random",
                                    "volatile-ttl"])
def test_volatile_policies_without_volatile_keys_refuse_writes(shoal_factory, policy):
    s = start(shoal_factory, policy)
    with s.raw() as c:
        replies = write_keys(c, "k", 3 * CAPACITY)
        assert OOM in replies
        assert set(replies) <= {"OK", OOM}
        n = c.cmd("DBSIZE")
        assert n == replies.count("OK") and n <= CAPACITY + 2
        # once the persistent keys are gone, writes succeed again
        c.cmd("FLUSHALL")
        assert c.cmd("SET", "k", "v", "EX", 100) == "OK"


def test_volatile_ttl_evicts_nearest_deadline_first(shoal_factory):
    s = start(shoal_factory, "volatile-ttl")
    with s.raw() as c:
        far = [f"far:{i}" for i in range(20)]
        assert pipeline(c, [("SET", k, b"f" * VALUE, "EX", 10_000_000) for k in far]) == [
            "OK"] * 20
        assert write_keys(c, "near", 6 * CAPACITY, "EX", 1000) == ["OK"] * (6 * CAPACITY)
        # a far key is evicted only if all sampled keys were far keys: practically never
        assert c.cmd("EXISTS", *far) == 20


def test_allkeys_lfu_keeps_frequently_used_keys(shoal_factory):
    s = start(shoal_factory, "allkeys-lfu")
    with s.raw() as c:
        hot = [f"hot:{i}" for i in range(20)]
        pipeline(c, [("SET", k, b"h" * VALUE) for k in hot])
        for _ in range(300):
            pipeline(c, [("GET", k) for k in hot])
        assert min(c.cmd("OBJECT", "FREQ", k) for k in hot) >= 8
        assert write_keys(c, "cold", 6 * CAPACITY) == ["OK"] * (6 * CAPACITY)
        assert c.cmd("EXISTS", *hot) == 20


def test_eviction_across_databases_and_four_shards(shoal_factory):
    s = start(shoal_factory, "allkeys-random", shards=4)
    with s.raw() as c:
        for db in (0, 3):
            c.cmd("SELECT", db)
            assert write_keys(c, f"db{db}", 3 * CAPACITY) == ["OK"] * (3 * CAPACITY)
        total = 0
        for db in (0, 3):
            c.cmd("SELECT", db)
            total += c.cmd("DBSIZE")
        assert total <= CAPACITY + 4


def test_big_values_and_mset_under_eviction(shoal_factory):
    s = start(shoal_factory, "allkeys-lru")
    with s.raw() as c:
        big = b"B" * (200 * 1024)
        for i in range(40):  # 8 MB through a 1 MB server
            assert c.cmd("SET", f"big:{i}", big) == "OK"
            assert c.cmd("GET", f"big:{i}") == big  # nothing ran in between
            assert c.cmd("MSET", f"m:{i}:a", b"y" * VALUE, f"m:{i}:b", b"z" * VALUE) == "OK"
        assert c.cmd("DBSIZE") <= CAPACITY + 2


def test_evicted_keys_in_info(shoal_factory):
    s = start(shoal_factory, "allkeys-random")
    with s.raw() as c:
        if info_evicted_keys(c) is None:
            pytest.skip("INFO is not implemented yet")
        before = info_evicted_keys(c)
        write_keys(c, "k", 4 * CAPACITY)
        n = c.cmd("DBSIZE")
        assert info_evicted_keys(c) - before == 4 * CAPACITY - n


# ---------------------------------------------------------------- accounting

def fill_count(c, prefix):
    """How many VALUE-byte keys fit (noeviction) before the first OOM."""
    replies = write_keys(c, prefix, 3 * CAPACITY)
    assert OOM in replies
    return replies.count("OK")


def test_memory_accounting_returns_to_baseline(shoal_factory):
    """Every write path gives its bytes back: after heavy churn through each command and
    deleting everything, as many keys fit as on the fresh server."""
    from resp_helpers import wait_until

    s = start(shoal_factory, "noeviction")
    with s.raw() as c:
        before = fill_count(c, "fresh")
        assert c.cmd("FLUSHALL") == "OK"
        v = b"v" * 2000
        for i in range(30):
            k, k2 = f"a{i}", f"b{i}"
            assert c.cmd("SET", k, v) == "OK"
            assert c.cmd("SET", k, v[:100]) == "OK"            # shrink in place
            assert c.cmd("APPEND", k, v) == 2100                  # grow
            assert c.cmd("SETRANGE", k, 3000, b"x" * 10) == 3010
            assert c.cmd("GETSET", k, "123") == b"v" * 100 + v + b"\x00" * 900 + b"x" * 10
            assert c.cmd("INCR", k) == 124                        # int encoding
            assert c.cmd("APPEND", k, v[:50]) == 53               # back to a string
            assert c.cmd("INCRBYFLOAT", k2, "1.5") == b"1.5"
            assert c.cmd("RENAME", k, k2) == "OK"                 # across shards, often
            assert c.cmd("COPY", k2, k, "DB", 3) == 1
            assert c.cmd("MOVE", k2, 5) == 1
            assert c.cmd("SETEX", f"e{i}", 1000, v) == "OK"
            assert c.cmd("PSETEX", f"x{i}", 1, v) == "OK"         # expires on its own
            assert c.cmd("MSET", f"m{i}", v, f"n{i}", v) == "OK"
            assert c.cmd("GETDEL", f"m{i}") == v
            payload = c.cmd("DUMP", f"n{i}")
            assert c.cmd("RESTORE", f"n{i}", 0, payload, "REPLACE") == "OK"
            assert c.cmd("RESTORE", f"r{i}", 0, payload) == "OK"
            assert c.cmd("UNLINK", f"r{i}") == 1
        assert c.cmd("SWAPDB", 0, 3) == "OK"
        assert c.cmd("DEL", *[f"a{i}" for i in range(30)]) == 30  # the COPYs, now in db 0
        c.cmd("SELECT", 3)  # db 0's keys since the SWAPDB
        assert c.cmd("DEL", *[f"e{i}" for i in range(30)]) == 30
        assert c.cmd("DEL", *[f"n{i}" for i in range(30)]) == 30
        wait_until(lambda: c.cmd("DBSIZE") == 0, 15, what="the PSETEX keys to expire")
        c.cmd("SELECT", 5)
        assert c.cmd("DEL", *[f"b{i}" for i in range(30)]) == 30
        for db in range(16):
            c.cmd("SELECT", db)
            assert c.cmd("DBSIZE") == 0, db
        c.cmd("SELECT", 0)
        after = fill_count(c, "again")
        assert after >= before * 0.97, f"only {after} keys fit after the churn, {before} before"
