"""Key expiry: lazy (on access), active (keys nobody touches go away), millisecond deadlines
and expiry under concurrent load.

No test asserts that something happens at an exact time. Two kinds of checks only:
  - eventually: poll (bounded) until the key is gone;
  - never early: a key set with a deadline D (measured from just before the SET was sent)
    may only be reported missing by a reply received at or after D; and a key whose deadline
    has certainly passed (client clock past D) must never be returned again.
"""
import random
import threading
import time

import pytest

from resp_helpers import Err, wait_until

ACTIVE_EXPIRY_TIMEOUT = 15.0  # generous bound for the poll; typical is well under a second


def mono_ms():
    return time.time() * 1000.0


def sleep_past(deadline_ms, margin_ms=5):
    """Sleeps until the wall clock is past ``deadline_ms`` (a correctness bound, not a wait
    for the server to do something)."""
    while True:
        left = deadline_ms + margin_ms - mono_ms()
        if left <= 0:
            return
        time.sleep(left / 1000.0)


# ---------------------------------------------------------------- lazy expiry

def test_lazy_expiry_every_command_sees_missing_key(raw):
    names = ["get", "exists", "ttl", "strlen", "getrange", "mget", "append", "incr", "setnx",
             "setxx", "rename", "copy", "expire", "persist", "type", "getdel", "getex", "lcs",
             "keys", "dump", "object", "move", "touch", "del"]
    for n in names:
        assert raw.cmd("SET", f"lazy:{n}", "12", "PX", 150) == "OK"
    t1 = mono_ms()
    sleep_past(t1 + 150)  # every deadline (set at server time <= t1) has passed
    c = raw.cmd
    assert c("GET", "lazy:get") is None
    assert c("EXISTS", "lazy:exists") == 0
    assert c("TTL", "lazy:ttl") == -2
    assert c("STRLEN", "lazy:strlen") == 0
    assert c("GETRANGE", "lazy:getrange", 0, -1) == b""
    assert c("MGET", "lazy:mget", "lazy:mget") == [None, None]
    assert c("APPEND", "lazy:append", "x") == 1
    assert c("INCR", "lazy:incr") == 1
    assert c("SETNX", "lazy:setnx", "v") == 1
    assert c("SET", "lazy:setxx", "v", "XX") is None
    assert c("RENAME", "lazy:rename", "renamed") == Err("ERR no such key")
    assert c("COPY", "lazy:copy", "copied") == 0
    assert c("EXPIRE", "lazy:expire", 100) == 0
    assert c("PERSIST", "lazy:persist") == 0
    assert c("TYPE", "lazy:type") == "none"
    assert c("GETDEL", "lazy:getdel") is None
    assert c("GETEX", "lazy:getex", "PERSIST") is None
    assert c("LCS", "lazy:lcs", "lazy:lcs") == b""
    assert c("KEYS", "lazy:keys") == []
    assert c("DUMP", "lazy:dump") is None
    assert c("OBJECT", "ENCODING", "lazy:object") is None
    assert c("MOVE", "lazy:move", 1) == 0
    assert c("TOUCH", "lazy:touch") == 0
    assert c("DEL", "lazy:del") == 0
    assert c("EXISTS", "renamed", "copied", "lazy:persist") == 0


def test_lazy_expiry_with_rare_active_cycle(shoal_factory):
    # --hz 1: the active cycle runs rarely, so accesses find the expired keys first
    s = shoal_factory("--hz", "1", shards=2)
    with s.raw() as c:
        keys = [f"k{i}" for i in range(200)]
        for k in keys:
            c.cmd("SET", k, "v", "PX", 100)
        t1 = mono_ms()
        sleep_past(t1 + 100)
        assert c.cmd("MGET", *keys) == [None] * 200
        assert c.cmd("EXISTS", *keys) == 0
        wait_until(lambda: c.cmd("DBSIZE") == 0, ACTIVE_EXPIRY_TIMEOUT, what="DBSIZE 0")


# ---------------------------------------------------------------- active expiry

def test_active_expiry_removes_untouched_keys(raw):
    raw.cmd("MSET", *[x for i in range(100) for x in (f"keep:{i}", "v")])
    for i in range(2000):
        raw.send_command("SET", f"vol:{i}", "v", "PX", random.randint(1, 300))
    for _ in range(2000):
        assert raw.read_reply() == "OK"
    wait_until(lambda: raw.cmd("DBSIZE") == 100, ACTIVE_EXPIRY_TIMEOUT,
               what="active expiry to remove 2000 volatile keys")
    assert raw.cmd("EXISTS", *[f"keep:{i}" for i in range(100)]) == 100


def test_active_expiry_in_other_databases(raw):
    for db in (1, 7, 15):
        raw.cmd("SELECT", db)
        for i in range(300):
            raw.cmd("SET", f"k{i}", "v", "PX", 50)
        raw.cmd("SET", "stays", "v")
    for db in (1, 7, 15):
        raw.cmd("SELECT", db)
        wait_until(lambda: raw.cmd("DBSIZE") == 1, ACTIVE_EXPIRY_TIMEOUT,
                   what=f"expiry in db {db}")
        assert raw.cmd("GET", "stays") == b"v"


