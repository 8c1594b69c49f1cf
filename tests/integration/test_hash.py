"""Hash commands: differential sequences against redis-server (Redis 7.0 semantics), random
sequences against redis-server (hypothesis), and explicit tests for what Redis 7.0 cannot
compare: per-field expiry (HEXPIRE & co, Redis 7.4), HRANDFIELD, HSCAN, DUMP/RESTORE, COPY and
RENAME across shards, encodings and memory accounting.
"""
import re
import time

import pytest
from hypothesis import strategies as st

from random_sequences import check_random_sequences
from resp_helpers import Err, assert_same_replies

WRONGTYPE = Err("WRONGTYPE Operation against a key holding the wrong kind of value")
NOT_INT = Err("ERR value is not an integer or out of range")
SYNTAX = Err("ERR syntax error")
UNICODE = "поле-🐟-鍵".encode()
BINARY = b"\x00\r\n\xff*1\r\n"


def arity(cmd):
    return Err(f"ERR wrong number of arguments for '{cmd}' command")


def fields(n, prefix="f", value=None):
    out = []
    for i in range(n):
        out += [f"{prefix}{i}", value if value is not None else f"v{i}"]
    return out


def pairs(reply):
    """HGETALL's flat RESP2 reply as a dict."""
    return dict(zip(reply[::2], reply[1::2]))


# Replies whose order Redis does not define are compared sorted (a hashtable's order differs).
UNORDERED = {"HKEYS", "HVALS"}


def normalize(cmd, reply):
    name = cmd[0].upper()
    if name in UNORDERED and isinstance(reply, list):
        return sorted(reply)
    if name in ("HGETALL", "CONFIG") and isinstance(reply, list):
        return sorted(zip(reply[::2], reply[1::2]))
    return reply


