"""Blocking list commands (docs/blocking.md): BLPOP, BRPOP, BLMPOP, BLMOVE, BRPOPLPUSH.

Replies that do not wait are compared with redis-server; waits are checked by their
outcome: timeouts, FIFO wake-up, pushes from other clients on other shards, disconnects
(no element lost), BLMOVE across shards, serving after EXEC, and no element lost or
duplicated when pushes race timeouts.
"""
import threading
import time

import pytest

from resp_helpers import assert_same_replies, wait_until
from test_atomicity import run_threads, server  # noqa: F401 - server: a fixture (2, 4 shards)

# Enough keys that some surely live on each shard (and pairs on different shards).
KEYS = [f"bk{i}" for i in range(8)]

CASES = [
    ("served-at-once", [["RPUSH", "a", "1", "2", "3"], ["BLPOP", "nope", "a", "0"],
                        ["BRPOP", "a", "nope", "0.5"], ["LRANGE", "a", "0", "-1"],
                        ["BLPOP", "a", "a", "0"], ["EXISTS", "a"]]),
    ("blmpop-at-once", [["RPUSH", "a", "1", "2", "3"], ["BLMPOP", "0", "2", "nope", "a", "LEFT"],
                        ["BLMPOP", "0", "1", "a", "RIGHT", "COUNT", "5"], ["EXISTS", "a"],
                        ["BLMPOP", "0", "0", "a", "LEFT"], ["BLMPOP", "0", "3", "a", "LEFT"],
                        ["BLMPOP", "0", "1", "a", "UP"], ["BLMPOP", "0", "1", "a", "LEFT", "COUNT", "0"],
                        ["BLMPOP", "x", "1", "a", "LEFT"], ["BLMPOP", "-1", "1", "a", "LEFT"]]),
    ("blmove-at-once", [["RPUSH", "src", "a", "b", "c"], ["BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"],
                        ["BRPOPLPUSH", "src", "dst", "0"], ["BLMOVE", "src", "src", "LEFT", "RIGHT", "0"],
                        ["LRANGE", "src", "0", "-1"], ["LRANGE", "dst", "0", "-1"],
                        ["BLMOVE", "src", "dst", "UP", "LEFT", "0"], ["BLMOVE", "src", "dst", "LEFT", "LEFT", "x"],
                        ["BLMOVE", "src", "dst", "LEFT", "UP", "x"], ["SET", "str", "v"],
                        ["BLMOVE", "src", "str", "LEFT", "LEFT", "0"], ["BRPOPLPUSH", "str", "dst", "0"],
                        ["BLMOVE", "nope", "str", "LEFT", "LEFT", "0.01"]]),
    ("timeouts", [["BLPOP", "nope", "0.01"], ["BRPOP", "nope", "0.001"], ["BLMPOP", "0.01", "1", "nope", "LEFT"],
                  ["BLMOVE", "nope", "d", "LEFT", "LEFT", "0.01"], ["BRPOPLPUSH", "nope", "d", "0.01"],
                  ["BLPOP", "nope", "-1"], ["BLPOP", "nope", "x"], ["BLPOP", "nope", ""],
                  ["BLPOP", "nope", " 1"], ["BLPOP", "nope", "1x"], ["BLPOP", "nope", "nan"],
                  ["BLPOP", "nope", "inf"], ["BLPOP", "nope", "-inf"], ["BLPOP", "nope", "1e30"],
                  ["BLPOP", "nope", "-1e30"], ["BLPOP", "nope", "0x0.01p1"], ["BLPOP", "nope", "1e-2"],
                  ["BLPOP", "nope", "0.0001"], ["BLPOP", "nope", "1e-300"],
                  ["BRPOPLPUSH", "nope", "d", "-1"], ["BLMOVE", "nope", "d", "LEFT", "LEFT", "-1"],
                  ["EXISTS", "d"]]),
    ("wrongtype", [["SET", "s", "v"], ["BLPOP", "nope", "s", "0"], ["BRPOP", "s", "0"],
                   ["RPUSH", "l", "x"], ["BLPOP", "l", "s", "0"], ["BLPOP", "s", "l", "0"],
                   ["BLMPOP", "0", "2", "s", "l", "LEFT"], ["BLMOVE", "s", "d", "LEFT", "LEFT", "0"]]),
    ("arity", [["BLPOP", "k"], ["BRPOP"], ["BLMPOP", "0", "1", "k"], ["BLMOVE", "a", "b", "LEFT", "LEFT"],
               ["BRPOPLPUSH", "a", "b"]]),
    ("in-multi", [["MULTI"], ["BLPOP", "nope", "0"], ["BLMOVE", "nope", "d", "LEFT", "LEFT", "0"],
                  ["BLMPOP", "0", "1", "nope", "LEFT"], ["RPUSH", "x", "1"], ["BRPOP", "x", "0"],
                  ["EXEC"]]),
]


