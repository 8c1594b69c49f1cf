"""Keyspace commands: DEL/UNLINK/EXISTS/TYPE/TOUCH, RENAME/RENAMENX/COPY/MOVE, the EXPIRE
family and TTL queries, KEYS/SCAN/RANDOMKEY/DBSIZE, OBJECT, DUMP/RESTORE, SELECT/SWAPDB/
FLUSHDB/FLUSHALL, hash tags and keys spread over shards.
"""
import random
import threading
import time

import pytest

from resp_helpers import Err, shoal_is_sanitized, survives, wait_until

SYNTAX = Err("ERR syntax error")
NOT_INT = Err("ERR value is not an integer or out of range")
NO_SUCH_KEY = Err("ERR no such key")
DB_RANGE = Err("ERR DB index is out of range")
SAME_OBJECT = Err("ERR source and destination objects are the same")
BAD_PAYLOAD = Err("ERR DUMP payload version or checksum are wrong")
INT64_MAX = 9223372036854775807
INT64_MIN = -9223372036854775808
BINARY = b"\x00\r\nbin\xff\r\n"


def arity(cmd):
    return Err(f"ERR wrong number of arguments for '{cmd}' command")


def now_ms():
    return int(time.time() * 1000)


def many(prefix, n):
    return [f"{prefix}:{i}" for i in range(n)]


# ---------------------------------------------------------------- DEL / UNLINK / EXISTS / TYPE

@pytest.mark.parametrize("cmd", ["DEL", "UNLINK"])
def test_del_counts_existing_keys(raw, cmd):
    keys = many("d", 100)
    raw.cmd("MSET", *[x for k in keys for x in (k, "v")])
    assert raw.cmd(cmd, "missing") == 0
    assert raw.cmd(cmd, keys[0], keys[0], "missing") == 1  # duplicates count once
    assert raw.cmd(cmd, *keys) == 99
    assert raw.cmd("DBSIZE") == 0
    assert raw.cmd(cmd) == arity(cmd.lower())


def test_del_binary_and_empty_keys(raw):
    raw.cmd("MSET", BINARY, "a", "", "b")
    assert raw.cmd("DEL", BINARY, "") == 2
    assert raw.cmd("EXISTS", BINARY, "") == 0


def test_exists_counts_duplicates(raw):
    raw.cmd("MSET", "a", "1", "b", "2")
    assert raw.cmd("EXISTS", "a") == 1
    assert raw.cmd("EXISTS", "a", "a", "a") == 3
    assert raw.cmd("EXISTS", "a", "b", "c", "a") == 3
    assert raw.cmd("EXISTS", "nope") == 0
    assert raw.cmd("EXISTS") == arity("exists")


def test_exists_over_shards(raw):
    keys = many("e", 300)
    raw.cmd("MSET", *[x for k in keys[::2] for x in (k, "v")])
    assert raw.cmd("EXISTS", *keys) == 150
    assert raw.cmd("EXISTS", *(keys + keys)) == 300


def test_type(raw):
    assert raw.cmd("TYPE", "nope") == "none"
    raw.cmd("SET", "s", "v")
    raw.cmd("INCR", "i")
    assert raw.cmd("TYPE", "s") == "string"
    assert raw.cmd("TYPE", "i") == "string"
    assert raw.cmd("TYPE") == arity("type")


def test_touch(raw):
    raw.cmd("MSET", "a", "1", "b", "2")
    assert raw.cmd("TOUCH", "a", "b", "c") == 2
    assert raw.cmd("TOUCH", "a", "a") == 2
    assert raw.cmd("TOUCH", "nope") == 0
    assert raw.cmd("TOUCH") == arity("touch")


# ---------------------------------------------------------------- RENAME / RENAMENX

def test_rename_basic_and_ttl(raw):
    raw.cmd("SET", "a", BINARY, "EX", 100)
    assert raw.cmd("RENAME", "a", "b") == "OK"
    assert raw.cmd("EXISTS", "a") == 0
    assert raw.cmd("GET", "b") == BINARY
    assert 0 < raw.cmd("TTL", "b") <= 100  # the TTL moves with the value


def test_rename_overwrites_destination_and_its_ttl(raw):
    raw.cmd("SET", "src", "new")
    raw.cmd("SET", "dst", "old", "EX", 100)
    assert raw.cmd("RENAME", "src", "dst") == "OK"
    assert raw.cmd("GET", "dst") == b"new"
    assert raw.cmd("TTL", "dst") == -1


def test_rename_errors_and_same_key(raw):
    assert raw.cmd("RENAME", "nope", "x") == NO_SUCH_KEY
    assert raw.cmd("RENAME", "nope", "nope") == NO_SUCH_KEY
    assert raw.cmd("RENAMENX", "nope", "x") == NO_SUCH_KEY
    raw.cmd("SET", "a", "v", "EX", 100)
    assert raw.cmd("RENAME", "a", "a") == "OK"
    assert raw.cmd("RENAMENX", "a", "a") == 0
    assert raw.cmd("GET", "a") == b"v"
    assert raw.cmd("TTL", "a") > 0
    assert raw.cmd("RENAME", "a") == arity("rename")
    assert raw.cmd("RENAMENX", "a", "b", "c") == arity("renamenx")


def test_renamenx(raw):
    raw.cmd("MSET", "a", "1", "b", "2")
    assert raw.cmd("RENAMENX", "a", "b") == 0
    assert raw.cmd("MGET", "a", "b") == [b"1", b"2"]
    assert raw.cmd("RENAMENX", "a", "c") == 1
    assert raw.cmd("MGET", "a", "c") == [None, b"1"]