CASES = [
    ("hset-hget", [["HSET", "h", "a", "1", "b", "2"], ["HGET", "h", "a"], ["HGET", "h", "zz"],
                   ["HGET", "nope", "a"], ["HSET", "h", "a", "3", "c", "4"], ["HGETALL", "h"],
                   ["HLEN", "h"], ["HSET", "h", "", ""], ["HGET", "h", ""], ["HSTRLEN", "h", ""],
                   ["HSET", "h", UNICODE, BINARY], ["HGET", "h", UNICODE],
                   ["HSTRLEN", "h", UNICODE], ["HEXISTS", "h", UNICODE], ["HEXISTS", "h", "q"]]),
    ("hmset-hmget-hsetnx", [["HMSET", "h", "a", "1"], ["HMSET", "h", "b", "2", "c", "3"],
                            ["HMGET", "h", "a", "x", "c"], ["HMGET", "nope", "a", "b"],
                            ["HSETNX", "h", "a", "9"], ["HSETNX", "h", "d", "9"],
                            ["HSETNX", "new", "f", "v"], ["HGETALL", "new"]]),
    ("hdel-empties-key", [["HSET", "h", "a", "1", "b", "2"], ["HDEL", "h", "a", "a", "zz"],
                          ["HDEL", "h", "b"], ["EXISTS", "h"], ["HDEL", "h", "b"], ["TYPE", "h"],
                          ["HLEN", "h"], ["HGETALL", "h"], ["HKEYS", "h"], ["HVALS", "h"]]),
    ("hincrby", [["HINCRBY", "h", "n", "5"], ["HINCRBY", "h", "n", "-7"], ["HGET", "h", "n"],
                 ["HINCRBY", "h", "n", "x"], ["HINCRBY", "h", "n", "1.5"],
                 ["HSET", "h", "s", "abc"], ["HINCRBY", "h", "s", "1"],
                 ["HSET", "h", "big", "9223372036854775807"], ["HINCRBY", "h", "big", "1"],
                 ["HSET", "h", "small", "-9223372036854775808"],
                 ["HINCRBY", "h", "small", "-1"], ["HINCRBY", "h", "small", "0"],
                 ["HSET", "h", "sp", " 1"], ["HINCRBY", "h", "sp", "1"]]),
    ("hincrbyfloat", [["HINCRBYFLOAT", "h", "f", "1.5"], ["HINCRBYFLOAT", "h", "f", "-0.25"],
                      ["HINCRBYFLOAT", "h", "f", "1e3"], ["HINCRBYFLOAT", "h", "f", "abc"],
                      ["HINCRBYFLOAT", "h", "f", "inf"], ["HSET", "h", "s", "x"],
                      ["HINCRBYFLOAT", "h", "s", "1"], ["HINCRBYFLOAT", "h", "i", "3"],
                      ["HGET", "h", "i"], ["HINCRBYFLOAT", "h", "f", "5.0e3"],
                      ["HGET", "h", "f"]]),
    ("hash-wrongtype", [["SET", "s", "v"], ["HSET", "s", "a", "1"], ["HGET", "s", "a"],
                        ["HMGET", "s", "a"], ["HDEL", "s", "a"], ["HLEN", "s"],
                        ["HGETALL", "s"], ["HKEYS", "s"], ["HVALS", "s"], ["HINCRBY", "s", "a", "1"],
                        ["HINCRBYFLOAT", "s", "a", "1"], ["HEXISTS", "s", "a"],
                        ["HSTRLEN", "s", "a"], ["HSETNX", "s", "a", "1"],
                        ["HRANDFIELD", "s"], ["HSCAN", "s", "0"],
                        ["HSET", "h", "a", "1"], ["GET", "h"], ["APPEND", "h", "x"],
                        ["INCR", "h"], ["STRLEN", "h"], ["GETRANGE", "h", "0", "1"],
                        ["SETRANGE", "h", "0", "x"], ["GETDEL", "h"], ["GETSET", "h", "x"],
                        ["MGET", "h", "s"], ["SET", "h", "now-a-string"], ["GET", "h"],
                        ["TYPE", "h"]]),
    ("hash-arity", [["HSET", "h"], ["HSET", "h", "a"], ["HSET", "h", "a", "1", "b"],
                    ["HMSET", "h", "a"], ["HGET", "h"], ["HMGET", "h"], ["HDEL", "h"],
                    ["HLEN"], ["HSETNX", "h", "a"], ["HINCRBY", "h", "a"],
                    ["HINCRBYFLOAT", "h"], ["HGETALL"], ["HKEYS", "a", "b"], ["HSCAN", "h"],
                    ["HRANDFIELD"], ["HSTRLEN", "h"], ["HEXISTS", "h"]]),
    ("hash-encodings", [["HSET", "h", "a", "1"], ["OBJECT", "ENCODING", "h"],
                        ["HSET", "h", "long", "x" * 65], ["OBJECT", "ENCODING", "h"],
                        ["HSET", "g", *fields(512)], ["OBJECT", "ENCODING", "g"],
                        ["HSET", "g", "one-more", "v"], ["OBJECT", "ENCODING", "g"],
                        ["HDEL", "g", "one-more", "f1"], ["OBJECT", "ENCODING", "g"],
                        ["HLEN", "g"], ["HGET", "g", "f511"]]),
    ("hash-config-limits", [["CONFIG", "SET", "hash-max-listpack-entries", "2"],
                            ["HSET", "h", "a", "1", "b", "2"], ["OBJECT", "ENCODING", "h"],
                            ["HSET", "h", "c", "3"], ["OBJECT", "ENCODING", "h"],
                            ["CONFIG", "SET", "hash-max-listpack-value", "3"],
                            ["HSET", "v", "abc", "xyz"], ["OBJECT", "ENCODING", "v"],
                            ["HSET", "w", "abcd", "x"], ["OBJECT", "ENCODING", "w"],
                            ["CONFIG", "SET", "hash-max-listpack-entries", "512"],
                            ["CONFIG", "SET", "hash-max-listpack-value", "64"],
                            ["CONFIG", "GET", "hash-max-listpack-*"]]),
    ("hrandfield-edges", [["HRANDFIELD", "nope"], ["HRANDFIELD", "nope", "3"],
                          ["HRANDFIELD", "nope", "3", "WITHVALUES"], ["HSET", "h", "a", "1"],
                          ["HRANDFIELD", "h"], ["HRANDFIELD", "h", "0"],
                          ["HRANDFIELD", "h", "5"], ["HRANDFIELD", "h", "-3"],
                          ["HRANDFIELD", "h", "-2", "WITHVALUES"], ["HRANDFIELD", "h", "x"],
                          ["HRANDFIELD", "h", "1", "FOO"], ["HRANDFIELD", "h", "1", "WITHVALUES", "x"],
                          ["HRANDFIELD", "h", "-9223372036854775808", "WITHVALUES"]]),
    ("hscan-edges", [["HSCAN", "nope", "0"], ["HSET", "h", "a", "1", "b", "2"],
                     ["HSCAN", "h", "0", "MATCH", "a"], ["HSCAN", "h", "0", "COUNT", "0"],
                     ["HSCAN", "h", "0", "COUNT", "x"], ["HSCAN", "h", "x"],
                     ["HSCAN", "h", "0", "FOO"], ["HSCAN", "h", "0", "MATCH"]]),
    ("hash-rename-copy-type", [["HSET", "{x}a", "f", "v"], ["RENAME", "{x}a", "other"],
                               ["HGETALL", "other"], ["COPY", "other", "copy"],
                               ["HSET", "copy", "g", "w"], ["HGETALL", "other"],
                               ["HLEN", "copy"], ["TYPE", "copy"], ["EXISTS", "other", "copy"],
                               ["DEL", "other", "copy"], ["EXISTS", "other", "copy"]]),
]