@pytest.mark.parametrize("commands", [pytest.param(c[1], id=c[0]) for c in CASES])
def test_same_replies_as_redis(raw, ref_raw, commands):
    assert_same_replies(raw, ref_raw, commands)


# Scenarios run on shoal and on redis-server alike: (setup, blocked commands, each sent by
# its own client in this order, then the other client's commands, then a final check).
SCENARIOS = [
    ("blpop-second-key", [], [["BLPOP", "a", "b", "c", "0"]], [["RPUSH", "c", "1", "2"], ["RPUSH", "b", "x"]],
     [["LRANGE", "b", "0", "-1"], ["LRANGE", "c", "0", "-1"]]),
    ("fifo-three", [], [["BLPOP", "k", "0"], ["BRPOP", "k", "0"], ["BLMPOP", "0", "1", "k", "LEFT", "COUNT", "5"]],
     [["RPUSH", "k", "1", "2", "3", "4"], ["LLEN", "k"]], [["EXISTS", "k"]]),
    ("blmpop-count", [], [["BLMPOP", "0", "2", "m", "n", "RIGHT", "COUNT", "2"]], [["RPUSH", "n", "a", "b", "c"]],
     [["LRANGE", "n", "0", "-1"]]),
    ("blmove-wrongtype-dst", [], [["BLMOVE", "s", "d", "LEFT", "RIGHT", "0"], ["BLPOP", "s", "0"]],
     [["SET", "d", "str"], ["RPUSH", "s", "v"]], [["EXISTS", "s"], ["GET", "d"]]),
    ("brpoplpush-rotate", [], [["BRPOPLPUSH", "s", "s", "0"], ["BLPOP", "s", "0"]], [["RPUSH", "s", "a", "b"]],
     [["LRANGE", "s", "0", "-1"]]),
    ("blmove-chain", [], [["BLMOVE", "a", "b", "RIGHT", "LEFT", "0"], ["BLMOVE", "b", "c", "LEFT", "LEFT", "0"]],
     [["LPUSH", "a", "x"], ["LRANGE", "a", "0", "-1"]], [["LRANGE", "b", "0", "-1"], ["LRANGE", "c", "0", "-1"]]),
    ("after-exec", [], [["BLPOP", "t", "0"]], [["MULTI"], ["RPUSH", "t", "a", "b"], ["LLEN", "t"], ["LPOP", "t"], ["EXEC"]],
     [["EXISTS", "t"]]),
    ("string-then-list", [], [["BLPOP", "k", "0"]], [["SET", "k", "v"], ["DEL", "k"], ["RPUSH", "k", "z"]],
     [["EXISTS", "k"]]),
    ("renamed-in", [["RPUSH", "src", "v"]], [["BRPOP", "dst", "0"]], [["RENAME", "src", "dst"]], [["EXISTS", "dst"]]),
]


