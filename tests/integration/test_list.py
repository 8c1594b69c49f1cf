"""List commands: differential sequences and random sequences against redis-server (Redis
7.0 replies; OBJECT ENCODING follows Redis 7.2, tested apart), LMOVE atomic across shards,
DUMP/RESTORE, big lists across many nodes, memory accounting.
"""
import pytest
from hypothesis import strategies as st

from random_sequences import check_random_sequences
from resp_helpers import assert_same_replies
from test_atomicity import Until, run_threads

UNICODE = "элемент-🐟-鍵".encode()
BINARY = b"\x00\r\n\xff*1\r\n"


def normalize(cmd, reply):
    return reply


def seq(n, prefix="e"):
    return [f"{prefix}{i}" for i in range(n)]


CASES = [
    ("push-pop", [["LPUSH", "l", "a", "b"], ["RPUSH", "l", "c", "", UNICODE, BINARY],
                  ["LRANGE", "l", "0", "-1"], ["LLEN", "l"], ["LPOP", "l"], ["RPOP", "l"],
                  ["LPOP", "l", "2"], ["RPOP", "l", "0"], ["RPOP", "l", "10"], ["EXISTS", "l"],
                  ["LPOP", "l"], ["LPOP", "l", "3"], ["RPOP", "l", "-1"], ["LPOP", "l", "x"],
                  ["LPUSHX", "l", "a"], ["RPUSHX", "l", "a"], ["RPUSH", "l", "x"],
                  ["LPUSHX", "l", "y", "z"], ["RPUSHX", "l", "w"], ["LRANGE", "l", "0", "-1"],
                  ["LPOP", "l", "1", "2"]]),
    ("ranges", [["RPUSH", "l", *seq(10)], ["LRANGE", "l", "0", "0"], ["LRANGE", "l", "-3", "-1"],
                ["LRANGE", "l", "5", "2"], ["LRANGE", "l", "-100", "100"], ["LRANGE", "l", "10", "20"],
                ["LRANGE", "l", "x", "1"], ["LRANGE", "nope", "0", "-1"],
                ["LINDEX", "l", "0"], ["LINDEX", "l", "-1"], ["LINDEX", "l", "10"],
                ["LINDEX", "l", "-11"], ["LINDEX", "l", "x"], ["LINDEX", "nope", "0"],
                ["LRANGE", "l", "9223372036854775807", "-9223372036854775808"]]),
    ("lset-linsert", [["LSET", "nope", "0", "x"], ["RPUSH", "l", "a", "b", "c"], ["LSET", "l", "1", "B"],
                      ["LSET", "l", "-1", "C"], ["LSET", "l", "3", "x"], ["LSET", "l", "x", "y"],
                      ["LINSERT", "l", "BEFORE", "B", "ab"], ["LINSERT", "l", "after", "C", "end"],
                      ["LINSERT", "l", "BEFORE", "zz", "x"], ["LINSERT", "l", "MIDDLE", "B", "x"],
                      ["LINSERT", "nope", "BEFORE", "a", "x"], ["LRANGE", "l", "0", "-1"]]),
    ("lrem-ltrim", [["RPUSH", "l", "a", "b", "a", "c", "a", "b"], ["LREM", "l", "1", "a"],
                    ["LRANGE", "l", "0", "-1"], ["LREM", "l", "-1", "b"], ["LRANGE", "l", "0", "-1"],
                    ["LREM", "l", "0", "a"], ["LRANGE", "l", "0", "-1"], ["LREM", "l", "x", "a"],
                    ["LREM", "nope", "0", "a"], ["RPUSH", "t", *seq(10)], ["LTRIM", "t", "2", "-3"],
                    ["LRANGE", "t", "0", "-1"], ["LTRIM", "t", "5", "1"], ["EXISTS", "t"],
                    ["LTRIM", "nope", "0", "1"], ["LTRIM", "l", "x", "1"]]),
    ("lpos", [["RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c"], ["LPOS", "l", "c"],
              ["LPOS", "l", "c", "RANK", "2"], ["LPOS", "l", "c", "RANK", "-1"],
              ["LPOS", "l", "c", "COUNT", "0"], ["LPOS", "l", "c", "COUNT", "2", "RANK", "-1"],
              ["LPOS", "l", "c", "MAXLEN", "3"], ["LPOS", "l", "c", "MAXLEN", "2"],
              ["LPOS", "l", "zz"], ["LPOS", "l", "zz", "COUNT", "1"], ["LPOS", "l", "c", "RANK", "0"],
              ["LPOS", "l", "c", "COUNT", "-1"], ["LPOS", "l", "c", "MAXLEN", "-1"],
              ["LPOS", "l", "c", "FOO", "1"],
              ["LPOS", "l", "c", "RANK"], ["LPOS", "nope", "a"], ["LPOS", "nope", "a", "COUNT", "0"],
              ["LPOS", "l", "c", "RANK", "x"], ["LPOS", "l", "c", "RANK", "5"]]),
    ("lmove", [["RPUSH", "src", "a", "b", "c"], ["LMOVE", "src", "dst", "LEFT", "RIGHT"],
               ["LMOVE", "src", "dst", "RIGHT", "LEFT"], ["RPOPLPUSH", "src", "dst"],
               ["EXISTS", "src"], ["LRANGE", "dst", "0", "-1"], ["LMOVE", "nope", "dst", "LEFT", "LEFT"],
               ["LMOVE", "dst", "dst", "LEFT", "RIGHT"], ["LRANGE", "dst", "0", "-1"],
               ["LMOVE", "dst", "x", "UP", "LEFT"], ["SET", "str", "v"],
               ["LMOVE", "dst", "str", "LEFT", "LEFT"], ["LMOVE", "str", "dst", "LEFT", "LEFT"],
               ["LMOVE", "nope", "str", "LEFT", "LEFT"], ["RPOPLPUSH", "str", "dst"]]),
    ("lmpop", [["RPUSH", "{k}a", "1", "2", "3"], ["RPUSH", "b", "x"],
               ["LMPOP", "2", "nope", "{k}a", "LEFT"], ["LMPOP", "2", "nope", "{k}a", "RIGHT", "COUNT", "5"],
               ["LMPOP", "3", "nope", "{k}a", "b", "LEFT", "COUNT", "2"], ["LMPOP", "1", "nope", "LEFT"],
               ["LMPOP", "0", "b", "LEFT"], ["LMPOP", "3", "b", "LEFT"], ["LMPOP", "1", "b", "UP"],
               ["LMPOP", "1", "b", "LEFT", "COUNT", "0"], ["LMPOP", "1", "b", "LEFT", "COUNT", "x"],
               ["LMPOP", "1", "b", "LEFT", "FOO"], ["LMPOP", "x", "b", "LEFT"],
               ["SET", "str", "v"], ["LMPOP", "2", "str", "b", "LEFT"], ["RPUSH", "c", "1"],
               ["LMPOP", "2", "c", "str", "LEFT"], ["LMPOP", "1", "b", "LEFT", "COUNT", "1", "COUNT", "2"]]),
    ("list-wrongtype", [["SET", "s", "v"], ["LPUSH", "s", "a"], ["RPUSHX", "s", "a"], ["LPOP", "s"],
                        ["LLEN", "s"], ["LRANGE", "s", "0", "1"], ["LINDEX", "s", "0"],
                        ["LSET", "s", "0", "a"], ["LINSERT", "s", "BEFORE", "a", "b"],
                        ["LREM", "s", "0", "a"], ["LTRIM", "s", "0", "1"], ["LPOS", "s", "a"],
                        ["RPUSH", "l", "a"], ["GET", "l"], ["SADD", "l", "x"], ["HGET", "l", "a"]]),
    ("list-arity", [["LPUSH", "l"], ["RPUSH"], ["LPOP"], ["LLEN"], ["LRANGE", "l", "0"],
                    ["LINDEX", "l"], ["LSET", "l", "0"], ["LINSERT", "l", "BEFORE", "a"],
                    ["LREM", "l", "0"], ["LTRIM", "l", "0"], ["LPOS", "l"], ["LMOVE", "a", "b", "LEFT"],
                    ["RPOPLPUSH", "a"], ["LMPOP", "1", "a"]]),
    ("huge-elements", [["RPUSH", "h", "x" * 100000, "y" * 20000, "z"], ["LPUSH", "h", "w" * 9000],
                       ["LINDEX", "h", "1"], ["LINDEX", "h", "-2"], ["LRANGE", "h", "1", "2"],
                       ["LSET", "h", "-1", "q" * 50000], ["LINSERT", "h", "BEFORE", "y" * 20000, "v" * 8191],
                       ["LPOS", "h", "q" * 50000], ["LREM", "h", "0", "y" * 20000], ["LLEN", "h"],
                       ["LRANGE", "h", "0", "-1"], ["LTRIM", "h", "1", "-2"], ["RPOP", "h", "10"],
                       ["EXISTS", "h"]]),
    ("list-copy-rename", [["RPUSH", "l", "a", "b"], ["COPY", "l", "c"], ["RPUSH", "c", "z"],
                          ["LRANGE", "l", "0", "-1"], ["RENAME", "c", "r"], ["LRANGE", "r", "0", "-1"],
                          ["TYPE", "r"]]),
]