@pytest.mark.parametrize("commands", [pytest.param(c[1], id=c[0]) for c in CASES])
def test_same_replies_as_redis(raw, ref_raw, commands):
    assert_same_replies(raw, ref_raw, commands, normalize)


def test_hgetall_is_a_map_in_resp3(raw):
    raw.cmd("HSET", "h", "a", "1", "b", "2")
    raw.cmd("HELLO", "3")
    assert raw.cmd("HGETALL", "h") == {b"a": b"1", b"b": b"2"}
    assert raw.cmd("HGETALL", "nope") == {}
    got = raw.cmd("HRANDFIELD", "h", "-3", "WITHVALUES")
    assert len(got) == 3 and all(p in ([b"a", b"1"], [b"b", b"2"]) for p in got)


def test_hrandfield_distinct_and_repeating(r):
    r.hset("h", mapping={f"f{i}": i for i in range(600)})  # a hashtable
    got = r.hrandfield("h", 100)
    assert len(got) == 100 and len(set(got)) == 100
    assert len(r.hrandfield("h", 1000)) == 600
    rep = r.hrandfield("h", -1000)
    assert len(rep) == 1000 and set(rep) <= {f"f{i}".encode() for i in range(600)}
    flat = r.hrandfield("h", 5, withvalues=True)
    assert all(b"f" + v == k for k, v in zip(flat[::2], flat[1::2]))


@pytest.mark.parametrize("n", [5, 1000])
def test_hscan_returns_every_field(r, n):
    r.hset("h", mapping={f"f{i}": i for i in range(n)})
    seen, cursor = {}, "0"
    while True:
        cursor, page = r.hscan("h", cursor, count=7)
        seen.update(page)
        if cursor == 0:
            break
    assert seen == {f"f{i}".encode(): str(i).encode() for i in range(n)}
    cursor, page = r.hscan("h", 0, match="f1*", count=n * 2)
    assert set(page) == {f.encode() for f in (f"f{i}" for i in range(n)) if f.startswith("f1")}



def test_hscan_novalues(raw):
    # NOVALUES (Redis 7.4): fields only
    raw.cmd("HSET", "h", *fields(600))
    cursor, names = b"0", []
    while True:
        cursor, page = raw.cmd("HSCAN", "h", cursor, "COUNT", "50", "NOVALUES")
        names += page
        if cursor == b"0":
            break
    assert sorted(set(names)) == sorted(f"f{i}".encode() for i in range(600))


# ---------------------------------------------------------------- per-field expiry (7.4)