def run_blocked_scenario(server, setup, blocked, pushes, check):
    """Runs `setup`, then each of `blocked` from its own client (waiting until it blocks),
    then `pushes` from another; returns the replies of the pushes, the blocked commands and
    `check`, in that order."""
    with server.raw() as main:
        assert main.cmd("FLUSHALL") == "OK"
        for cmd in setup:
            main.cmd(*cmd)
        waiters = []
        for i, cmd in enumerate(blocked):
            w = server.raw()
            w.send_command(*cmd)
            waiters.append(w)
            wait_until(lambda: main.cmd("INFO", "clients").count(b"blocked_clients:%d" % (i + 1)) == 1,
                       what="blocked")
        replies = [main.cmd(*cmd) for cmd in pushes]
        replies += [w.read_reply() for w in waiters]
        replies += [main.cmd(*cmd) for cmd in check]
        for w in waiters:
            w.close()
        return replies


@pytest.mark.parametrize("setup,blocked,pushes,check", [pytest.param(*c[1:], id=c[0]) for c in SCENARIOS])
def test_blocked_scenarios_match_redis(shoal, redis_ref, setup, blocked, pushes, check):
    assert run_blocked_scenario(shoal, setup, blocked, pushes, check) == \
        run_blocked_scenario(redis_ref, setup, blocked, pushes, check)


def blocked_clients(r):
    return r.info("clients")["blocked_clients"]


def wait_blocked(r, n):
    wait_until(lambda: blocked_clients(r) == n, what=f"{n} blocked clients")


