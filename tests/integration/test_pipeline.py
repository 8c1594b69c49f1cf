"""Pipelines under every `pipeline-squash` mode (no, reads, all): the same pipeline sent to
Shoal (--shards 2) and to the reference redis-server must give byte-identical replies, in
order, whichever requests ran on their shards in parallel (docs/multi-key-atomicity.md).
"""
from __future__ import annotations

import os
import random
import threading

import pytest

from resp_helpers import Err, encode_command

MODES = ["no", "reads", "all"]

pytestmark = pytest.mark.skipif(bool(os.environ.get("SHOAL_IT_AGAINST_REDIS")),
                                reason="pipeline-squash is Shoal's configuration")


@pytest.fixture(params=MODES)
def squash(request, shoal):
    """Sets the session server's pipeline-squash mode for one test, then restores the default."""
    with shoal.raw() as c:
        assert c.cmd("CONFIG", "SET", "pipeline-squash", request.param) == "OK"
    yield request.param
    with shoal.raw() as c:
        assert c.cmd("CONFIG", "SET", "pipeline-squash", "all") == "OK"


def run_pipeline(client, commands) -> list:
    client.send(b"".join(encode_command(*c) for c in commands))
    return [client.read_reply() for _ in commands]


def mixed_pipeline(rng: random.Random, n: int) -> list[tuple]:
    """Reads and writes over 40 keys (both shards), with errors, misses and barriers."""
    keys = [f"key:{i}" for i in range(40)]
    commands: list[tuple] = []
    for _ in range(n):
        k = rng.choice(keys)
        roll = rng.random()
        if roll < 0.45:
            commands.append(rng.choice([("GET", k), ("STRLEN", k), ("TYPE", k), ("TTL", k),
                                        ("GETRANGE", k, 0, 2), ("EXISTS", k)]))
        elif roll < 0.8:
            commands.append(rng.choice([("SET", k, rng.randbytes(rng.randint(0, 40))),
                                        ("INCR", k), ("APPEND", k, "x"), ("DEL", k),
                                        ("SET", k, rng.randint(-5, 5)), ("GETDEL", k),
                                        ("EXPIRE", k, 1000)]))
        elif roll < 0.9:
            commands.append(rng.choice([("GET",), ("GET", k, "extra"), ("NOSUCHCMD", k)]))
        else:
            # Not single-key: ends a squashed run.
            commands.append(rng.choice([("MGET", k, rng.choice(keys)), ("PING",),
                                        ("ECHO", "é\x00"), ("DBSIZE",)]))
    return commands


@pytest.mark.parametrize("seed", range(4))
def test_mixed_pipeline_matches_redis(squash, shoal, ref_raw, seed):
    rng = random.Random(seed)
    commands = mixed_pipeline(rng, 3000)
    with shoal.raw() as c:
        got = run_pipeline(c, commands)
    want = run_pipeline(ref_raw, commands)
    assert got == want


def test_read_only_pipeline_over_both_shards_in_resp3(squash, shoal):
    with shoal.raw() as c:
        c.cmd("HELLO", "3")
        values = {f"r:{i}": bytes([i % 256]) * (i % 7) for i in range(500)}
        assert run_pipeline(c, [("SET", k, v) for k, v in values.items()]) == ["OK"] * 500
        commands = [("GET", k) for k in values] + [("GET", "missing")] + [("STRLEN", "r:3")]
        replies = run_pipeline(c, commands)
        assert replies[:500] == list(values.values())
        assert replies[500] is None
        assert replies[501] == 3


def test_same_key_keeps_pipeline_order(squash, shoal):
    """Per key (and per shard) the pipeline's order holds in every mode."""
    with shoal.raw() as c:
        commands, expected = [], []
        for i in range(200):
            k = f"counter:{i % 10}"
            commands += [("INCR", k), ("GET", k)]
            n = i // 10 + 1
            expected += [n, str(n).encode()]
        assert run_pipeline(c, commands) == expected


def test_large_values_in_squashed_reads(squash, shoal):
    """Replies bigger than the kept scratch buffer (64 KiB) arrive whole and in order."""
    with shoal.raw() as c:
        big = {f"big:{i}": bytes([65 + i]) * (100_000 + i) for i in range(8)}
        assert run_pipeline(c, [("SET", k, v) for k, v in big.items()]) == ["OK"] * 8
        assert run_pipeline(c, [("GET", k) for k in big] * 2) == list(big.values()) * 2


def test_wrong_type_errors_in_squashed_reads(squash, shoal):
    with shoal.raw() as c:
        # No other types exist yet: a wrong-arity GETRANGE and an out-of-range INCR instead.
        c.cmd("SET", "s", "abc")
        c.cmd("SET", "n", "9223372036854775807")
        replies = run_pipeline(c, [("GET", "s"), ("GETRANGE", "s", 0), ("INCR", "n"), ("GET", "n")])
        assert replies[0] == b"abc"
        assert isinstance(replies[1], Err) and "wrong number of arguments" in str(replies[1])
        assert isinstance(replies[2], Err) and "overflow" in str(replies[2])
        assert replies[3] == b"9223372036854775807"


def test_pipeline_squash_config(raw):
    assert raw.cmd("CONFIG", "GET", "pipeline-squash") == [b"pipeline-squash", b"all"]
    reply = raw.cmd("CONFIG", "SET", "pipeline-squash", "sometimes")
    assert isinstance(reply, Err)
    assert "no, reads, all" in str(reply)
    assert raw.cmd("CONFIG", "GET", "pipeline-squash") == [b"pipeline-squash", b"all"]


def test_later_write_never_visible_before_earlier_one(squash, shoal):
    """A pipeline writes x_p then y_p with rising versions; a concurrent reader's MGET (atomic
    across shards) must never see y_p ahead of x_p. Eight pairs, so some pair spans both
    shards. Fails if squashed writes ran in parallel without the atomic run."""
    pairs = [(f"x{p}", f"y{p}") for p in range(8)]
    rounds = []
    for r in range(20):
        commands = []
        for v in range(r * 1500 + 1, (r + 1) * 1500 + 1):
            commands += [("SET", x, v) for x, _ in pairs] + [("SET", y, v) for _, y in pairs]
        rounds.append(commands)
    done = threading.Event()
    violations: list[tuple] = []

    def read() -> None:
        with shoal.raw() as c:
            flat = [k for pair in pairs for k in pair]
            while not done.is_set():
                values = c.cmd("MGET", *flat)
                for p in range(len(pairs)):
                    x, y = (int(v) if v is not None else 0 for v in values[2 * p:2 * p + 2])
                    if y > x:
                        violations.append((pairs[p], x, y))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        with shoal.raw() as c:
            for commands in rounds:
                assert run_pipeline(c, commands) == ["OK"] * len(commands)
    finally:
        done.set()
        reader.join(timeout=60)
    assert violations == []