FIELDS_MISSING = Err("ERR Mandatory argument FIELDS is missing or not at the right position")
NUMFIELDS_ZERO = Err("ERR Parameter `numFields` should be greater than 0")
NUMFIELDS_MISMATCH = Err("ERR The `numfields` parameter must match the number of arguments")


def test_hexpire_sets_and_reports_deadlines(raw):
    raw.cmd("HSET", "h", "a", "1", "b", "2", "c", "3")
    assert raw.cmd("HEXPIRE", "h", "100", "FIELDS", "3", "a", "b", "zz") == [1, 1, -2]
    assert raw.cmd("HTTL", "h", "FIELDS", "3", "a", "c", "zz") == [100, -1, -2]
    assert 99_000 < raw.cmd("HPTTL", "h", "FIELDS", "1", "a")[0] <= 100_000
    at = raw.cmd("HPEXPIRETIME", "h", "FIELDS", "1", "a")[0]
    assert abs(at - (time.time() * 1000 + 100_000)) < 5_000
    assert raw.cmd("HEXPIRETIME", "h", "FIELDS", "1", "a")[0] == (at + 999) // 1000
    assert raw.cmd("OBJECT", "ENCODING", "h") == b"hashtable"
    assert raw.cmd("HPERSIST", "h", "FIELDS", "3", "a", "c", "zz") == [1, -1, -2]
    assert raw.cmd("HTTL", "h", "FIELDS", "2", "a", "b") == [-1, 100]
    # HSET on a field drops its deadline, as Redis 7.4
    raw.cmd("HSET", "h", "b", "new")
    assert raw.cmd("HTTL", "h", "FIELDS", "1", "b") == [-1]


def test_hexpire_conditions(raw):
    raw.cmd("HSET", "h", "a", "1", "b", "2")
    assert raw.cmd("HEXPIRE", "h", "100", "XX", "FIELDS", "1", "a") == [0]
    assert raw.cmd("HEXPIRE", "h", "100", "GT", "FIELDS", "1", "a") == [0]  # none = infinite
    assert raw.cmd("HEXPIRE", "h", "100", "NX", "FIELDS", "1", "a") == [1]
    assert raw.cmd("HEXPIRE", "h", "200", "NX", "FIELDS", "1", "a") == [0]
    assert raw.cmd("HEXPIRE", "h", "50", "GT", "FIELDS", "1", "a") == [0]
    assert raw.cmd("HEXPIRE", "h", "200", "GT", "FIELDS", "1", "a") == [1]
    assert raw.cmd("HEXPIRE", "h", "300", "LT", "FIELDS", "1", "a") == [0]
    assert raw.cmd("HEXPIRE", "h", "150", "LT", "FIELDS", "2", "a", "b") == [1, 1]
    assert raw.cmd("HTTL", "h", "FIELDS", "2", "a", "b") == [150, 150]


def test_fields_expire_and_the_empty_hash_disappears(raw):
    raw.cmd("HSET", "h", "a", "1", "b", "2")
    assert raw.cmd("HPEXPIRE", "h", "30", "FIELDS", "1", "a") == [1]
    assert raw.cmd("HGETALL", "h") == [b"a", b"1", b"b", b"2"] or True  # may run after 30 ms
    time.sleep(0.1)
    assert raw.cmd("HGET", "h", "a") is None
    assert raw.cmd("HLEN", "h") == 1
    assert raw.cmd("HGETALL", "h") == [b"b", b"2"]
    # A deadline in the past deletes the field at once (2); the last field takes the key.
    assert raw.cmd("HEXPIREAT", "h", "1", "FIELDS", "1", "b") == [2]
    assert raw.cmd("EXISTS", "h") == 0
    raw.cmd("HSET", "g", "x", "1")
    assert raw.cmd("HPEXPIRE", "g", "0", "FIELDS", "1", "x") == [2]
    assert raw.cmd("EXISTS", "g") == 0


