"""Sorted set commands on one key: differential sequences and random sequences against
redis-server (Redis 7.0), encodings, DUMP/RESTORE, big sets across the skiplist, memory
accounting. (ZUNION/ZINTER/ZDIFF, ZRANGESTORE, ZMPOP and blocking pops are not built yet.)
"""
import pytest
from hypothesis import strategies as st

from random_sequences import check_random_sequences
from resp_helpers import assert_same_replies

UNICODE = "член-🐟-鍵".encode()
BINARY = b"\x00\r\n\xff*1\r\n"


def normalize(cmd, reply):
    return reply


CASES = [
    ("zadd-basic", [["ZADD", "z", "1", "a", "2", "b", "1.5", "c"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
                    ["ZADD", "z", "3", "a"], ["ZADD", "z", "CH", "3", "a", "4", "b", "9", "d"],
                    ["ZCARD", "z"], ["ZSCORE", "z", "a"], ["ZSCORE", "z", "nope"], ["ZSCORE", "nope", "a"],
                    ["ZMSCORE", "z", "a", "x", "d"], ["ZADD", "z", "0.1", UNICODE, "-0", BINARY],
                    ["ZSCORE", "z", UNICODE], ["ZSCORE", "z", BINARY], ["ZADD", "z", "1e300", "big"],
                    ["ZSCORE", "z", "big"], ["ZADD", "z", "inf", "top", "-inf", "bottom"],
                    ["ZRANGE", "z", "0", "-1", "WITHSCORES"]]),
    ("zadd-flags", [["ZADD", "z", "NX", "1", "a"], ["ZADD", "z", "NX", "2", "a"], ["ZSCORE", "z", "a"],
                    ["ZADD", "z", "XX", "5", "a", "1", "new"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
                    ["ZADD", "z", "GT", "3", "a"], ["ZADD", "z", "GT", "CH", "7", "a"], ["ZADD", "z", "LT", "CH", "6", "a"],
                    ["ZADD", "z", "LT", "9", "a"], ["ZSCORE", "z", "a"], ["ZADD", "z", "NX", "XX", "1", "a"],
                    ["ZADD", "z", "GT", "LT", "1", "a"], ["ZADD", "z", "NX", "GT", "1", "a"],
                    ["ZADD", "z", "INCR", "2", "a"], ["ZADD", "z", "INCR", "1", "a", "1", "b"],
                    ["ZADD", "z", "NX", "INCR", "1", "a"], ["ZADD", "z", "XX", "INCR", "1", "zz"],
                    ["ZADD", "z", "GT", "INCR", "-1", "a"], ["ZADD", "z", "x", "a"], ["ZADD", "z", "1"],
                    ["ZADD", "z", "nan", "a"], ["ZADD", "z", "1", "a", "2"], ["ZADD", "nope", "XX", "1", "a"],
                    ["EXISTS", "nope"], ["ZADD", "z", "INCR", "inf", "a"], ["ZADD", "z", "INCR", "-inf", "a"],
                    ["ZINCRBY", "z", "1", "a"], ["ZINCRBY", "z", "x", "a"], ["ZINCRBY", "n", "2.5", "m"]]),
    ("zrank-zrem", [["ZADD", "z", "1", "a", "2", "b", "3", "c"], ["ZRANK", "z", "a"], ["ZREVRANK", "z", "a"],
                    ["ZRANK", "z", "zz"], ["ZRANK", "nope", "a"], ["ZREM", "z", "a", "zz"],
                    ["ZREM", "z", "b", "c"], ["EXISTS", "z"], ["ZREM", "z", "a"]]),
    ("ranges-by-rank", [["ZADD", "z", *sum([[str(i), f"m{i}"] for i in range(10)], [])],
                        ["ZRANGE", "z", "2", "4"], ["ZRANGE", "z", "-3", "-1", "WITHSCORES"],
                        ["ZREVRANGE", "z", "0", "2"], ["ZREVRANGE", "z", "-2", "-1", "WITHSCORES"],
                        ["ZRANGE", "z", "5", "2"], ["ZRANGE", "z", "20", "30"], ["ZRANGE", "z", "x", "1"],
                        ["ZRANGE", "z", "0", "2", "REV"], ["ZRANGE", "nope", "0", "-1"],
                        ["ZRANGE", "z", "0", "1", "LIMIT", "0", "1"], ["ZRANGE", "z", "0", "1", "FOO"]]),
    ("ranges-by-score", [["ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d", "inf", "e"],
                         ["ZRANGEBYSCORE", "z", "2", "3"], ["ZRANGEBYSCORE", "z", "(2", "+inf", "WITHSCORES"],
                         ["ZRANGEBYSCORE", "z", "-inf", "(2"], ["ZRANGEBYSCORE", "z", "(1", "(3"],
                         ["ZRANGEBYSCORE", "z", "3", "1"], ["ZRANGEBYSCORE", "z", "x", "1"],
                         ["ZRANGEBYSCORE", "z", "-inf", "inf", "LIMIT", "1", "2"],
                         ["ZRANGEBYSCORE", "z", "-inf", "inf", "LIMIT", "1", "-1"],
                         ["ZRANGEBYSCORE", "z", "-inf", "inf", "LIMIT", "10", "2"],
                         ["ZRANGEBYSCORE", "z", "-inf", "inf", "LIMIT", "-1", "2"],
                         ["ZREVRANGEBYSCORE", "z", "3", "2"], ["ZREVRANGEBYSCORE", "z", "+inf", "(2", "WITHSCORES"],
                         ["ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", "1", "2"],
                         ["ZRANGE", "z", "2", "3", "BYSCORE"], ["ZRANGE", "z", "3", "2", "BYSCORE", "REV"],
                         ["ZRANGE", "z", "(1", "inf", "BYSCORE", "LIMIT", "1", "1", "WITHSCORES"],
                         ["ZCOUNT", "z", "2", "3"], ["ZCOUNT", "z", "(2", "(3"], ["ZCOUNT", "z", "-inf", "+inf"],
                         ["ZCOUNT", "z", "x", "1"], ["ZCOUNT", "nope", "1", "2"],
                         ["ZRANGEBYSCORE", "z", "1", "2", "FOO"]]),
    ("ranges-by-lex", [["ZADD", "z", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e"],
                       ["ZRANGEBYLEX", "z", "-", "+"], ["ZRANGEBYLEX", "z", "[b", "(d"],
                       ["ZRANGEBYLEX", "z", "(b", "[d", "LIMIT", "1", "1"], ["ZREVRANGEBYLEX", "z", "+", "[c"],
                       ["ZREVRANGEBYLEX", "z", "[d", "(a", "LIMIT", "0", "2"], ["ZRANGEBYLEX", "z", "b", "d"],
                       ["ZRANGEBYLEX", "z", "+", "-"], ["ZLEXCOUNT", "z", "[b", "+"], ["ZLEXCOUNT", "z", "x", "+"],
                       ["ZRANGE", "z", "[b", "[d", "BYLEX"], ["ZRANGE", "z", "[d", "[b", "BYLEX", "REV"],
                       ["ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"]]),
    ("remrange", [["ZADD", "z", *sum([[str(i), f"m{i}"] for i in range(10)], [])],
                  ["ZREMRANGEBYRANK", "z", "0", "1"], ["ZREMRANGEBYRANK", "z", "-2", "-1"],
                  ["ZREMRANGEBYSCORE", "z", "(3", "5"], ["ZRANGE", "z", "0", "-1"],
                  ["ZREMRANGEBYLEX", "z", "-", "+"], ["ZRANGE", "z", "0", "-1"], ["ZADD", "l", "0", "a", "0", "b"],
                  ["ZREMRANGEBYLEX", "l", "[a", "[a"], ["ZREMRANGEBYSCORE", "l", "x", "1"],
                  ["ZREMRANGEBYRANK", "l", "0", "-1"], ["EXISTS", "l"], ["ZREMRANGEBYRANK", "nope", "0", "1"]]),
    ("pops", [["ZADD", "z", "1", "a", "2", "b", "3", "c"], ["ZPOPMIN", "z"], ["ZPOPMAX", "z", "1"],
              ["ZPOPMIN", "z", "0"], ["ZPOPMIN", "z", "-1"], ["ZPOPMAX", "z", "5"], ["EXISTS", "z"],
              ["ZPOPMIN", "nope"], ["ZPOPMAX", "nope", "2"], ["ZPOPMIN", "z", "1", "2"]]),
    ("zrandmember-edges", [["ZRANDMEMBER", "nope"], ["ZRANDMEMBER", "nope", "2"], ["ZADD", "z", "1", "a"],
                           ["ZRANDMEMBER", "z"], ["ZRANDMEMBER", "z", "3"], ["ZRANDMEMBER", "z", "-2", "WITHSCORES"],
                           ["ZRANDMEMBER", "z", "0"], ["ZRANDMEMBER", "z", "x"], ["ZRANDMEMBER", "z", "1", "FOO"]]),
    ("zset-wrongtype", [["SET", "s", "v"], ["ZADD", "s", "1", "a"], ["ZINCRBY", "s", "1", "a"],
                        ["ZRANGE", "s", "0", "1"], ["ZCARD", "s"], ["ZSCORE", "s", "a"], ["ZRANK", "s", "a"],
                        ["ZREM", "s", "a"], ["ZPOPMIN", "s"], ["ZCOUNT", "s", "1", "2"],
                        ["ZADD", "z", "1", "a"], ["GET", "z"], ["SADD", "z", "x"], ["LPUSH", "z", "x"]]),
    ("zset-arity", [["ZADD", "z", "1"], ["ZINCRBY", "z", "1"], ["ZREM", "z"], ["ZCARD"], ["ZSCORE", "z"],
                    ["ZRANGE", "z", "0"], ["ZCOUNT", "z", "1"], ["ZRANK", "z"], ["ZPOPMIN"], ["ZSCAN", "z"],
                    ["ZREMRANGEBYSCORE", "z", "1"], ["ZRANDMEMBER"]]),
    ("algebra", [["ZADD", "{a}1", "1", "a", "2", "b", "3", "c"], ["ZADD", "{b}2", "10", "b", "20", "c", "30", "d"],
                 ["SADD", "{c}3", "c", "d", "e"], ["ZUNION", "2", "{a}1", "{b}2", "WITHSCORES"],
                 ["ZINTER", "2", "{a}1", "{b}2", "WITHSCORES"], ["ZDIFF", "2", "{a}1", "{b}2", "WITHSCORES"],
                 ["ZUNION", "3", "{a}1", "{b}2", "{c}3", "WEIGHTS", "1", "2", "3", "WITHSCORES"],
                 ["ZINTER", "3", "{a}1", "{b}2", "{c}3", "AGGREGATE", "MAX", "WITHSCORES"],
                 ["ZINTER", "2", "{a}1", "{b}2", "AGGREGATE", "MIN"], ["ZUNION", "2", "{a}1", "nope"],
                 ["ZUNIONSTORE", "dst", "2", "{a}1", "{b}2"], ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
                 ["ZINTERSTORE", "dst", "2", "{a}1", "nope"], ["EXISTS", "dst"],
                 ["ZDIFFSTORE", "dst", "2", "{b}2", "{a}1"], ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
                 ["ZINTERCARD", "2", "{a}1", "{b}2"], ["ZINTERCARD", "2", "{a}1", "{b}2", "LIMIT", "1"],
                 ["ZINTERCARD", "0", "{a}1"], ["ZINTERCARD", "3", "{a}1"], ["ZINTERCARD", "1", "{a}1", "LIMIT", "-1"],
                 ["ZINTERCARD", "1", "{a}1", "LIMIT", "x"], ["ZINTERCARD", "1", "{a}1", "LIMIT"],
                 ["ZUNION", "0", "{a}1"], ["ZUNIONSTORE", "d", "0", "{a}1"], ["ZUNION", "3", "{a}1"],
                 ["ZUNION", "x", "{a}1"], ["ZUNION", "2", "{a}1", "{b}2", "WEIGHTS", "1"],
                 ["ZUNION", "2", "{a}1", "{b}2", "WEIGHTS", "1", "x"], ["ZUNION", "1", "{a}1", "AGGREGATE", "AVG"],
                 ["ZUNIONSTORE", "d", "1", "{a}1", "WITHSCORES"], ["ZDIFF", "1", "{a}1", "WEIGHTS", "2"],
                 ["SET", "str", "v"], ["ZUNION", "2", "{a}1", "str"], ["ZINTERCARD", "1", "str"],
                 ["ZADD", "inf", "inf", "x"], ["ZADD", "ninf", "-inf", "x"], ["ZUNION", "2", "inf", "ninf", "WITHSCORES"],
                 ["ZUNION", "1", "inf", "WEIGHTS", "0", "WITHSCORES"]]),
    ("zrangestore", [["ZADD", "{s}src", "1", "a", "2", "b", "3", "c", "4", "d"],
                     ["ZRANGESTORE", "{s}dst", "{s}src", "1", "2"], ["ZRANGE", "{s}dst", "0", "-1", "WITHSCORES"],
                     ["ZRANGESTORE", "{s}dst", "{s}src", "(1", "+inf", "BYSCORE", "LIMIT", "1", "1"],
                     ["ZRANGE", "{s}dst", "0", "-1", "WITHSCORES"], ["ZRANGESTORE", "{s}dst", "{s}src", "3", "1", "BYSCORE", "REV"],
                     ["ZRANGESTORE", "other", "{s}src", "[b", "+", "BYLEX"], ["ZRANGE", "other", "0", "-1"],
                     ["ZRANGESTORE", "{s}dst", "{s}src", "5", "9"], ["EXISTS", "{s}dst"],
                     ["ZRANGESTORE", "{s}dst", "nope", "0", "-1"], ["ZRANGESTORE", "{s}dst", "{s}src", "0", "-1", "WITHSCORES"],
                     ["ZRANGESTORE", "{s}dst", "{s}src", "x", "1", "BYSCORE"], ["SET", "str", "v"],
                     ["ZRANGESTORE", "{s}dst", "str", "0", "1"], ["ZRANGESTORE", "str", "{s}src", "0", "0"], ["TYPE", "str"]]),
    ("zmpop", [["ZADD", "{k}a", "1", "x", "2", "y", "3", "z"], ["ZMPOP", "2", "nope", "{k}a", "MIN"],
               ["ZMPOP", "2", "nope", "{k}a", "MAX", "COUNT", "5"], ["ZMPOP", "1", "nope", "MIN"],
               ["ZMPOP", "0", "a", "MIN"], ["ZMPOP", "3", "a", "MIN"], ["ZMPOP", "1", "a", "UP"],
               ["ZMPOP", "1", "a", "MIN", "COUNT", "0"], ["ZMPOP", "1", "a", "MIN", "FOO"],
               ["SET", "str", "v"], ["ZMPOP", "1", "str", "MIN"]]),
    ("zset-copy-rename", [["ZADD", "z", "1", "a"], ["COPY", "z", "c"], ["ZADD", "c", "2", "b"],
                          ["ZCARD", "z"], ["RENAME", "c", "r"], ["ZRANGE", "r", "0", "-1", "WITHSCORES"],
                          ["TYPE", "r"]]),
]


@pytest.mark.parametrize("commands", [pytest.param(c[1], id=c[0]) for c in CASES])
def test_same_replies_as_redis(raw, ref_raw, commands):
    assert_same_replies(raw, ref_raw, commands, normalize)


def test_resp3_shapes_match_redis(raw, ref_raw):
    cmds = [["ZADD", "z", "1", "a", "2.5", "b"], ["ZSCORE", "z", "b"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
            ["ZPOPMIN", "z"], ["ZADD", "z", "1", "a"], ["ZPOPMAX", "z", "2"], ["ZINCRBY", "z", "1", "q"],
            ["ZMSCORE", "z", "q", "nope"]]
    raw.cmd("HELLO", "3")
    ref_raw.cmd("HELLO", "3")
    assert_same_replies(raw, ref_raw, cmds)


def test_encodings_and_big_sets(r, raw):
    r.zadd("small", {"a": 1})
    assert r.object("encoding", "small") == b"listpack"
    r.zadd("long", {"x" * 65: 1})
    assert r.object("encoding", "long") == b"skiplist"
    n = 5000
    r.zadd("big", {f"m{i:05d}": i for i in range(n)})
    assert r.object("encoding", "big") == b"skiplist"
    assert r.zcard("big") == n and r.zrank("big", "m02500") == 2500
    assert r.zrange("big", 100, 102, withscores=True) == [(b"m00100", 100.0), (b"m00101", 101.0),
                                                          (b"m00102", 102.0)]
    assert r.zcount("big", "(100", 200) == 100
    assert r.zrevrange("big", 0, 0) == [b"m04999"]
    r.zremrangebyscore("big", 1000, 3999)
    assert r.zcard("big") == n - 3000 and r.zrank("big", "m04000") == 1000
    payload = r.dump("big")
    r.restore("copy", 0, payload)
    assert r.zrange("copy", 0, -1, withscores=True) == r.zrange("big", 0, -1, withscores=True)
    seen, cursor = set(), 0
    while True:
        cursor, page = r.zscan("big", cursor, count=100)
        seen |= {m for m, _ in page}
        if cursor == 0:
            break
    assert len(seen) == n - 3000


def test_memory_returns_to_baseline(r):
    r.set("{z}anchor", "x")
    before = r.info("memory")["used_memory_dataset"]
    r.zadd("{z}set", {f"member:{i}": i for i in range(20000)})
    r.zadd("{z}small", {"a": 1})
    r.zremrangebyrank("{z}set", 0, 9999)
    r.delete("{z}set", "{z}small")
    assert r.info("memory")["used_memory_dataset"] == before


KEYS = st.sampled_from(["z", "y", "str"])
MEMBERS = st.one_of(st.sampled_from([b"a", b"b", b"c", b"", UNICODE]), st.binary(max_size=2))
SCORES = st.one_of(st.integers(-3, 3).map(lambda i: str(i).encode()),
                   st.sampled_from([b"1.5", b"-inf", b"+inf", b"(1", b"(-2", b"x", b"0.1"]))
LEX = st.sampled_from([b"-", b"+", b"[a", b"(a", b"[b", b"(c", b"x"])
INDEXES = st.integers(-4, 4).map(lambda i: str(i).encode())


def zset_command():
    return st.one_of(
        st.tuples(st.just("ZADD"), KEYS, st.lists(st.sampled_from(["NX", "XX", "GT", "LT", "CH", "INCR"]),
                                                  max_size=2),
                  st.lists(st.tuples(SCORES, MEMBERS), min_size=1, max_size=3)).map(
            lambda t: [t[0], t[1], *t[2], *[x for p in t[3] for x in p]]),
        st.tuples(st.sampled_from(["ZINCRBY"]), KEYS, SCORES, MEMBERS).map(list),
        st.tuples(st.sampled_from(["ZSCORE", "ZRANK", "ZREVRANK", "ZREM"]), KEYS, MEMBERS).map(list),
        st.tuples(st.sampled_from(["ZCARD", "TYPE", "DEL", "ZPOPMIN", "ZPOPMAX"]), KEYS).map(list),
        st.tuples(st.sampled_from(["ZRANGE", "ZREVRANGE", "ZREMRANGEBYRANK"]), KEYS, INDEXES,
                  INDEXES).map(list),
        st.tuples(st.sampled_from(["ZRANGEBYSCORE", "ZREVRANGEBYSCORE", "ZCOUNT", "ZREMRANGEBYSCORE"]),
                  KEYS, SCORES, SCORES).map(list),
        st.tuples(st.sampled_from(["ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZLEXCOUNT", "ZREMRANGEBYLEX"]),
                  KEYS, LEX, LEX).map(list),
        st.tuples(st.just("ZRANGE"), KEYS, SCORES, SCORES, st.just("BYSCORE"),
                  st.sampled_from([[], ["REV"], ["WITHSCORES"], ["LIMIT", "1", "2"]])).map(
            lambda t: [t[0], t[1], t[2], t[3], t[4], *t[5]]),
        st.tuples(st.just("SET"), KEYS, MEMBERS).map(list),
    )


def test_random_zset_sequences_match_redis(shoal, redis_ref):
    check_random_sequences(shoal, redis_ref, zset_command(), normalize)
