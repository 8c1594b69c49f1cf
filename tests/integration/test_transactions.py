"""MULTI/EXEC/DISCARD/WATCH/UNWATCH (docs/transactions.md): queueing and its errors compared
with redis-server, EXEC atomic across shards under concurrent clients, WATCH aborting on
changes by other clients, by the client itself, by expiry and by FLUSHALL, and cleanup on
disconnect.
"""
import threading
import time

import pytest
import redis

from resp_helpers import Err, assert_same_replies
from test_atomicity import Until, run_threads

EXECABORT = Err("EXECABORT Transaction discarded because of previous errors.")

CASES = [
    ("queue-and-exec", [["MULTI"], ["SET", "a", "1"], ["INCR", "a"], ["GET", "a"],
                        ["HSET", "h", "f", "v"], ["MSET", "x", "1", "y", "2"],
                        ["MGET", "x", "y", "a"], ["EXEC"], ["GET", "a"]]),
    ("runtime-errors-do-not-abort", [["SET", "s", "x"], ["MULTI"], ["INCR", "s"],
                                     ["SET", "s", "5"], ["INCR", "s"], ["HGET", "s", "f"],
                                     ["EXEC"]]),
    ("queue-time-errors-abort", [["MULTI"], ["SET", "a"], ["SET", "b", "1"], ["EXEC"],
                                 ["EXISTS", "b"], ["MULTI"], ["NOSUCHCOMMAND", "x"], ["EXEC"],
                                 ["MULTI"], ["SHUTDOWN"], ["EXEC"]]),
    ("nesting-and-stray", [["EXEC"], ["DISCARD"], ["MULTI"], ["MULTI"], ["WATCH", "x"],
                           ["SET", "a", "1"], ["EXEC"], ["MULTI"], ["SET", "a", "2"],
                           ["DISCARD"], ["GET", "a"], ["MULTI"], ["EXEC"]]),
    ("watch-own-change", [["WATCH", "w"], ["SET", "w", "1"], ["MULTI"], ["GET", "w"], ["EXEC"],
                          ["WATCH", "w"], ["MULTI"], ["GET", "w"], ["EXEC"],
                          ["WATCH", "w"], ["UNWATCH"], ["SET", "w", "2"], ["MULTI"],
                          ["GET", "w"], ["EXEC"]]),
    ("watch-read-is-not-a-change", [["SET", "w", "1"], ["HSET", "h", "f", "v"], ["WATCH", "w", "h"],
                                    ["GET", "w"], ["HGETALL", "h"], ["EXISTS", "w"], ["MULTI"],
                                    ["INCR", "w"], ["EXEC"]]),
    ("watch-missing-key-created", [["WATCH", "nope"], ["SET", "nope", "1"], ["MULTI"],
                                   ["PING"], ["EXEC"]]),
    ("watch-flushall-swapdb", [["SET", "w", "1"], ["WATCH", "w"], ["FLUSHALL"], ["MULTI"],
                               ["PING"], ["EXEC"], ["WATCH", "other"], ["FLUSHDB"], ["MULTI"],
                               ["PING"], ["EXEC"]]),
    ("select-inside-multi", [["MULTI"], ["SELECT", "1"], ["SET", "k", "db1"], ["SELECT", "0"],
                             ["SET", "k", "db0"], ["EXEC"], ["GET", "k"], ["SELECT", "1"],
                             ["GET", "k"], ["SELECT", "0"]]),
    ("multi-reset", [["MULTI"], ["SET", "a", "1"], ["RESET"], ["EXEC"], ["EXISTS", "a"]]),
    ("watch-arity", [["WATCH"], ["MULTI", "x"], ["EXEC", "x"], ["DISCARD", "x"],
                     ["UNWATCH", "x"]]),
]


@pytest.mark.parametrize("commands", [pytest.param(c[1], id=c[0]) for c in CASES])
def test_same_replies_as_redis(raw, ref_raw, commands):
    assert_same_replies(raw, ref_raw, commands)


def test_resp3_aborted_exec_is_null(raw):
    raw.cmd("HELLO", "3")
    raw.cmd("WATCH", "k")
    raw.cmd("SET", "k", "1")
    raw.cmd("MULTI")
    raw.cmd("PING")
    assert raw.cmd("EXEC") is None