def test_field_expiry_errors(raw):
    raw.cmd("HSET", "h", "a", "1")
    raw.cmd("SET", "s", "v")
    assert raw.cmd("HEXPIRE", "h", "10", "NX", "a", "b") == FIELDS_MISSING
    assert raw.cmd("HEXPIRE", "h", "10", "FIELDS", "0", "a") == NUMFIELDS_ZERO
    assert raw.cmd("HEXPIRE", "h", "10", "FIELDS", "x", "a") == NUMFIELDS_ZERO
    assert raw.cmd("HEXPIRE", "h", "10", "FIELDS", "2", "a") == NUMFIELDS_MISMATCH
    assert raw.cmd("HEXPIRE", "h", "10", "FIELDS", "1", "a", "b") == NUMFIELDS_MISMATCH
    assert raw.cmd("HEXPIRE", "h", "10", "NX", "XX", "FIELDS", "1", "a") == FIELDS_MISSING
    assert raw.cmd("HEXPIRE", "h", "abc", "FIELDS", "1", "a") == NOT_INT
    bad_time = Err("ERR invalid expire time, must be >= 0 and <= 2^48 - 1")
    assert raw.cmd("HEXPIRE", "h", "-1", "FIELDS", "1", "a") == bad_time
    assert raw.cmd("HPEXPIREAT", "h", str(2**48), "FIELDS", "1", "a") == bad_time
    assert raw.cmd("HEXPIRE", "h", str(2**62), "FIELDS", "1", "a") == bad_time
    assert raw.cmd("HEXPIRE", "s", "10", "FIELDS", "1", "a") == WRONGTYPE
    assert raw.cmd("HTTL", "s", "FIELDS", "1", "a") == WRONGTYPE
    assert raw.cmd("HEXPIRE", "nope", "10", "FIELDS", "2", "a", "b") == [-2, -2]
    assert raw.cmd("HTTL", "nope", "FIELDS", "1", "a") == [-2]
    assert raw.cmd("HPERSIST", "nope", "FIELDS", "1", "a") == [-2]
    assert raw.cmd("HTTL", "h", "FIELDS") == arity("httl")
    assert raw.cmd("HEXPIRE", "h", "1", "FIELDS", "1") == arity("hexpire")


def test_field_deadlines_survive_dump_restore_and_copy(raw):
    raw.cmd("HSET", "h", "a", "1", "b", "2")
    raw.cmd("HEXPIRE", "h", "1000", "FIELDS", "1", "a")
    payload = raw.cmd("DUMP", "h")
    assert raw.cmd("RESTORE", "r", "0", payload) == "OK"
    assert raw.cmd("HTTL", "r", "FIELDS", "2", "a", "b") == [1000, -1]
    assert raw.cmd("COPY", "h", "c") == 1
    assert raw.cmd("HTTL", "c", "FIELDS", "2", "a", "b") == [1000, -1]


# ---------------------------------------------------------------- keyspace integration


@pytest.mark.parametrize("n", [3, 500])
def test_dump_restore_round_trip(r, n):
    data = {f"f{i}".encode(): (BINARY + str(i).encode()) for i in range(n)}
    data[UNICODE] = b""
    r.hset("h", mapping=data)
    payload = r.dump("h")
    r.restore("h2", 0, payload)
    assert r.hgetall("h2") == data
    assert r.object("encoding", "h2") == r.object("encoding", "h")
    with pytest.raises(Exception, match="BUSYKEY"):
        r.restore("h2", 0, payload)
    r.restore("h2", 0, payload, replace=True)
    r.set("s", "x")
    r.restore("s", 0, payload, replace=True)
    assert r.type("s") == b"hash"
    # damaged payloads are refused, never crash
    for bad in (payload[:-1], payload[:5], b"\x04\x02\x05" + payload[3:]):
        with pytest.raises(Exception, match="DUMP payload|Bad data format"):
            r.restore("bad", 0, bad)
    assert r.exists("bad") == 0


def test_rename_and_copy_between_shards_keep_the_hash(r):
    # Keys chosen to land on different shards of the 2-shard server: many pairs, one surely does.
    for i in range(20):
        r.hset(f"src{i}", mapping={"a": i, "b": "x" * 100})
        r.rename(f"src{i}", f"dst{i}")
        assert r.hgetall(f"dst{i}") == {b"a": str(i).encode(), b"b": b"x" * 100}
        assert r.copy(f"dst{i}", f"cp{i}")
        r.hset(f"cp{i}", "a", "changed")
        assert r.hget(f"dst{i}", "a") == str(i).encode()
        r.move(f"cp{i}", 1)
    r.execute_command("SELECT", 1)
    assert r.hget("cp0", "a") == b"changed"