def test_rename_between_shards(raw):
    # with 100 pairs, many have source and destination on different shards
    for i in range(100):
        raw.cmd("SET", f"src{i}", f"v{i}", "EX", 1000 + i)
    for i in range(100):
        assert raw.cmd("RENAME", f"src{i}", f"dst{i}") == "OK"
    assert raw.cmd("EXISTS", *[f"src{i}" for i in range(100)]) == 0
    for i in range(100):
        assert raw.cmd("GET", f"dst{i}") == f"v{i}".encode()
        assert 900 + i <= raw.cmd("TTL", f"dst{i}") <= 1000 + i
    assert raw.cmd("DBSIZE") == 100


def test_rename_integer_keeps_value(raw):
    raw.cmd("SET", "n", 42)
    raw.cmd("RENAME", "n", "m")
    assert raw.cmd("INCR", "m") == 43


# ---------------------------------------------------------------- COPY / MOVE

def test_copy(raw):
    raw.cmd("SET", "a", BINARY, "EX", 100)
    assert raw.cmd("COPY", "a", "b") == 1
    assert raw.cmd("MGET", "a", "b") == [BINARY, BINARY]
    assert 0 < raw.cmd("TTL", "b") <= 100
    assert raw.cmd("COPY", "a", "b") == 0  # destination exists
    raw.cmd("SET", "a", "changed")
    assert raw.cmd("GET", "b") == BINARY  # a copy, not a reference
    assert raw.cmd("COPY", "a", "b", "REPLACE") == 1
    assert raw.cmd("GET", "b") == b"changed"
    assert raw.cmd("TTL", "b") == -1
    assert raw.cmd("COPY", "nope", "c") == 0
    assert raw.cmd("EXISTS", "c") == 0


def test_copy_across_shards_and_dbs(raw):
    for i in range(50):
        raw.cmd("SET", f"s{i}", i)
        assert raw.cmd("COPY", f"s{i}", f"t{i}") == 1
        assert raw.cmd("COPY", f"s{i}", f"s{i}", "DB", 3) == 1
    assert raw.cmd("MGET", *[f"t{i}" for i in range(50)]) == [str(i).encode() for i in range(50)]
    raw.cmd("SELECT", 3)
    assert raw.cmd("DBSIZE") == 50
    assert raw.cmd("INCR", "s7") == 8
    raw.cmd("SELECT", 0)
    assert raw.cmd("GET", "s7") == b"7"


def test_copy_errors(raw):
    raw.cmd("SET", "a", "v")
    assert raw.cmd("COPY", "a", "a") == SAME_OBJECT
    assert raw.cmd("COPY", "a", "a", "DB", 0) == SAME_OBJECT
    assert raw.cmd("COPY", "a", "b", "DB", 16) == DB_RANGE
    assert raw.cmd("COPY", "a", "b", "DB", -1) == DB_RANGE
    assert raw.cmd("COPY", "a", "b", "DB", "abc") == NOT_INT
    assert raw.cmd("COPY", "a", "b", "DB") == SYNTAX
    assert raw.cmd("COPY", "a", "b", "FOO") == SYNTAX
    assert raw.cmd("COPY", "a") == arity("copy")
    assert raw.cmd("EXISTS", "b") == 0


def test_move(raw):
    raw.cmd("SET", "k", "v", "EX", 100)
    assert raw.cmd("MOVE", "k", 1) == 1
    assert raw.cmd("EXISTS", "k") == 0
    assert raw.cmd("MOVE", "k", 1) == 0
    raw.cmd("SELECT", 1)
    assert raw.cmd("GET", "k") == b"v"
    assert 0 < raw.cmd("TTL", "k") <= 100
    raw.cmd("SELECT", 0)
    raw.cmd("SET", "k", "other")
    assert raw.cmd("MOVE", "k", 1) == 0  # exists in the target db
    assert raw.cmd("GET", "k") == b"other"
    assert raw.cmd("MOVE", "k", 0) == SAME_OBJECT
    assert raw.cmd("MOVE", "k", 16) == DB_RANGE
    assert raw.cmd("MOVE", "k", -1) == DB_RANGE
    assert raw.cmd("MOVE", "k") == arity("move")


def test_move_non_integer_db(raw):
    raw.cmd("SET", "k", "v")
    assert raw.cmd("MOVE", "k", "abc") == NOT_INT


# ---------------------------------------------------------------- EXPIRE family