def test_pipelined_transaction(raw):
    # The whole transaction in one write: queueing must not be squashed across shards.
    keys = [f"k{i}" for i in range(20)]
    raw.send(b"".join(
        [b"*1\r\n$5\r\nMULTI\r\n"] +
        [f"*3\r\n$3\r\nSET\r\n${len(k)}\r\n{k}\r\n$1\r\n1\r\n".encode() for k in keys] +
        [b"*1\r\n$4\r\nEXEC\r\n"] +
        [f"*2\r\n$3\r\nGET\r\n${len(k)}\r\n{k}\r\n".encode() for k in keys]))
    assert raw.read_reply() == "OK"
    for _ in keys:
        assert raw.read_reply() == "QUEUED"
    assert raw.read_reply() == ["OK"] * len(keys)
    for _ in keys:
        assert raw.read_reply() == b"1"


def test_watch_aborts_on_another_clients_write(shoal):
    a, b = shoal.client(), shoal.client()
    a.set("balance", 10)
    with a.pipeline() as p:
        p.watch("balance")
        b.incr("balance")  # another client, between WATCH and EXEC
        p.multi()
        p.set("balance", 0)
        with pytest.raises(redis.WatchError):
            p.execute()
    assert a.get("balance") == b"11"


def test_watch_aborts_when_the_key_expires(raw):
    raw.cmd("SET", "t", "1", "PX", "50")
    raw.cmd("WATCH", "t")
    time.sleep(0.15)  # expired, and nobody looked at it
    raw.cmd("MULTI")
    raw.cmd("PING")
    assert raw.cmd("EXEC") is None


def test_watch_on_a_hash_field_change(raw):
    raw.cmd("HSET", "h", "a", "1")
    raw.cmd("WATCH", "h")
    with_other = raw  # same client: its own write counts too
    with_other.cmd("HSET", "h", "b", "2")
    raw.cmd("MULTI")
    raw.cmd("HLEN", "h")
    assert raw.cmd("EXEC") is None


def test_optimistic_counter_is_exact_under_contention(shoal):
    """CAS increments with WATCH/MULTI/EXEC retries: no update is lost."""
    per_thread, threads = 100, 4

    def worker():
        c = shoal.client()
        for _ in range(per_thread):
            while True:
                with c.pipeline() as p:
                    try:
                        p.watch("counter")
                        v = int(p.get("counter") or 0)
                        p.multi()
                        p.set("counter", v + 1)
                        p.execute()
                        break
                    except redis.WatchError:
                        continue
        c.close()

    run_threads([worker] * threads)
    assert int(shoal.client().get("counter")) == per_thread * threads


@pytest.mark.parametrize("shards", [2, 4])
def test_exec_is_atomic_across_shards(scratch_shoal, shards):
    """A reader using MGET of keys on every shard never sees part of a transaction that sets
    all of them."""
    server = scratch_shoal(shards=shards)
    keys = [f"key:{i}" for i in range(16)]
    writers = Until(2)
    bad = []

    def writer(tag):
        def run():
            c = server.client()
            try:
                for i in range(300):
                    with c.pipeline(transaction=True) as p:
                        for k in keys:
                            p.set(k, f"{tag}{i}")
                        p.execute()
            finally:
                writers.writer_done()
                c.close()
        return run

    def reader():
        c = server.client()
        for _ in range(20000):
            if not writers.busy():
                break
            vals = c.mget(keys)
            if len(set(vals)) != 1:
                bad.append(vals)
                break
        c.close()

    run_threads([writer("a"), writer("b"), reader, reader])
    assert not bad, f"saw a partial transaction: {bad[0]}"
    assert len(set(server.client().mget(keys))) == 1
    assert server.client().ping()


def test_disconnect_while_watching_and_queued(shoal):
    c = shoal.raw()
    c.cmd("WATCH", *[f"w{i}" for i in range(50)])
    c.cmd("MULTI")
    c.cmd("SET", "queued", "1")
    c.close()  # nothing of the queue runs; the watches are dropped
    r = shoal.client()
    for i in range(50):
        r.set(f"w{i}", i)
    assert r.exists("queued") == 0
    assert r.ping()


def test_exec_blocks_other_clients_only_while_it_runs(shoal):
    r = shoal.client()
    with r.pipeline(transaction=True) as p:
        for i in range(1000):
            p.set(f"big{i}", i)
        assert p.execute() == [True] * 1000
    assert r.dbsize() == 1000