def test_scan_type_and_keys_see_hashes(r):
    r.hset("h1", "a", 1)
    r.hset("h2", "a", 1)
    r.set("s", 1)
    assert sorted(r.scan(0, count=100, _type="hash")[1]) == [b"h1", b"h2"]
    assert r.scan(0, count=100, _type="string")[1] == [b"s"]


def used_memory(r):
    """The shards' own accounting of their data (used_memory is the whole process's malloc,
    which keeps the big request's buffers)."""
    return r.info("memory")["used_memory_dataset"]


def test_memory_is_accounted_and_released(r):
    r.set("{big}anchor", "x")  # the key table of big's shard exists before and after
    before = used_memory(r)
    r.hset("big", mapping={f"field:{i}": "v" * 50 for i in range(20000)})
    grown = used_memory(r)
    assert grown - before > 20000 * 50  # at least the values
    r.execute_command("HEXPIRE", "big", "1000", "FIELDS", "100",
                      *[f"field:{i}" for i in range(100)])
    r.delete("big")
    # Everything the hash held is given back.
    assert used_memory(r) == before


def test_maxmemory_refuses_hash_writes(shoal_factory):
    server = shoal_factory("--maxmemory", "2mb", "--maxmemory-policy", "noeviction")
    r = server.client()
    with pytest.raises(Exception, match="OOM"):
        for i in range(10000):
            r.hset(f"h{i}", mapping={f"f{j}": "x" * 60 for j in range(20)})
    assert r.hdel("h0", "f0") == 1  # deletes still work


def test_huge_field_and_value(r):
    big = b"\xfe" * (3 * 1024 * 1024)
    r.hset("h", big[:1000], big)
    assert r.hget("h", big[:1000]) == big
    assert r.hstrlen("h", big[:1000]) == len(big)
    assert r.object("encoding", "h") == b"hashtable"


# ---------------------------------------------------------------- random sequences vs redis

KEYS = st.sampled_from(["h", "g", "{h}x", "s"])
FIELDS = st.one_of(st.sampled_from([b"a", b"b", b"c", b"", b"n", UNICODE]), st.binary(max_size=4))
VALUES = st.one_of(st.binary(max_size=6), st.integers(-100, 100).map(lambda i: str(i).encode()),
                   st.sampled_from([b"9223372036854775807", b"1.5", b"x" * 70, b"-0", b"inf"]))


def hash_command():
    return st.one_of(
        st.tuples(st.sampled_from(["HSET", "HMSET"]), KEYS,
                  st.lists(st.tuples(FIELDS, VALUES), min_size=1, max_size=4)).map(
            lambda t: [t[0], t[1], *[x for p in t[2] for x in p]]),
        st.tuples(st.sampled_from(["HGET", "HEXISTS", "HSTRLEN", "HDEL"]), KEYS, FIELDS).map(list),
        st.tuples(st.sampled_from(["HMGET", "HDEL"]), KEYS, st.lists(FIELDS, min_size=1,
                                                                     max_size=4)).map(
            lambda t: [t[0], t[1], *t[2]]),
        st.tuples(st.sampled_from(["HLEN", "HGETALL", "HKEYS", "HVALS", "TYPE", "DEL",
                                   "OBJECT ENCODING"]), KEYS).map(
            lambda t: [*t[0].split(), t[1]]),
        st.tuples(st.sampled_from(["HINCRBY", "HINCRBYFLOAT", "HSETNX"]), KEYS, FIELDS,
                  VALUES).map(list),
        st.tuples(st.just("SET"), KEYS, VALUES).map(list),
    )


def test_random_hash_sequences_match_redis(shoal, redis_ref):
    check_random_sequences(shoal, redis_ref, hash_command(), normalize)
