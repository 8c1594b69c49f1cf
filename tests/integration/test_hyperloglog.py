"""HyperLogLog: PFADD/PFCOUNT/PFMERGE. Shoal's estimates and bytes are its own (not Redis's),
so replies that depend on them are checked against the true cardinality (error within 3
standard errors of 0.81%); the rest (errors, 0/1 replies, types) is compared with
redis-server."""
import pytest

from resp_helpers import Err, assert_same_replies

NOT_HLL = Err("WRONGTYPE Key is not a valid HyperLogLog string value.")


CASES = [
    ("pf-basics", [["PFADD", "h"], ["PFADD", "h"], ["PFADD", "h", "a", "b", "c"], ["PFADD", "h", "a"],
                   ["PFCOUNT", "h"], ["PFCOUNT", "nope"], ["PFCOUNT", "h", "nope"], ["TYPE", "h"],
                   ["PFMERGE", "m"], ["PFCOUNT", "m"], ["PFMERGE", "m", "h", "nope"], ["PFCOUNT", "m"],
                   ["PFADD", "e", ""], ["PFCOUNT", "e"]]),
    ("pf-errors", [["SET", "s", "not an hll"], ["PFADD", "s", "a"], ["PFCOUNT", "s"], ["PFMERGE", "m", "s"],
                   ["HSET", "hash", "f", "v"], ["PFADD", "hash", "a"], ["PFCOUNT", "hash"],
                   ["PFADD"], ["PFCOUNT"], ["PFMERGE"]]),
]


@pytest.mark.parametrize("commands", [pytest.param(c[1], id=c[0]) for c in CASES])
def test_same_replies_as_redis(raw, ref_raw, commands):
    assert_same_replies(raw, ref_raw, commands)


@pytest.mark.parametrize("n", [1000, 50000])
def test_estimates_are_within_the_error_bound(r, n):
    for start in range(0, n, 5000):
        r.pfadd("h", *[f"item:{i}" for i in range(start, min(n, start + 5000))])
    assert abs(r.pfcount("h") - n) <= 3 * 0.0081 * n


def test_union_across_shards_and_merge(r):
    for i in range(8):  # keys on every shard
        r.pfadd(f"part{i}", *[f"u{j}" for j in range(i * 1000, i * 1000 + 2000)])
    union = r.pfcount(*[f"part{i}" for i in range(8)])
    assert abs(union - 9000) <= 3 * 0.0081 * 9000
    r.pfmerge("all", *[f"part{i}" for i in range(8)])
    assert r.pfcount("all") == union
    assert r.pfadd("all", "u1") == 0  # already counted: no register changes


def test_hll_is_a_string_that_survives_copy_and_dump(r):
    r.pfadd("h", *range(100))
    assert r.type("h") == b"string"
    r.copy("h", "c")
    assert r.pfcount("c") == r.pfcount("h")
    r.restore("d", 0, r.dump("h"))
    assert r.pfcount("d") == r.pfcount("h")
    r.append("h", "x")  # no longer a valid HLL
    with pytest.raises(Exception, match="not a valid HyperLogLog"):
        r.pfcount("h")