def test_expire_and_ttl_queries(raw):
    raw.cmd("SET", "k", "v")
    assert raw.cmd("TTL", "k") == -1
    assert raw.cmd("PTTL", "k") == -1
    assert raw.cmd("EXPIRETIME", "k") == -1
    assert raw.cmd("PEXPIRETIME", "k") == -1
    assert raw.cmd("TTL", "nope") == -2
    assert raw.cmd("PTTL", "nope") == -2
    assert raw.cmd("EXPIRETIME", "nope") == -2
    assert raw.cmd("PEXPIRETIME", "nope") == -2
    assert raw.cmd("EXPIRE", "k", 100) == 1
    assert 90 <= raw.cmd("TTL", "k") <= 100
    assert 90000 < raw.cmd("PTTL", "k") <= 100000
    assert raw.cmd("PEXPIRE", "k", 50000) == 1
    assert 40 <= raw.cmd("TTL", "k") <= 50
    at = int(time.time()) + 3600
    assert raw.cmd("EXPIREAT", "k", at) == 1
    assert raw.cmd("EXPIRETIME", "k") == at
    assert raw.cmd("PEXPIRETIME", "k") == at * 1000
    at_ms = (now_ms() // 1000 + 7200) * 1000 + 123
    assert raw.cmd("PEXPIREAT", "k", at_ms) == 1
    assert raw.cmd("PEXPIRETIME", "k") == at_ms
    assert raw.cmd("EXPIRETIME", "k") == at_ms // 1000
    assert raw.cmd("PERSIST", "k") == 1
    assert raw.cmd("PERSIST", "k") == 0
    assert raw.cmd("PERSIST", "nope") == 0
    assert raw.cmd("TTL", "k") == -1
    for cmd in ("EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"):
        assert raw.cmd(cmd, "nope", 100) == 0


def test_expiretime_rounds_like_redis(raw):
    raw.cmd("SET", "k", "v")
    raw.cmd("PEXPIREAT", "k", 4000000000700)
    assert raw.cmd("EXPIRETIME", "k") == 4000000001


@pytest.mark.parametrize("cmd,t", [("EXPIRE", 0), ("EXPIRE", -10), ("PEXPIRE", -1),
                                   ("EXPIREAT", 1), ("PEXPIREAT", 0), ("EXPIREAT", -5)])
def test_expire_in_the_past_deletes(raw, cmd, t):
    raw.cmd("SET", "k", "v")
    assert raw.cmd(cmd, "k", t) == 1
    assert raw.cmd("EXISTS", "k") == 0


def test_expire_nx_xx_gt_lt(raw):
    raw.cmd("SET", "k", "v")
    assert raw.cmd("EXPIRE", "k", 100, "XX") == 0  # no TTL yet
    assert raw.cmd("EXPIRE", "k", 100, "GT") == 0  # no TTL counts as infinite
    assert raw.cmd("TTL", "k") == -1
    assert raw.cmd("EXPIRE", "k", 100, "LT") == 1
    assert raw.cmd("EXPIRE", "k", 200, "NX") == 0
    assert raw.cmd("EXPIRE", "k", 200, "XX") == 1
    assert 190 < raw.cmd("TTL", "k") <= 200
    assert raw.cmd("EXPIRE", "k", 100, "GT") == 0
    assert raw.cmd("EXPIRE", "k", 300, "GT") == 1
    assert raw.cmd("EXPIRE", "k", 400, "LT") == 0
    assert raw.cmd("EXPIRE", "k", 50, "lt") == 1
    assert 40 < raw.cmd("TTL", "k") <= 50
    assert raw.cmd("PEXPIRE", "k", 10_000_000, "gt") == 1
    assert raw.cmd("PERSIST", "k") == 1
    assert raw.cmd("EXPIRE", "k", 100, "NX") == 1
    # XX and GT together are allowed
    assert raw.cmd("EXPIRE", "k", 500, "XX", "GT") == 1
    assert raw.cmd("EXPIRE", "k", 100, "XX", "GT") == 0
    assert raw.cmd("EXPIRE", "nope", 100, "NX") == 0


@pytest.mark.parametrize(
    "opts,err",
    [
        (["NX", "XX"], "ERR NX and XX, GT or LT options at the same time are not compatible"),
        (["NX", "GT"], "ERR NX and XX, GT or LT options at the same time are not compatible"),
        (["LT", "NX"], "ERR NX and XX, GT or LT options at the same time are not compatible"),
        (["GT", "LT"], "ERR GT and LT options at the same time are not compatible"),
        (["FOO"], "ERR Unsupported option FOO"),
        (["nx", "bar"], "ERR Unsupported option bar"),
    ],
)
@pytest.mark.parametrize("cmd", ["EXPIRE", "PEXPIREAT"])
def test_expire_option_errors(raw, cmd, opts, err):
    raw.cmd("SET", "k", "v")
    assert raw.cmd(cmd, "k", 100, *opts) == Err(err)
    assert raw.cmd("TTL", "k") == -1


@pytest.mark.parametrize(
    "cmd,t",
    [("EXPIRE", INT64_MAX), ("EXPIRE", INT64_MIN), ("EXPIRE", INT64_MAX // 1000 + 1),
     ("PEXPIRE", INT64_MAX), ("PEXPIRE", INT64_MAX - 1000), ("EXPIREAT", INT64_MAX),
     ("EXPIREAT", INT64_MIN)],
)
def test_expire_overflow(raw, cmd, t):
    raw.cmd("SET", "k", "v")
    assert raw.cmd(cmd, "k", t) == Err(f"ERR invalid expire time in '{cmd.lower()}' command")
    assert raw.cmd("TTL", "k") == -1


def test_expire_value_errors(raw):
    raw.cmd("SET", "k", "v")
    assert raw.cmd("EXPIRE", "k", "abc") == NOT_INT
    assert raw.cmd("EXPIRE", "k", "1.5") == NOT_INT
    assert raw.cmd("EXPIRE", "k", "") == NOT_INT
    assert raw.cmd("EXPIRE", "k") == arity("expire")
    assert raw.cmd("TTL") == arity("ttl")
    assert raw.cmd("PERSIST", "a", "b") == arity("persist")
    assert raw.cmd("PEXPIREAT", "k", INT64_MAX) == 1  # the largest deadline is fine
    assert raw.cmd("PEXPIRETIME", "k") == INT64_MAX


# ---------------------------------------------------------------- KEYS

KEY_SET = [b"hello", b"hallo", b"hxllo", b"hllo", b"heeello", b"a*c", b"a?c", b"abc", b"a\\c",
           b"aXc", b"a-c", b"[", b"]", b"{tag}1", b"{tag}2", b"x{tag}", "ключ".encode(),
           b"bin\x00ary", b""]


@pytest.mark.parametrize(
    "pattern,expected",
    [
        ("*", KEY_SET),
        ("h?llo", [b"hello", b"hallo", b"hxllo"]),
        ("h*llo", [b"hello", b"hallo", b"hxllo", b"hllo", b"heeello"]),
        ("h[ae]llo", [b"hello", b"hallo"]),
        ("h[^e]llo", [b"hallo", b"hxllo"]),
        ("h[a-b]llo", [b"hallo"]),
        ("h[b-a]llo", [b"hallo"]),
        ("a\\*c", [b"a*c"]),
        ("a\\?c", [b"a?c"]),
        ("a\\\\c", [b"a\\c"]),
        ("a?c", [b"a*c", b"a?c", b"abc", b"a\\c", b"aXc", b"a-c"]),
        ("{tag}*", [b"{tag}1", b"{tag}2"]),
        ("*{tag}*", [b"{tag}1", b"{tag}2", b"x{tag}"]),
        ("ключ", ["ключ".encode()]),
        ("bin?ary", [b"bin\x00ary"]),
        ("HELLO", []),
        ("nomatch*", []),
        ("[", []),
        ("?", [b"[", b"]"]),
        ("", [b""]),
    ],
)
def test_keys_glob(raw, pattern, expected):
    raw.cmd("MSET", *[x for k in KEY_SET for x in (k, "v")])
    assert sorted(raw.cmd("KEYS", pattern)) == sorted(expected)


def test_keys_skips_expired_and_spans_shards(raw):
    keys = many("kk", 500)
    raw.cmd("MSET", *[x for k in keys for x in (k, "v")])
    raw.cmd("PSETEX", "gone", 1, "v")
    time.sleep(0.01)  # only needs to be past the 1 ms deadline; not a timing assertion
    assert sorted(raw.cmd("KEYS", "kk:*")) == sorted(k.encode() for k in keys)
    assert raw.cmd("KEYS", "gone") == []
    assert raw.cmd("KEYS") == arity("keys")


# ---------------------------------------------------------------- SCAN

def full_scan(c, *opts, count=None):
    cursor, seen, rounds = b"0", [], 0
    while True:
        args = ["SCAN", cursor, *opts] + (["COUNT", count] if count else [])
        reply = c.cmd(*args)
        assert isinstance(reply, list) and len(reply) == 2, reply
        cursor, batch = reply
        assert isinstance(cursor, bytes) and cursor.isdigit()
        seen += batch
        rounds += 1
        assert rounds < 100000, "SCAN did not terminate"
        if cursor == b"0":
            return seen, rounds


def test_scan_empty(raw):
    assert raw.cmd("SCAN", 0) == [b"0", []]


def test_scan_returns_every_key(raw):
    keys = many("s", 1000)
    raw.cmd("MSET", *[x for k in keys for x in (k, "v")])
    seen, rounds = full_scan(raw)
    assert set(seen) == {k.encode() for k in keys}
    assert rounds > 1
    seen, _ = full_scan(raw, count=1000)
    assert set(seen) == {k.encode() for k in keys}
    seen, _ = full_scan(raw, count=1)
    assert set(seen) == {k.encode() for k in keys}


def test_scan_match_and_type(raw):
    keys = many("m", 300) + many("other", 300)
    raw.cmd("MSET", *[x for k in keys for x in (k, "v")])
    seen, _ = full_scan(raw, "MATCH", "m:1*")
    assert set(seen) == {k.encode() for k in keys if k.startswith("m:1")}
    seen, _ = full_scan(raw, "MATCH", "*", "COUNT", 50, "TYPE", "string")
    assert set(seen) == {k.encode() for k in keys}
    seen, _ = full_scan(raw, "TYPE", "STRING")
    assert len(set(seen)) == 600
    seen, _ = full_scan(raw, "TYPE", "list")
    assert seen == []
    seen, _ = full_scan(raw, "MATCH", "nothing*")
    assert seen == []


def test_scan_errors(raw):
    assert raw.cmd("SCAN", "abc") == Err("ERR invalid cursor")
    assert raw.cmd("SCAN", "1.5") == Err("ERR invalid cursor")
    assert raw.cmd("SCAN", "99999999999999999999999") == Err("ERR invalid cursor")
    assert raw.cmd("SCAN", 0, "COUNT", 0) == SYNTAX
    assert raw.cmd("SCAN", 0, "COUNT", -1) == SYNTAX
    assert raw.cmd("SCAN", 0, "COUNT", "x") == NOT_INT
    assert raw.cmd("SCAN", 0, "COUNT") == SYNTAX
    assert raw.cmd("SCAN", 0, "MATCH") == SYNTAX
    assert raw.cmd("SCAN", 0, "FOO", "bar") == SYNTAX
    assert raw.cmd("SCAN") == arity("scan")


def test_scan_cursor_parsing_like_redis(raw):
    assert raw.cmd("SCAN", "") == [b"0", []]
    assert isinstance(raw.cmd("SCAN", "-1"), list)


def test_scan_huge_count(scratch_shoal):
    s = scratch_shoal(shards=2)
    with s.raw() as c:
        c.cmd("MSET", "a", "1", "b", "2", "c", "3")
    reply = survives(s, "SCAN", 0, "COUNT", "9223372036854775807")
    assert isinstance(reply, list)
    with s.raw() as c:
        seen, _ = full_scan(c, count="9223372036854775807")
    assert sorted(seen) == [b"a", b"b", b"c"]


def test_scan_huge_cursors_terminate(raw):
    raw.cmd("MSET", *[x for k in many("hc", 100) for x in (k, "v")])
    for cursor in ("18446744073709551615", "9223372036854775807", "12345678901"):
        reply = raw.cmd("SCAN", cursor, "COUNT", 5)
        assert isinstance(reply, list) and reply[0].isdigit()


def test_scan_guarantee_under_concurrent_writes(shoal, raw):
    """Every key present for the whole iteration is returned at least once, while other keys
    are added and removed (enough to make the tables grow) by another client."""
    stable = [f"stable:{i}" for i in range(3000)]
    raw.cmd("MSET", *[x for k in stable for x in (k, "v")])
    stop = threading.Event()
    errors = []

    def churn():
        try:
            with shoal.raw() as c:
                i = 0
                while not stop.is_set() and i < 400:
                    batch = [f"churn:{i}:{j}" for j in range(100)]
                    c.cmd("MSET", *[x for k in batch for x in (k, "v")])
                    if i % 2:
                        c.cmd("DEL", *[f"churn:{i - 1}:{j}" for j in range(100)])
                    i += 1
        except Exception as e:  # reported by the main thread
            errors.append(e)

    t = threading.Thread(target=churn)
    t.start()
    try:
        seen, _ = full_scan(raw, count=20)
    finally:
        stop.set()
        t.join(60)
    assert not errors, errors
    missing = set(k.encode() for k in stable) - set(seen)
    assert not missing, f"{len(missing)} stable keys never returned, e.g. {sorted(missing)[:5]}"


@pytest.mark.parametrize("shards", [1, 3])
def test_scan_guarantee_while_tables_shrink_and_grow(shoal_factory, shards):
    """A SCAN with small COUNT runs while another client deletes 20000 other keys (the tables
    shrink) and re-creates them (they grow again), several times: every stable key is still
    returned at least once."""
    s = shoal_factory(shards=shards)
    stable = [f"stable:{i}" for i in range(500)]
    churn = [f"churn:{i}" for i in range(20000)]
    with s.raw() as c:
        c.cmd("MSET", *[x for k in stable for x in (k, "v")])
        for i in range(0, len(churn), 2000):
            c.cmd("MSET", *[x for k in churn[i:i + 2000] for x in (k, "v")])
    stop = threading.Event()
    errors = []

    def churner():
        try:
            with s.raw() as c:
                for _ in range(20):
                    if stop.is_set():
                        return
                    for i in range(0, len(churn), 2000):
                        c.cmd("DEL", *churn[i:i + 2000])
                    for i in range(0, len(churn), 2000):
                        c.cmd("MSET", *[x for k in churn[i:i + 2000] for x in (k, "v")])
        except Exception as e:
            errors.append(e)

    t = threading.Thread(target=churner)
    t.start()
    try:
        with s.raw() as c:
            seen, rounds = full_scan(c, count=5)
    finally:
        stop.set()
        t.join(120)
    assert not errors, errors
    missing = set(k.encode() for k in stable) - set(seen)
    assert not missing, f"{len(missing)} stable keys never returned in {rounds} SCAN calls"


def test_huge_multi_key_commands(raw):
    n = 50000
    keys = many("h", n)
    args = [x for i, k in enumerate(keys) for x in (k, i)]
    assert raw.cmd("MSET", *args) == "OK"
    got = raw.cmd("MGET", *keys)
    assert len(got) == n and got[-1] == str(n - 1).encode()
    assert raw.cmd("EXISTS", *([keys[7]] * n)) == n
    assert raw.cmd("DEL", *keys) == n
    assert raw.cmd("MSETNX", *args) == 1
    assert raw.cmd("DBSIZE") == n


def test_scan_with_four_shards(shoal_factory):
    s = shoal_factory(shards=4)
    with s.raw() as c:
        keys = many("f", 2000)
        c.cmd("MSET", *[x for k in keys for x in (k, "v")])
        seen, _ = full_scan(c, count=7)
        assert set(seen) == {k.encode() for k in keys}
        assert c.cmd("DBSIZE") == 2000


# ---------------------------------------------------------------- RANDOMKEY / DBSIZE

def test_randomkey(raw):
    assert raw.cmd("RANDOMKEY") is None
    keys = {k.encode() for k in many("r", 50)}
    raw.cmd("MSET", *[x for k in keys for x in (k, "v")])
    for _ in range(100):
        assert raw.cmd("RANDOMKEY") in keys
    assert raw.cmd("RANDOMKEY", "x") == arity("randomkey")


def test_randomkey_single_key_and_expired(raw):
    raw.cmd("SET", b"only\x00one", "v")
    for _ in range(20):
        assert raw.cmd("RANDOMKEY") == b"only\x00one"
    raw.cmd("DEL", b"only\x00one")
    raw.cmd("PSETEX", "gone", 1, "v")
    time.sleep(0.01)
    assert raw.cmd("RANDOMKEY") is None


def test_dbsize(raw):
    assert raw.cmd("DBSIZE") == 0
    raw.cmd("MSET", *[x for k in many("z", 333) for x in (k, "v")])
    assert raw.cmd("DBSIZE") == 333
    raw.cmd("SELECT", 5)
    assert raw.cmd("DBSIZE") == 0
    raw.cmd("SELECT", 0)
    raw.cmd("DEL", "z:0")
    assert raw.cmd("DBSIZE") == 332
    assert raw.cmd("DBSIZE", "x") == arity("dbsize")


# ---------------------------------------------------------------- OBJECT

@pytest.mark.parametrize(
    "value,enc",
    [(b"123", b"int"), (b"-9223372036854775808", b"int"), (b"0", b"int"),
     (b"9223372036854775808", b"embstr"), (b"01", b"embstr"), (b"-0", b"embstr"),
     (b"1.5", b"embstr"), (b"", b"embstr"), (b"x" * 44, b"embstr"), (b"x" * 45, b"raw"),
     (b"y" * 100000, b"raw")],
)
def test_object_encoding(raw, value, enc):
    raw.cmd("SET", "k", value)
    assert raw.cmd("OBJECT", "ENCODING", "k") == enc


def test_object_encoding_transitions(raw):
    raw.cmd("SET", "k", "10")
    assert raw.cmd("OBJECT", "ENCODING", "k") == b"int"
    raw.cmd("INCR", "k")
    assert raw.cmd("OBJECT", "ENCODING", "k") == b"int"
    raw.cmd("SET", "k", "abc")
    assert raw.cmd("OBJECT", "ENCODING", "k") == b"embstr"
    raw.cmd("SET", "k", "z" * 60)
    assert raw.cmd("OBJECT", "ENCODING", "k") == b"raw"
    raw.cmd("SET", "k", "99")
    assert raw.cmd("OBJECT", "ENCODING", "k") == b"int"
    assert raw.cmd("OBJECT", "ENCODING", "nope") is None


def test_object_encoding_after_append_and_setrange(raw):
    raw.cmd("SET", "a", "ab")
    raw.cmd("APPEND", "a", "c")
    raw.cmd("SETRANGE", "s", 0, "xyz")
    assert [raw.cmd("OBJECT", "ENCODING", "a"), raw.cmd("OBJECT", "ENCODING", "s")] == [
        b"raw", b"raw"]


def test_object_encoding_after_incrbyfloat(raw):
    raw.cmd("SET", "f", "5")
    raw.cmd("INCRBYFLOAT", "f", "1")
    assert raw.cmd("OBJECT", "ENCODING", "f") == b"embstr"


def test_object_refcount_idletime_freq_default_policy(raw):
    raw.cmd("SET", "k", "some text")
    assert raw.cmd("OBJECT", "REFCOUNT", "k") == 1
    assert raw.cmd("OBJECT", "REFCOUNT", "nope") is None
    assert 0 <= raw.cmd("OBJECT", "IDLETIME", "k") <= 20
    assert raw.cmd("OBJECT", "IDLETIME", "nope") is None
    err = raw.cmd("OBJECT", "FREQ", "k")
    assert err == Err(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
        "that when switching between policies at runtime LRU and LFU data will take some time "
        "to adjust.")


def test_object_with_lfu_policy(shoal_factory):
    s = shoal_factory("--maxmemory-policy", "allkeys-lfu", shards=2)
    with s.raw() as c:
        c.cmd("SET", "k", "v")
        assert 0 <= c.cmd("OBJECT", "FREQ", "k") <= 255
        for _ in range(200):
            c.cmd("GET", "k")
        assert c.cmd("OBJECT", "FREQ", "k") > 5  # the counter grows with accesses
        assert isinstance(c.cmd("OBJECT", "IDLETIME", "k"), Err)
        dump = c.cmd("DUMP", "k")
        assert c.cmd("RESTORE", "f", 0, dump, "FREQ", 100) == "OK"
        assert c.cmd("OBJECT", "FREQ", "f") in (99, 100)  # a minute boundary may decay it


def test_object_idletime_error_text_with_lfu(shoal_factory):
    s = shoal_factory("--maxmemory-policy", "allkeys-lfu", shards=1)
    with s.raw() as c:
        c.cmd("SET", "k", "v")
        assert c.cmd("OBJECT", "IDLETIME", "k") == Err(
            "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that "
            "when switching between policies at runtime LRU and LFU data will take some time "
            "to adjust.")


def test_object_help(raw):
    lines = raw.cmd("OBJECT", "HELP")
    assert isinstance(lines, list) and len(lines) > 5
    assert lines[0].startswith("OBJECT <subcommand>")
    assert any("ENCODING" in l for l in lines) and any("FREQ" in l for l in lines)
    assert raw.cmd("object", "help")[0] == lines[0]


def test_object_help_text_matches_redis(raw):
    assert raw.cmd("OBJECT", "HELP")[-1] == "    Prints this help."


def test_object_errors(raw):
    raw.cmd("SET", "k", "v")
    assert raw.cmd("OBJECT", "FOO", "k") == Err("ERR unknown subcommand 'FOO'. Try OBJECT HELP.")
    assert raw.cmd("OBJECT") == arity("object")


def test_object_subcommand_arity(raw):
    assert raw.cmd("OBJECT", "ENCODING") == arity("object|encoding")
    assert raw.cmd("OBJECT", "encoding", "a", "b") == arity("object|encoding")
    assert raw.cmd("OBJECT", "HELP", "x") == arity("object|help")


# ---------------------------------------------------------------- DUMP / RESTORE

@pytest.mark.parametrize("value", [b"v", b"", BINARY, b"12345", b"-9223372036854775808",
                                   "ключ🐟".encode(), b"x" * (2 << 20)])
def test_dump_restore_roundtrip(raw, value):
    raw.cmd("SET", "src", value)
    payload = raw.cmd("DUMP", "src")
    assert isinstance(payload, bytes) and payload
    assert raw.cmd("RESTORE", "dst", 0, payload) == "OK"
    assert raw.cmd("GET", "dst") == value
    assert raw.cmd("TTL", "dst") == -1
    assert raw.cmd("OBJECT", "ENCODING", "dst") == raw.cmd("OBJECT", "ENCODING", "src")


def test_dump_missing(raw):
    assert raw.cmd("DUMP", "nope") is None


def test_restore_ttl_absttl_replace_busykey(raw):
    raw.cmd("SET", "src", "v")
    payload = raw.cmd("DUMP", "src")
    assert raw.cmd("RESTORE", "src", 0, payload) == Err("BUSYKEY Target key name already exists.")
    raw.cmd("SET", "src", "other", "EX", 100)
    assert raw.cmd("RESTORE", "src", 0, payload, "REPLACE") == "OK"
    assert raw.cmd("GET", "src") == b"v"
    assert raw.cmd("TTL", "src") == -1
    assert raw.cmd("RESTORE", "t", 100000, payload) == "OK"
    assert 90 <= raw.cmd("TTL", "t") <= 100
    at = now_ms() + 500_000
    assert raw.cmd("RESTORE", "a", at, payload, "ABSTTL") == "OK"
    assert raw.cmd("PEXPIRETIME", "a") == at
    # an absolute time in the past: OK, but nothing is left
    assert raw.cmd("RESTORE", "past", 1, payload, "ABSTTL") == "OK"
    assert raw.cmd("EXISTS", "past") == 0
    assert raw.cmd("RESTORE", "i", 0, payload, "IDLETIME", 1000) == "OK"
    assert 1000 <= raw.cmd("OBJECT", "IDLETIME", "i") <= 1020


def test_restore_errors(raw):
    raw.cmd("SET", "src", "v")
    payload = raw.cmd("DUMP", "src")
    assert raw.cmd("RESTORE", "k", 0, b"garbage") == BAD_PAYLOAD
    assert raw.cmd("RESTORE", "k", 0, b"") == BAD_PAYLOAD
    assert raw.cmd("RESTORE", "k", 0, payload[:-1]) == BAD_PAYLOAD
    for i in range(len(payload)):  # any flipped byte is caught
        bad = payload[:i] + bytes([payload[i] ^ 0x41]) + payload[i + 1:]
        assert raw.cmd("RESTORE", "k", 0, bad) == BAD_PAYLOAD, i
    assert raw.cmd("EXISTS", "k") == 0
    assert raw.cmd("RESTORE", "k", -1, payload) == Err("ERR Invalid TTL value, must be >= 0")
    assert raw.cmd("RESTORE", "k", "abc", payload) == NOT_INT
    assert raw.cmd("RESTORE", "k", 0, payload, "FOO") == SYNTAX
    assert raw.cmd("RESTORE", "k", 0, payload, "IDLETIME") == SYNTAX
    assert raw.cmd("RESTORE", "k", 0, payload, "IDLETIME", -1) == Err(
        "ERR Invalid IDLETIME value, must be >= 0")
    assert raw.cmd("RESTORE", "k", 0, payload, "FREQ", 256) == Err(
        "ERR Invalid FREQ value, must be >= 0 and <= 255")
    assert raw.cmd("RESTORE", "k", 0, payload, "IDLETIME", 1, "FREQ", 1) == SYNTAX
    assert raw.cmd("RESTORE", "k", 0) == arity("restore")
    assert raw.cmd("DUMP") == arity("dump")
    assert raw.cmd("EXISTS", "k") == 0


def test_restore_huge_idletime(scratch_shoal):
    s = scratch_shoal()
    with s.raw() as c:
        c.cmd("SET", "a", "v")
        payload = c.cmd("DUMP", "a")
    assert survives(s, "RESTORE", "b", 0, payload, "IDLETIME", "9223372036854775807") == "OK"


def test_restore_across_shards(raw):
    for i in range(50):
        raw.cmd("SET", f"o{i}", f"value{i}")
    payloads = [raw.cmd("DUMP", f"o{i}") for i in range(50)]
    for i, p in enumerate(payloads):
        assert raw.cmd("RESTORE", f"n{i}", 0, p) == "OK"
    assert raw.cmd("MGET", *[f"n{i}" for i in range(50)]) == [
        f"value{i}".encode() for i in range(50)]


# ---------------------------------------------------------------- databases

def test_select_and_isolation(raw):
    raw.cmd("SET", "k", "db0")
    assert raw.cmd("SELECT", 15) == "OK"
    assert raw.cmd("GET", "k") is None
    raw.cmd("SET", "k", "db15")
    assert raw.cmd("SELECT", 0) == "OK"
    assert raw.cmd("GET", "k") == b"db0"
    assert raw.cmd("SELECT", 16) == DB_RANGE
    assert raw.cmd("SELECT", -1) == DB_RANGE
    assert raw.cmd("SELECT", "x") == NOT_INT
    assert raw.cmd("SELECT") == arity("select")


def test_swapdb(raw):
    raw.cmd("MSET", *[x for k in many("w", 100) for x in (k, "zero")])
    raw.cmd("SELECT", 1)
    raw.cmd("SET", "only1", "one", "EX", 100)
    assert raw.cmd("SWAPDB", 0, 1) == "OK"
    assert raw.cmd("DBSIZE") == 100  # still db 1, which now holds db 0's data
    assert raw.cmd("GET", "w:5") == b"zero"
    raw.cmd("SELECT", 0)
    assert raw.cmd("GET", "only1") == b"one"
    assert raw.cmd("TTL", "only1") > 0
    assert raw.cmd("SWAPDB", 0, 0) == "OK"
    assert raw.cmd("SWAPDB", 0, 16) == DB_RANGE
    assert raw.cmd("SWAPDB", -1, 0) == DB_RANGE
    assert raw.cmd("SWAPDB", "a", 0) == Err("ERR invalid first DB index")
    assert raw.cmd("SWAPDB", 0, "b") == Err("ERR invalid second DB index")
    assert raw.cmd("SWAPDB", 0) == arity("swapdb")


def test_flushdb_flushall(raw):
    raw.cmd("MSET", *[x for k in many("f", 100) for x in (k, "v")])
    raw.cmd("SELECT", 2)
    raw.cmd("SET", "k", "v")
    assert raw.cmd("FLUSHDB") == "OK"
    assert raw.cmd("DBSIZE") == 0
    raw.cmd("SET", "k", "v")
    raw.cmd("SELECT", 0)
    assert raw.cmd("DBSIZE") == 100
    assert raw.cmd("FLUSHDB", "ASYNC") == "OK"
    assert raw.cmd("DBSIZE") == 0
    raw.cmd("SET", "k", "v")
    assert raw.cmd("FLUSHALL", "SYNC") == "OK"
    assert raw.cmd("DBSIZE") == 0
    raw.cmd("SELECT", 2)
    assert raw.cmd("DBSIZE") == 0
    assert raw.cmd("FLUSHALL", "FOO") == SYNTAX
    assert raw.cmd("FLUSHDB", "ASYNC", "SYNC") == SYNTAX


def info_field(c, section: str, name: str) -> int:
    text = c.cmd("INFO", section).decode()
    for line in text.split("\r\n"):
        if line.startswith(name + ":"):
            return int(line.split(":", 1)[1])
    raise AssertionError(f"{name} not in INFO {section}")


def test_flushall_async_frees_in_the_background(shoal_factory):
    s = shoal_factory(shards=2)
    with s.raw() as c:
        n = 200_000
        for start in range(0, n, 10_000):
            c.cmd("MSET", *[x for i in range(start, start + 10_000) for x in (f"k{i}", "v" * 64)])
        c.cmd("SELECT", 1)
        c.cmd("SET", "other-db", "x")
        full = info_field(c, "memory", "used_memory_dataset")
        assert c.cmd("FLUSHALL", "ASYNC") == "OK"
        assert c.cmd("DBSIZE") == 0  # empty at once, in every database
        c.cmd("SELECT", 0)
        assert c.cmd("DBSIZE") == 0
        assert c.cmd("SET", "k1", "new") == "OK"  # usable while the old keys are freed
        wait_until(lambda: info_field(c, "memory", "lazyfree_pending_objects") == 0,
                   what="lazy free to finish")
        assert info_field(c, "stats", "lazyfreed_objects") == n + 1
        assert info_field(c, "memory", "used_memory_dataset") < full // 10
        assert c.cmd("GET", "k1") == b"new"
        assert c.cmd("CONFIG", "RESETSTAT") == "OK"
        assert info_field(c, "stats", "lazyfreed_objects") == 0


def test_databases_flag(shoal_factory):
    s = shoal_factory("--databases", "4", shards=2)
    with s.raw() as c:
        assert c.cmd("SELECT", 3) == "OK"
        assert c.cmd("SELECT", 4) == DB_RANGE
        assert c.cmd("SWAPDB", 0, 4) == DB_RANGE
        c.cmd("SET", "k", "v")
        assert c.cmd("MOVE", "k", 4) == DB_RANGE
        assert c.cmd("MOVE", "k", 0) == 1


# ---------------------------------------------------------------- hash tags / shards

def test_hash_tags(raw):
    keys = [f"{{user:{i % 3}}}:field{i}" for i in range(30)]
    raw.cmd("MSET", *[x for k in keys for x in (k, k)])
    assert raw.cmd("MGET", *keys) == [k.encode() for k in keys]
    assert raw.cmd("RENAME", "{user:0}:field0", "{user:0}:renamed") == "OK"
    assert raw.cmd("RENAME", "{user:1}:field1", "{user:2}:renamed") == "OK"
    assert raw.cmd("GET", "{user:2}:renamed") == b"{user:1}:field1"
    assert sorted(raw.cmd("KEYS", "{user:0}*")) == sorted(
        [k.encode() for k in keys if k.startswith("{user:0}") and k != "{user:0}:field0"]
        + [b"{user:0}:renamed"])
    # degenerate tags: "{}" and unclosed braces hash the whole key
    for k in ("{}a", "{}b", "{a", "a}", "{}{x}", "{x}{y}"):
        assert raw.cmd("SET", k, k) == "OK"
    assert raw.cmd("MGET", "{}a", "{}b", "{a", "a}", "{}{x}", "{x}{y}") == [
        b"{}a", b"{}b", b"{a", b"a}", b"{}{x}", b"{x}{y}"]


def test_many_keys_over_shards_consistent(raw):
    n = 5000
    keys = many("bulk", n)
    for i in range(0, n, 500):
        raw.cmd("MSET", *[x for k in keys[i:i + 500] for x in (k, k)])
    assert raw.cmd("DBSIZE") == n
    assert raw.cmd("EXISTS", *keys) == n
    sample = random.Random(7).sample(keys, 200)
    assert raw.cmd("MGET", *sample) == [k.encode() for k in sample]
    assert len(raw.cmd("KEYS", "bulk:*")) == n
    assert raw.cmd("DEL", *keys[: n // 2]) == n // 2
    assert raw.cmd("DBSIZE") == n - n // 2


def test_redis_py_keys_api(r):
    r.mset({"a": 1, "b": 2})
    assert r.exists("a", "b", "c") == 2
    assert r.expire("a", 100) is True
    assert r.ttl("a") > 0
    assert r.persist("a") is True
    assert r.rename("a", "c") is True
    assert sorted(r.keys("*")) == [b"b", b"c"]
    assert sorted(r.scan_iter(count=1)) == [b"b", b"c"]
    assert r.type("b") == b"string"
    assert r.copy("b", "d") is True
    assert r.delete("b", "c", "d") == 3