def test_ttl_follows_rename_and_move(raw):
    for i in range(100):
        raw.cmd("SET", f"a{i}", "v", "PX", 200)
        raw.cmd("RENAME", f"a{i}", f"b{i}")  # many land on another shard
    raw.cmd("SET", "m", "v", "PX", 200)
    raw.cmd("MOVE", "m", 2)
    raw.cmd("SET", "c", "v", "PX", 200)
    raw.cmd("COPY", "c", "d")
    wait_until(lambda: raw.cmd("DBSIZE") == 0, ACTIVE_EXPIRY_TIMEOUT, what="renamed keys expire")
    raw.cmd("SELECT", 2)
    wait_until(lambda: raw.cmd("DBSIZE") == 0, ACTIVE_EXPIRY_TIMEOUT, what="moved key expires")


def test_overwrite_or_persist_cancels_expiry(raw):
    raw.cmd("SET", "a", "v", "PX", 100)
    raw.cmd("SET", "a", "w")
    raw.cmd("SET", "b", "v", "PX", 100)
    raw.cmd("PERSIST", "b")
    raw.cmd("SET", "c", "v", "PX", 100)
    raw.cmd("GETEX", "c", "PERSIST")
    raw.cmd("SET", "d", "v", "PX", 100)
    raw.cmd("GETSET", "d", "w")
    raw.cmd("SET", "gone", "v", "PX", 100)
    wait_until(lambda: raw.cmd("EXISTS", "gone") == 0 and raw.cmd("DBSIZE") == 4,
               ACTIVE_EXPIRY_TIMEOUT, what="the volatile key to go")
    assert raw.cmd("MGET", "a", "b", "c", "d") == [b"w", b"v", b"v", b"w"]
    assert [raw.cmd("TTL", k) for k in "abcd"] == [-1, -1, -1, -1]


# ---------------------------------------------------------------- millisecond precision

@pytest.mark.parametrize("how", [["PX", 50], ["PSETEX"], ["PEXPIRE"], ["PXAT"]])
def test_px_deadline_never_early_and_eventually(raw, how):
    ttl = 50
    t_sent = mono_ms()
    if how[0] == "PX":
        assert raw.cmd("SET", "k", "v", "PX", ttl) == "OK"
    elif how[0] == "PSETEX":
        assert raw.cmd("PSETEX", "k", ttl, "v") == "OK"
    elif how[0] == "PEXPIRE":
        raw.cmd("SET", "k", "v")
        t_sent = mono_ms()
        assert raw.cmd("PEXPIRE", "k", ttl) == 1
    else:
        deadline = int(mono_ms()) + ttl
        t_sent = deadline - ttl
        assert raw.cmd("SET", "k", "v", "PXAT", deadline) == "OK"
    earliest = t_sent + ttl - 2  # the server's clock may be at most ~1 ms behind ours
    pttl = raw.cmd("PTTL", "k")
    assert pttl == -2 or 0 <= pttl <= ttl
    last = pttl if pttl >= 0 else ttl
    deadline = time.monotonic() + 10
    while True:
        v = raw.cmd("GET", "k")
        t_reply = mono_ms()
        if v is None:
            assert t_reply >= earliest, f"key vanished {earliest - t_reply:.1f} ms early"
            break
        assert v == b"v"
        p = raw.cmd("PTTL", "k")
        if p >= 0:
            assert p <= last, "PTTL went up"
            last = p
        assert time.monotonic() < deadline, "key with a 50 ms TTL still there after 10 s"
        time.sleep(0.002)


def test_pttl_resolution(raw):
    raw.cmd("SET", "k", "v", "PX", 123456)
    p = raw.cmd("PTTL", "k")
    assert 100000 < p <= 123456
    raw.cmd("PEXPIRE", "k", 5_000_000)
    assert 4_000_000 < raw.cmd("PTTL", "k") <= 5_000_000
    assert 4000 < raw.cmd("TTL", "k") <= 5000


# ---------------------------------------------------------------- under load

def test_expiry_under_concurrent_load(shoal):
    """Several threads write volatile keys (1..100 ms) and persistent keys and read their own
    keys back: a read may never return a value past its deadline, and in the end only the
    persistent keys are left."""
    threads, per_thread = 4, 600
    failures = []

    def worker(w):
        rng = random.Random(w)
        try:
            with shoal.raw() as c:
                live = []
                for i in range(per_thread):
                    ttl = rng.randint(1, 100)
                    key = f"w{w}:vol:{i}"
                    t_sent = mono_ms()
                    assert c.cmd("SET", key, "v", "PX", ttl) == "OK"
                    t_reply = mono_ms()
                    live.append((key, t_reply + ttl))
                    if i % 3 == 0:
                        c.cmd("SET", f"w{w}:keep:{i}", "v")
                    # read back some earlier keys; any whose deadline has passed must be gone
                    for key2, must_be_gone_after in rng.sample(live, min(3, len(live))):
                        before = mono_ms()
                        v = c.cmd("GET", key2)
                        if before > must_be_gone_after + 2:
                            assert v is None, f"{key2} returned after its deadline"
        except Exception as e:
            failures.append(repr(e))

    ts = [threading.Thread(target=worker, args=(w,)) for w in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    assert not failures, failures
    keep = threads * len(range(0, per_thread, 3))
    with shoal.raw() as c:
        wait_until(lambda: c.cmd("DBSIZE") == keep, ACTIVE_EXPIRY_TIMEOUT,
                   what=f"only the {keep} persistent keys to remain")
        assert len(c.cmd("KEYS", "*:keep:*")) == keep
