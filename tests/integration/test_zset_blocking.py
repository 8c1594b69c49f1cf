"""Blocking sorted set pops (docs/blocking.md): BZPOPMIN, BZPOPMAX, BZMPOP.

Replies that do not wait, and scenarios with blocked clients, are compared with
redis-server; the rest checks outcomes on shoal: wake-up on every shard, FIFO order, keys
on several shards, disconnects, and no member lost or duplicated when adds race timeouts.
"""
import threading
import time

import pytest

from resp_helpers import assert_same_replies
from test_atomicity import run_threads, server  # noqa: F401 - server: a fixture (2, 4 shards)
from test_list_blocking import KEYS, blocked_clients, in_thread, run_blocked_scenario, wait_blocked

CASES = [
    ("served-at-once", [["ZADD", "z", "1", "a", "2", "b", "3", "c"], ["BZPOPMIN", "nope", "z", "0"],
                        ["BZPOPMAX", "z", "nope", "0.5"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
                        ["BZPOPMIN", "z", "z", "0"], ["EXISTS", "z"]]),
    ("scores", [["ZADD", "z", "-inf", "lo", "inf", "hi", "1.5", "mid", "-0", "zero"],
                ["BZPOPMIN", "z", "0"], ["BZPOPMAX", "z", "0"], ["BZPOPMIN", "z", "0"], ["BZPOPMIN", "z", "0"]]),
    ("bzmpop-at-once", [["ZADD", "z", "1", "a", "2", "b", "3", "c"], ["BZMPOP", "0", "2", "nope", "z", "MIN"],
                        ["BZMPOP", "0", "1", "z", "MAX", "COUNT", "5"], ["EXISTS", "z"],
                        ["BZMPOP", "0", "0", "z", "MIN"], ["BZMPOP", "0", "3", "z", "MIN"],
                        ["BZMPOP", "0", "1", "z", "UP"], ["BZMPOP", "0", "1", "z", "MIN", "COUNT", "0"],
                        ["BZMPOP", "0", "1", "z", "MIN", "COUNT", "-1"], ["BZMPOP", "0", "1", "z", "MIN", "COUNT"],
                        ["BZMPOP", "x", "1", "z", "MIN"], ["BZMPOP", "-1", "1", "z", "MIN"]]),
    ("timeouts", [["BZPOPMIN", "nope", "0.01"], ["BZPOPMAX", "nope", "0.001"],
                  ["BZMPOP", "0.01", "1", "nope", "MAX"], ["BZPOPMIN", "nope", "-1"],
                  ["BZPOPMAX", "nope", "x"], ["BZPOPMIN", "nope", "inf"], ["BZPOPMIN", "nope", "nan"],
                  ["BZPOPMIN", "nope", "1e-2"]]),
    ("wrongtype", [["SET", "s", "v"], ["BZPOPMIN", "nope", "s", "0"], ["BZPOPMAX", "s", "0"],
                   ["ZADD", "z", "1", "x"], ["BZPOPMIN", "z", "s", "0"], ["BZPOPMIN", "s", "z", "0"],
                   ["RPUSH", "l", "x"], ["BZMPOP", "0", "2", "l", "z", "MIN"], ["ZCARD", "z"]]),
    ("arity", [["BZPOPMIN", "k"], ["BZPOPMAX"], ["BZMPOP", "0", "1", "k"], ["BZMPOP", "0"]]),
    ("in-multi", [["MULTI"], ["BZPOPMIN", "nope", "0"], ["BZMPOP", "0", "1", "nope", "MIN"],
                  ["ZADD", "x", "1", "m"], ["BZPOPMAX", "x", "0"], ["EXEC"]]),
]


@pytest.mark.parametrize("commands", [pytest.param(c[1], id=c[0]) for c in CASES])
def test_same_replies_as_redis(raw, ref_raw, commands):
    assert_same_replies(raw, ref_raw, commands)


@pytest.mark.parametrize("resp", [2, 3])
def test_same_replies_as_redis_resp3_too(shoal, redis_ref, resp):
    commands = [["HELLO", str(resp)], ["ZADD", "z", "1", "a", "2.5", "b"], ["BZPOPMIN", "z", "0"],
                ["BZMPOP", "0", "1", "z", "MAX", "COUNT", "2"], ["BZPOPMIN", "z", "0.01"],
                ["BZMPOP", "0.01", "1", "z", "MIN"]]
    with shoal.raw() as a, redis_ref.raw() as b:
        a.cmd("FLUSHALL")
        b.cmd("FLUSHALL")
        assert [a.cmd(*c) for c in commands][1:] == [b.cmd(*c) for c in commands][1:]


SCENARIOS = [
    ("second-key", [], [["BZPOPMIN", "a", "b", "c", "0"]], [["ZADD", "c", "2", "x", "1", "y"], ["ZADD", "b", "5", "z"]],
     [["ZRANGE", "b", "0", "-1"], ["ZRANGE", "c", "0", "-1"]]),
    ("fifo-three", [], [["BZPOPMIN", "k", "0"], ["BZPOPMAX", "k", "0"], ["BZMPOP", "0", "1", "k", "MIN", "COUNT", "5"]],
     [["ZADD", "k", "1", "a", "2", "b", "3", "c", "4", "d"], ["ZCARD", "k"]], [["EXISTS", "k"]]),
    ("bzmpop-count", [], [["BZMPOP", "0", "2", "m", "n", "MAX", "COUNT", "2"]], [["ZADD", "n", "1", "a", "2", "b", "3", "c"]],
     [["ZRANGE", "n", "0", "-1"]]),
    ("after-exec", [], [["BZPOPMAX", "t", "0"]],
     [["MULTI"], ["ZADD", "t", "1", "a", "2", "b"], ["ZCARD", "t"], ["ZPOPMAX", "t"], ["EXEC"]], [["ZRANGE", "t", "0", "-1"]]),
    ("list-then-zset", [], [["BZPOPMIN", "k", "0"]], [["RPUSH", "k", "v"], ["DEL", "k"], ["ZADD", "k", "1", "z"]],
     [["EXISTS", "k"]]),
    ("zunionstore-in", [["ZADD", "src", "1", "v"]], [["BZPOPMIN", "dst", "0"]], [["ZUNIONSTORE", "dst", "1", "src"]],
     [["EXISTS", "dst"]]),
    ("list-and-zset-waiters", [], [["BLPOP", "k", "0"], ["BZPOPMIN", "k", "0"]],
     [["ZADD", "k", "1", "z"], ["RPUSH", "k2", "x"], ["RENAME", "k2", "k"]], [["EXISTS", "k"]]),
]


@pytest.mark.parametrize("setup,blocked,pushes,check", [pytest.param(*c[1:], id=c[0]) for c in SCENARIOS])
def test_blocked_scenarios_match_redis(shoal, redis_ref, setup, blocked, pushes, check):
    assert run_blocked_scenario(shoal, setup, blocked, pushes, check) == \
        run_blocked_scenario(redis_ref, setup, blocked, pushes, check)


def test_timeout_returns_nil_after_the_delay(shoal):
    r = shoal.client()
    for cmd in (lambda: r.bzpopmin(["nope1", "nope2"], 0.3), lambda: r.bzpopmax("nope", 0.3),
                lambda: r.execute_command("BZMPOP", "0.3", "1", "nope", "MIN")):
        start = time.monotonic()
        assert cmd() is None
        assert 0.28 <= time.monotonic() - start < 3
    assert blocked_clients(r) == 0


def test_add_wakes_blocked_client_on_every_shard(shoal):
    r = shoal.client()
    for key in KEYS:
        c = shoal.client()
        join = in_thread(lambda: c.bzpopmax(["nope", key], 0))
        wait_blocked(r, 1)
        assert r.zadd(key, {"a": 1, "b": 2}) == 2
        assert join() == (key.encode(), b"b", 2.0)
        assert r.zrange(key, 0, -1) == [b"a"]  # served before the next command
        assert blocked_clients(r) == 0
        r.delete(key)


def test_fifo_wake_up_order(server):
    r = server.client()
    for key in KEYS[:4]:
        joins = []
        for i in range(3):
            c = server.client()
            joins.append(in_thread(lambda c=c: c.bzpopmin(key, 0)))
            wait_blocked(r, i + 1)
        r.zadd(key, {"a": 1, "b": 2, "c": 3, "d": 4})
        assert [j() for j in joins] == [(key.encode(), m, s) for m, s in ((b"a", 1), (b"b", 2), (b"c", 3))]
        assert r.zrange(key, 0, -1) == [b"d"]
        r.delete(key)


def test_keys_on_several_shards(server):
    r = server.client()
    c = server.client()
    join = in_thread(lambda: c.execute_command("BZMPOP", "0", str(len(KEYS)), *KEYS, "MIN", "COUNT", "10"))
    wait_blocked(r, 1)
    r.zadd(KEYS[6], {"x": 1, "y": 2})
    assert join() == [KEYS[6].encode(), [[b"x", b"1"], [b"y", b"2"]]]
    for key in KEYS:  # unregistered everywhere
        r.zadd(key, {"m": 1})
    assert all(r.zcard(key) == 1 for key in KEYS)


def test_disconnected_client_loses_no_member(shoal):
    r = shoal.client()
    with shoal.raw() as gone:
        gone.send_command("BZPOPMIN", "dz", "0")
        wait_blocked(r, 1)
    wait_blocked(r, 0)
    r.zadd("dz", {"m": 1})
    assert r.zrange("dz", 0, -1) == [b"m"]


def test_client_unblock(shoal):
    r = shoal.client()
    c = shoal.client()
    cid = c.client_id()
    join = in_thread(lambda: c.bzpopmin("ub", 0))
    wait_blocked(r, 1)
    assert r.client_unblock(cid) == 1
    assert join() is None
    assert r.client_unblock(cid) == 0


def test_no_member_lost_or_duplicated_when_adds_race_timeouts(server):
    """Consumers BZPOPMIN with tiny timeouts on keys of both shards while producers add; every
    member is received exactly once or still in its set."""
    keys = KEYS[:4]
    produced = 400
    received = []
    lock = threading.Lock()
    done = threading.Event()

    def consumer():
        c = server.client()
        while not done.is_set():
            got = c.bzpopmin(keys, 0.01)
            if got is not None:
                with lock:
                    received.append(got[1])

    def producer(n):
        def run():
            p = server.client()
            for i in range(produced // 2):
                p.zadd(keys[i % len(keys)], {f"{n}-{i}": i})
        return run

    consumers = [threading.Thread(target=consumer) for _ in range(6)]
    for t in consumers:
        t.start()
    try:
        run_threads([producer(0), producer(1)])
    finally:
        time.sleep(0.2)
        done.set()
        for t in consumers:
            t.join(30)
    r = server.client()
    left = [m for k in keys for m in r.zrange(k, 0, -1)]
    assert sorted(received + left) == sorted(f"{n}-{i}".encode() for n in range(2) for i in range(produced // 2))
    wait_blocked(r, 0)