def in_thread(fn):
    """Starts fn in a thread; returns a function that joins it and gives its result."""
    out = {}

    def run():
        try:
            out["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - re-raised by the joiner
            out["error"] = e

    t = threading.Thread(target=run)
    t.start()

    def join(timeout=30):
        t.join(timeout)
        assert not t.is_alive(), "the blocked call did not return"
        if "error" in out:
            raise out["error"]
        return out["value"]
    return join


def test_timeout_returns_nil_after_the_delay(shoal):
    r = shoal.client()
    for cmd in (lambda: r.blpop(["nope1", "nope2"], 0.3), lambda: r.brpop("nope", 0.3),
                lambda: r.blmove("nope", "d", 0.3, "LEFT", "RIGHT"),
                lambda: r.brpoplpush("nope", "d", 0.3),
                lambda: r.execute_command("BLMPOP", "0.3", "1", "nope", "LEFT")):
        start = time.monotonic()
        assert cmd() is None
        assert 0.28 <= time.monotonic() - start < 3
    assert blocked_clients(r) == 0
    assert r.exists("d") == 0


def test_push_wakes_blocked_client_on_every_shard(shoal):
    r = shoal.client()
    for key in KEYS:  # keys on both shards; clients accepted on either
        c = shoal.client()
        join = in_thread(lambda: c.blpop(["nope", key], 0))
        wait_blocked(r, 1)
        assert r.rpush(key, "a", "b") == 2  # the reply counts the pushed elements
        assert join() == (key.encode(), b"a")
        assert r.lrange(key, 0, -1) == [b"b"]  # served before the next command
        assert blocked_clients(r) == 0
        r.delete(key)


def test_served_before_the_pushers_next_command(shoal):
    r = shoal.client()
    c = shoal.client()
    join = in_thread(lambda: c.brpop("k", 0))
    wait_blocked(r, 1)
    with r.pipeline(transaction=False) as p:
        p.lpush("k", "x")
        p.llen("k")
        p.exists("k")
        assert p.execute() == [1, 0, 0]
    assert join() == (b"k", b"x")


def test_fifo_wake_up_order(server):
    r = server.client()
    for key in KEYS[:4]:
        joins = []
        for i in range(3):
            c = server.client()
            joins.append(in_thread(lambda c=c: c.blpop(key, 0)))
            wait_blocked(r, i + 1)
        r.rpush(key, "1", "2", "3", "4")
        assert [j() for j in joins] == [(key.encode(), v) for v in (b"1", b"2", b"3")]
        assert r.lrange(key, 0, -1) == [b"4"]
        r.delete(key)


def test_fifo_one_push_per_waiter(shoal):
    r = shoal.client()
    key = "fifo"
    joins = []
    for i in range(3):
        c = shoal.client()
        joins.append(in_thread(lambda c=c: c.brpop(["other", key], 0)))
        wait_blocked(r, i + 1)
    for v in ("a", "b", "c"):
        assert r.lpush(key, v) == 1
    assert [j() for j in joins] == [(key.encode(), v) for v in (b"a", b"b", b"c")]
    assert r.exists(key) == 0


def test_blpop_on_keys_of_several_shards(server):
    r = server.client()
    c = server.client()
    join = in_thread(lambda: c.blpop(KEYS, 0))
    wait_blocked(r, 1)
    r.rpush(KEYS[5], "x")
    assert join() == (KEYS[5].encode(), b"x")
    # It is unregistered everywhere: later pushes stay in their lists.
    for key in KEYS:
        r.rpush(key, "y")
    assert all(r.lrange(key, 0, -1) == [b"y"] for key in KEYS)


def test_blmpop_count_and_side(shoal):
    r = shoal.client()
    c = shoal.client()
    join = in_thread(lambda: c.execute_command("BLMPOP", "0", "2", "m1", "m2", "RIGHT", "COUNT", "2"))
    wait_blocked(r, 1)
    r.rpush("m2", "a", "b", "c")
    assert join() == [b"m2", [b"c", b"b"]]
    assert r.lrange("m2", 0, -1) == [b"a"]


def test_blmove_between_every_pair_of_shards(shoal):
    r = shoal.client()
    for src in KEYS[:4]:
        for dst in KEYS[4:]:
            c = shoal.client()
            join = in_thread(lambda: c.blmove(src, dst, 0, "RIGHT", "LEFT"))
            wait_blocked(r, 1)
            r.rpush(dst, "old")
            r.rpush(src, "x", "y")
            assert join() == b"y"
            assert r.lrange(src, 0, -1) == [b"x"]
            assert r.lrange(dst, 0, -1) == [b"y", b"old"]
            r.delete(src, dst)
    # BRPOPLPUSH onto itself: the element rotates back.
    c = shoal.client()
    join = in_thread(lambda: c.brpoplpush("self", "self", 0))
    wait_blocked(r, 1)
    r.rpush("self", "a")
    assert join() == b"a"
    assert r.lrange("self", 0, -1) == [b"a"]


def test_blmove_to_a_key_of_another_type_keeps_the_element(shoal):
    r = shoal.client()
    for src, dst in [(KEYS[0], KEYS[1]), (KEYS[2], KEYS[5]), (KEYS[3], KEYS[7])]:
        c = shoal.client()
        join = in_thread(lambda: c.blmove(src, dst, 0, "LEFT", "LEFT"))
        wait_blocked(r, 1)
        r.set(dst, "string")
        r.rpush(src, "a")
        with pytest.raises(Exception, match="WRONGTYPE"):
            join()
        assert r.lrange(src, 0, -1) == [b"a"]
        r.delete(src, dst)


def test_served_after_exec_sees_the_transaction(shoal):
    r = shoal.client()
    c = shoal.client()
    join = in_thread(lambda: c.blpop("t", 0))
    wait_blocked(r, 1)
    with r.pipeline(transaction=True) as p:
        p.rpush("t", "a", "b")
        p.llen("t")
        p.lpop("t")
        assert p.execute() == [2, 2, b"a"]
    assert join() == (b"t", b"b")
    assert r.exists("t") == 0


def test_created_by_restore_rename_and_lmove(shoal):
    r = shoal.client()
    r.rpush("from", "v")
    dump = r.dump("from")
    for make in (lambda k: r.restore(k, 0, dump), lambda k: r.rename("from", k),
                 lambda k: r.lmove("from", k, "LEFT", "LEFT")):
        r.delete("from")
        r.rpush("from", "v")
        c = shoal.client()
        join = in_thread(lambda: c.blpop("made", 0))
        wait_blocked(r, 1)
        make("made")
        assert join() == (b"made", b"v")
        assert r.exists("made") == 0


def test_disconnected_client_loses_no_element(shoal):
    r = shoal.client()
    for key in KEYS[:4]:
        raw = shoal.raw()
        raw.send_command("BLPOP", key, "0")
        wait_blocked(r, 1)
        raw.close()
        wait_blocked(r, 0)
        c = shoal.client()
        join = in_thread(lambda: c.blpop(key, 0))
        wait_blocked(r, 1)
        r.rpush(key, "first", "second")
        assert join() == (key.encode(), b"first")
        assert r.lrange(key, 0, -1) == [b"second"]
        r.delete(key)


def test_client_kill_unblocks(shoal):
    r = shoal.client()
    raw = shoal.raw()
    raw.send_command("CLIENT", "SETNAME", "victim")
    assert raw.read_reply() == "OK"
    raw.send_command("BLPOP", "killed", "0")
    wait_blocked(r, 1)
    victim = [c for c in r.client_list() if c["name"] == "victim"][0]
    r.execute_command("CLIENT", "KILL", "ID", victim["id"])
    wait_blocked(r, 0)
    r.rpush("killed", "v")
    assert r.lrange("killed", 0, -1) == [b"v"]


def test_client_unblock(shoal):
    r = shoal.client()
    for reason, expected in ((None, None), ("TIMEOUT", None), ("ERROR", "UNBLOCKED")):
        c = shoal.client()
        cid = c.client_id()
        join = in_thread(lambda: c.blmove("ub", "dst", 0, "LEFT", "LEFT"))
        wait_blocked(r, 1)
        assert "b" in [x for x in r.client_list() if x["id"] == str(cid)][0]["flags"]
        args = ["CLIENT", "UNBLOCK", cid] + ([reason] if reason else [])
        assert r.execute_command(*args) == 1
        if expected:
            with pytest.raises(Exception, match=expected):
                join()
        else:
            assert join() is None
        assert r.execute_command("CLIENT", "UNBLOCK", cid) == 0  # no longer blocked
        wait_blocked(r, 0)
        r.rpush("ub", "v")  # nobody takes it
        assert r.lrange("ub", 0, -1) == [b"v"]
        r.delete("ub")


def test_no_element_lost_or_duplicated_when_pushes_race_timeouts(server):
    """Consumers BLPOP with tiny timeouts on keys of both shards while producers push; every
    pushed element is received exactly once or still in its list."""
    keys = KEYS[:4]
    produced = 400
    received = []
    lock = threading.Lock()
    done = threading.Event()

    def consumer():
        c = server.client()
        while not done.is_set():
            got = c.blpop(keys, 0.01)
            if got is not None:
                with lock:
                    received.append(got[1])

    def producer(n):
        def run():
            p = server.client()
            for i in range(produced // 2):
                p.rpush(keys[i % len(keys)], f"{n}-{i}")
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
    left = [v for k in keys for v in r.lrange(k, 0, -1)]
    everything = sorted(received + left)
    assert everything == sorted(f"{n}-{i}".encode() for n in range(2) for i in range(produced // 2))
    wait_blocked(r, 0)


def test_blmove_tokens_circulate_without_loss(server):
    """Tokens move around a ring of lists (spanning shards) only by BLMOVE, from several
    clients at once; none is ever lost or duplicated."""
    ring = KEYS
    r = server.client()
    tokens = [f"t{i}".encode() for i in range(6)]
    r.rpush(ring[0], *tokens)

    def mover(offset):
        def run():
            c = server.client()
            for step in range(150):
                i = (offset + step) % len(ring)
                c.blmove(ring[i], ring[(i + 1) % len(ring)], 0.01, "LEFT", "RIGHT")
        return run

    run_threads([mover(k) for k in range(4)])
    everything = sorted(v for k in ring for v in r.lrange(k, 0, -1))
    assert everything == sorted(tokens)