@pytest.mark.parametrize("commands", [pytest.param(c[1], id=c[0]) for c in CASES])
def test_same_replies_as_redis(raw, ref_raw, commands):
    assert_same_replies(raw, ref_raw, commands, normalize)


def test_encodings(raw):
    raw.cmd("RPUSH", "small", "a", "b")
    assert raw.cmd("OBJECT", "ENCODING", "small") == b"listpack"
    raw.cmd("RPUSH", "big", *[b"x" * 100] * 200)  # more than 8 KiB
    assert raw.cmd("OBJECT", "ENCODING", "big") == b"quicklist"
    assert raw.cmd("CONFIG", "SET", "list-max-listpack-size", "2") == "OK"
    raw.cmd("RPUSH", "three", "1", "2", "3")
    assert raw.cmd("OBJECT", "ENCODING", "three") == b"quicklist"
    assert raw.cmd("CONFIG", "SET", "list-max-listpack-size", "-2") == "OK"


def test_big_list_behaves_across_nodes(r):
    n = 20000
    r.rpush("l", *range(n))
    assert r.llen("l") == n
    assert r.lindex("l", n // 2) == str(n // 2).encode()
    assert r.lindex("l", -1) == str(n - 1).encode()
    assert r.lrange("l", 9995, 10004) == [str(i).encode() for i in range(9995, 10005)]
    assert r.lpos("l", 15000) == 15000
    r.linsert("l", "BEFORE", 10000, "mid")
    assert r.lindex("l", 10000) == b"mid"
    assert r.lrem("l", 0, "mid") == 1
    r.ltrim("l", 100, -101)
    assert r.llen("l") == n - 200
    assert r.lpop("l") == b"100" and r.rpop("l") == str(n - 101).encode()
    payload = r.dump("l")
    r.restore("copy", 0, payload)
    assert r.lrange("copy", 0, -1) == r.lrange("l", 0, -1)


def test_memory_returns_to_baseline(r):
    r.set("{l}anchor", "x")
    before = r.info("memory")["used_memory_dataset"]
    r.rpush("{l}list", *[b"v" * 50] * 50000)
    assert r.info("memory")["used_memory_dataset"] - before > 50000 * 50
    r.ltrim("{l}list", 0, 10)
    r.delete("{l}list")
    assert r.info("memory")["used_memory_dataset"] == before


def test_lmove_is_atomic_across_shards(shoal):
    """Tokens rotate through pairs of lists (some pairs surely span shards); LMPOP-free reads
    of every list in one MULTI must always see every token."""
    pairs = [(f"a{i}", f"b{i}") for i in range(8)]
    r = shoal.client()
    for i, (a, _) in enumerate(pairs):
        r.rpush(a, f"token{i}")
    writers = Until(1)
    bad = []

    def mover():
        c = shoal.client()
        try:
            for _ in range(200):
                for a, b in pairs:
                    assert c.lmove(a, b, "LEFT", "RIGHT") is not None
                    assert c.lmove(b, a, "LEFT", "RIGHT") is not None
        finally:
            writers.writer_done()

    def reader():
        c = shoal.client()
        names = [k for pair in pairs for k in pair]
        for _ in range(5000):
            if not writers.busy():
                break
            with c.pipeline(transaction=True) as p:
                for k in names:
                    p.lrange(k, 0, -1)
                seen = sum(len(x) for x in p.execute())
            if seen != len(pairs):
                bad.append(seen)
                break

    run_threads([mover, reader])
    assert not bad, f"saw {bad[0]} tokens instead of {len(pairs)}"


KEYS = st.sampled_from(["l", "m", "{l}n", "str"])
VALUES = st.one_of(st.sampled_from([b"a", b"b", b"", b"1", UNICODE]), st.binary(max_size=3))
INDEXES = st.integers(-6, 6).map(lambda i: str(i).encode())


def list_command():
    return st.one_of(
        st.tuples(st.sampled_from(["LPUSH", "RPUSH", "LPUSHX", "RPUSHX"]), KEYS,
                  st.lists(VALUES, min_size=1, max_size=4)).map(lambda t: [t[0], t[1], *t[2]]),
        st.tuples(st.sampled_from(["LPOP", "RPOP", "LLEN", "TYPE", "DEL"]), KEYS).map(list),
        st.tuples(st.sampled_from(["LPOP", "RPOP", "LINDEX"]), KEYS, INDEXES).map(list),
        st.tuples(st.sampled_from(["LRANGE", "LTRIM"]), KEYS, INDEXES, INDEXES).map(list),
        st.tuples(st.just("LSET"), KEYS, INDEXES, VALUES).map(list),
        st.tuples(st.just("LREM"), KEYS, INDEXES, VALUES).map(list),
        st.tuples(st.just("LINSERT"), KEYS, st.sampled_from(["BEFORE", "AFTER"]), VALUES,
                  VALUES).map(list),
        st.tuples(st.just("LPOS"), KEYS, VALUES, st.sampled_from(["RANK", "COUNT", "MAXLEN"]),
                  INDEXES).map(list),
        st.tuples(st.just("LMOVE"), KEYS, KEYS, st.sampled_from(["LEFT", "RIGHT"]),
                  st.sampled_from(["LEFT", "RIGHT"])).map(list),
        st.tuples(st.just("SET"), KEYS, VALUES).map(list),
        # Blocking forms that find an element or time out at once (waits: test_list_blocking.py).
        st.tuples(st.sampled_from(["BLPOP", "BRPOP"]), KEYS, KEYS).map(lambda t: [*t, "0.001"]),
        st.tuples(st.just("BLMOVE"), KEYS, KEYS, st.sampled_from(["LEFT", "RIGHT"]),
                  st.sampled_from(["LEFT", "RIGHT"])).map(lambda t: [*t, "0.001"]),
    )


def test_random_list_sequences_match_redis(shoal, redis_ref):
    check_random_sequences(shoal, redis_ref, list_command(), normalize)
