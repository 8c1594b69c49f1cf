"""Set commands: differential sequences and random sequences against redis-server (Redis 7.0
replies; OBJECT ENCODING is Redis 7.2's, which adds "listpack" sets, so it is tested apart),
cross-shard atomicity of SMOVE and the STORE forms, DUMP/RESTORE and memory accounting.
"""
import pytest
from hypothesis import strategies as st

from random_sequences import check_random_sequences
from resp_helpers import RespSet, assert_same_replies
from test_atomicity import Until, run_threads

UNICODE = "член-🐟-鍵".encode()
BINARY = b"\x00\r\n\xff*1\r\n"
ORDERLESS = {"SMEMBERS", "SINTER", "SUNION", "SDIFF", "SPOP", "SRANDMEMBER"}


def normalize(cmd, reply):
    """Sets have no order; SPOP/SRANDMEMBER with a count are compared by size only."""
    name = cmd[0].upper()
    if name in ("SPOP", "SRANDMEMBER") and len(cmd) > 2 and isinstance(reply, list):
        return ("members", len(reply))
    if name in ORDERLESS and isinstance(reply, list):
        return sorted(reply)
    if name == "SSCAN" and isinstance(reply, list) and len(reply) == 2:
        return [reply[0], sorted(reply[1])]
    return reply


def ints(n, start=0):
    return [str(i) for i in range(start, start + n)]


CASES = [
    ("sadd-srem-scard", [["SADD", "s", "a", "b", "a"], ["SCARD", "s"], ["SADD", "s", "", UNICODE,
                                                                        BINARY],
                         ["SISMEMBER", "s", ""], ["SISMEMBER", "s", UNICODE],
                         ["SMISMEMBER", "s", "a", "zz", BINARY], ["SMEMBERS", "s"],
                         ["SREM", "s", "a", "zz", "a"], ["SCARD", "s"], ["SCARD", "nope"],
                         ["SMEMBERS", "nope"], ["SISMEMBER", "nope", "a"]]),
    ("empty-set-disappears", [["SADD", "s", "a"], ["SREM", "s", "a"], ["EXISTS", "s"],
                              ["TYPE", "s"], ["SREM", "s", "a"]]),
    ("int-members", [["SADD", "i", "1", "-0", "01", "9223372036854775807", "-9223372036854775808",
                      "9223372036854775808", " 1", "+1", "1"],
                     ["SCARD", "i"], ["SMEMBERS", "i"], ["SISMEMBER", "i", "01"],
                     ["SISMEMBER", "i", "1"], ["SREM", "i", "01", "1"], ["SMEMBERS", "i"]]),
    # Each step widens the intset (2, 4, 8 bytes a value); lookups of values wider than
    # the set's width, and the values on each side of every boundary.
    ("intset-widths", [["SADD", "w", "5", "-5"], ["SISMEMBER", "w", "4294967301"],
                       ["SADD", "w", "32767", "-32768"], ["SISMEMBER", "w", "32768"],
                       ["SADD", "w", "32768", "-32769"], ["SISMEMBER", "w", "2147483648"],
                       ["SADD", "w", "2147483647", "-2147483648", "2147483648", "-2147483649"],
                       ["SMEMBERS", "w"], ["SREM", "w", "-2147483649", "32767", "5"],
                       ["SISMEMBER", "w", "-32769"], ["SMEMBERS", "w"], ["SCARD", "w"],
                       ["SADD", "w", "-9223372036854775808", "9223372036854775807"],
                       ["OBJECT", "ENCODING", "w"], ["SMEMBERS", "w"]]),
    ("big-members", [["SADD", "b", "x" * 100000, "y" * 65, "1"], ["SISMEMBER", "b", "x" * 100000],
                     ["SISMEMBER", "b", "x" * 99999], ["SCARD", "b"], ["SREM", "b", "y" * 65],
                     ["SMEMBERS", "b"], ["SPOP", "b", "5"], ["EXISTS", "b"]]),
    ("spop-srandmember", [["SPOP", "nope"], ["SPOP", "nope", "3"], ["SRANDMEMBER", "nope"],
                          ["SRANDMEMBER", "nope", "3"], ["SADD", "s", "a"], ["SPOP", "s"],
                          ["EXISTS", "s"], ["SADD", "s", "a", "b", "c"], ["SPOP", "s", "0"],
                          ["SPOP", "s", "-1"], ["SPOP", "s", "x"], ["SRANDMEMBER", "s", "x"],
                          ["SRANDMEMBER", "s", "0"], ["SRANDMEMBER", "s", "2"],
                          ["SRANDMEMBER", "s", "10"], ["SRANDMEMBER", "s", "-5"],
                          ["SRANDMEMBER", "s", "-9223372036854775808"],
                          ["SPOP", "s", "1", "2"], ["SRANDMEMBER", "s", "1", "2"],
                          ["SPOP", "s", "10"], ["EXISTS", "s"]]),
    ("set-ops", [["SADD", "{a}1", "a", "b", "c", "1", "2"], ["SADD", "{b}2", "b", "c", "d", "2"],
                 ["SADD", "{c}3", "c", "2", "x"], ["SINTER", "{a}1", "{b}2", "{c}3"],
                 ["SUNION", "{a}1", "{b}2", "{c}3", "nope"], ["SDIFF", "{a}1", "{b}2"],
                 ["SDIFF", "{a}1", "nope"], ["SDIFF", "nope", "{a}1"],
                 ["SINTER", "{a}1", "nope"], ["SINTERSTORE", "dst", "{a}1", "{b}2"],
                 ["SMEMBERS", "dst"], ["SUNIONSTORE", "dst", "{a}1", "{c}3"], ["SCARD", "dst"],
                 ["SDIFFSTORE", "dst", "{a}1", "{a}1"], ["EXISTS", "dst"],
                 ["SET", "str", "x"], ["SINTERSTORE", "str", "{a}1", "{b}2"], ["TYPE", "str"],
                 ["SINTERSTORE", "{a}1", "{a}1", "{b}2"], ["SMEMBERS", "{a}1"],
                 ["SINTERCARD", "2", "{b}2", "{c}3"], ["SINTERCARD", "2", "{b}2", "{c}3", "LIMIT", "1"],
                 ["SINTERCARD", "2", "{b}2", "{c}3", "LIMIT", "0"],
                 ["SINTERCARD", "0", "{b}2"], ["SINTERCARD", "3", "{b}2"],
                 ["SINTERCARD", "1", "{b}2", "LIMIT", "-1"], ["SINTERCARD", "x", "{b}2"],
                 ["SINTERCARD", "1", "{b}2", "FOO"], ["SINTERCARD", "1", "nope"],
                 ["SINTERCARD", "1", "{b}2", "LIMIT", "x"], ["SINTERCARD", "1", "{b}2", "LIMIT"],
                 ["SINTERCARD", "1", "{b}2", "LIMIT", "99999999999999999999"],
                 ["SINTERCARD", "1", "{b}2", "LIMIT", "9", "LIMIT", "1"],
                 ["SINTERCARD", "1", "{b}2", "LIMIT", "1", "FOO"]]),
    ("smove", [["SADD", "src", "a", "b"], ["SMOVE", "src", "dst", "a"], ["SMOVE", "src", "dst", "a"],
               ["SMEMBERS", "dst"], ["SMOVE", "src", "src", "b"], ["SMOVE", "src", "src", "zz"],
               ["SMOVE", "src", "dst", "b"], ["EXISTS", "src"], ["SMOVE", "nope", "dst", "a"],
               ["SET", "str", "x"], ["SMOVE", "dst", "str", "a"], ["SMOVE", "str", "dst", "a"],
               ["SMEMBERS", "dst"]]),
    ("set-wrongtype", [["SET", "str", "x"], ["SADD", "str", "a"], ["SREM", "str", "a"],
                       ["SMEMBERS", "str"], ["SISMEMBER", "str", "a"], ["SMISMEMBER", "str", "a"],
                       ["SCARD", "str"], ["SPOP", "str"], ["SRANDMEMBER", "str"],
                       ["SSCAN", "str", "0"], ["SINTER", "str"], ["SUNION", "nope", "str"],
                       ["SDIFFSTORE", "d", "str"], ["SINTERCARD", "1", "str"],
                       ["SADD", "s", "a"], ["GET", "s"], ["HGET", "s", "a"], ["INCR", "s"]]),
    ("set-arity", [["SADD", "s"], ["SREM", "s"], ["SMEMBERS"], ["SISMEMBER", "s"],
                   ["SMISMEMBER", "s"], ["SCARD"], ["SPOP"], ["SRANDMEMBER"], ["SMOVE", "a", "b"],
                   ["SINTER"], ["SUNIONSTORE", "d"], ["SINTERCARD", "1"], ["SSCAN", "s"]]),
    ("sscan-edges", [["SSCAN", "nope", "0"], ["SADD", "s", "a", "b"], ["SSCAN", "s", "0", "MATCH", "a"],
                     ["SSCAN", "s", "0", "COUNT", "0"], ["SSCAN", "s", "x"],
                     ["SSCAN", "s", "0", "NOVALUES"]]),
    ("set-copy-rename", [["SADD", "s", "a", "1"], ["COPY", "s", "c"], ["SADD", "c", "z"],
                         ["SCARD", "s"], ["RENAME", "c", "r"], ["SMEMBERS", "r"], ["TYPE", "r"]]),
]


@pytest.mark.parametrize("commands", [pytest.param(c[1], id=c[0]) for c in CASES])
def test_same_replies_as_redis(raw, ref_raw, commands):
    assert_same_replies(raw, ref_raw, commands, normalize)


@pytest.mark.parametrize("commands", [pytest.param(c[1], id=c[0]) for c in CASES])
def test_same_resp3_replies_as_redis(raw, ref_raw, commands):
    """RESP3 tells sets (SMEMBERS, SPOP count) from arrays (SRANDMEMBER count): the reply's
    kind is compared too."""
    for c in (raw, ref_raw):
        c.cmd("HELLO", "3")
    assert_same_replies(raw, ref_raw, commands,
                        lambda cmd, reply: (type(reply).__name__, normalize(cmd, reply)))


def test_encodings(raw):
    raw.cmd("SADD", "i", *ints(512))
    assert raw.cmd("OBJECT", "ENCODING", "i") == b"intset"
    raw.cmd("SADD", "i", "512")
    assert raw.cmd("OBJECT", "ENCODING", "i") == b"hashtable"
    raw.cmd("SADD", "p", "1", "a")
    assert raw.cmd("OBJECT", "ENCODING", "p") == b"listpack"
    raw.cmd("SADD", "p", *[f"m{i}" for i in range(127)])
    assert raw.cmd("OBJECT", "ENCODING", "p") == b"hashtable"
    raw.cmd("SADD", "long", "x" * 65)
    assert raw.cmd("OBJECT", "ENCODING", "long") == b"hashtable"
    assert raw.cmd("CONFIG", "SET", "set-max-intset-entries", "2") == "OK"
    raw.cmd("SADD", "small", "1", "2", "3")
    assert raw.cmd("OBJECT", "ENCODING", "small") == b"hashtable"
    raw.cmd("CONFIG", "SET", "set-max-intset-entries", "512")


def test_scan_type_finds_every_set(r):
    for i in range(40):
        r.sadd(f"set{i}", "a" if i % 2 else "1")
        r.set(f"str{i}", "x")
    r.hset("h", "f", "v")
    assert set(r.scan_iter(_type="set", count=7)) == {f"set{i}".encode() for i in range(40)}
    assert r.type("set0") == b"set"


def test_smembers_is_a_set_in_resp3(raw):
    raw.cmd("SADD", "s", "a", "b")
    raw.cmd("HELLO", "3")
    got = raw.cmd("SMEMBERS", "s")
    assert isinstance(got, RespSet) and sorted(got) == [b"a", b"b"]
    assert isinstance(raw.cmd("SINTER", "s", "nope"), RespSet)


@pytest.mark.parametrize("n", [3, 300, 3000])
def test_sscan_returns_every_member(r, n):
    members = {f"m{i}".encode() for i in range(n)} if n != 3 else {b"1", b"2", b"3"}
    r.sadd("s", *members)
    seen, cursor = set(), 0
    while True:
        cursor, page = r.sscan("s", cursor, count=13)
        seen |= set(page)
        if cursor == 0:
            break
    assert seen == members


@pytest.mark.parametrize("members", [range(10), range(1000), [f"m{i}" for i in range(50)],
                                     [f"m{i}" for i in range(1000)]],
                         ids=["ints10", "ints1000", "strings50", "strings1000"])
def test_srandmember_count_is_distinct_members(r, members):
    members = {str(m).encode() for m in members}
    r.sadd("s", *members)
    for count in (1, 2, 5, len(members) // 3, len(members) // 2, len(members), len(members) + 7):
        got = r.srandmember("s", count)
        assert len(got) == min(count, len(members)) == len(set(got))
        assert set(got) <= members
    assert len(r.srandmember("s", -3 * len(members))) == 3 * len(members)


def test_spop_drains_every_member_once(r):
    r.sadd("s", *range(1000))
    popped = []
    while r.exists("s"):
        popped += r.spop("s", 37)
    assert sorted(int(x) for x in popped) == list(range(1000))


def test_dump_restore_and_memory(r):
    r.set("{s}anchor", "x")
    before = r.info("memory")["used_memory_dataset"]
    for key, members in (("{s}ints", [str(i) for i in range(100)]),
                         ("{s}wide", [str(i * 2**40 - 7) for i in range(-50, 50)]),
                         ("{s}small", ["a", UNICODE, BINARY, ""]),
                         ("{s}big", [f"member:{i}" for i in range(5000)])):
        r.sadd(key, *members)
        payload = r.dump(key)
        r.restore(key + "copy", 0, payload)
        assert r.smembers(key + "copy") == {m if isinstance(m, bytes) else m.encode()
                                            for m in members}
        assert r.object("encoding", key + "copy") == r.object("encoding", key)
        r.delete(key, key + "copy")
    assert r.info("memory")["used_memory_dataset"] == before
    with pytest.raises(Exception, match="Bad data format|payload"):
        r.restore("bad", 0, b"\x02\x02\x02\x01a\x01a" + r.dump("{s}anchor")[-10:])


def test_smove_is_atomic_across_shards(shoal):
    """Tokens move back and forth between pairs of sets (some pairs surely span shards); a
    SUNION of every set (one atomic read) must always see every token."""
    pairs = [(f"left{i}", f"right{i}") for i in range(8)]
    tokens = {f"token{i}".encode() for i in range(8)}
    r = shoal.client()
    for i, (left, _) in enumerate(pairs):
        r.sadd(left, f"token{i}")
    writers = Until(1)
    bad = []

    def mover():
        c = shoal.client()
        try:
            for _ in range(200):
                for i, (left, right) in enumerate(pairs):
                    assert c.smove(left, right, f"token{i}")
                    assert c.smove(right, left, f"token{i}")
        finally:
            writers.writer_done()

    def reader():
        c = shoal.client()
        everything = [k for pair in pairs for k in pair]
        for _ in range(20000):
            if not writers.busy():
                break
            seen = c.sunion(*everything)
            if seen != tokens:
                bad.append(seen)
                break

    run_threads([mover, reader])
    assert not bad, f"SUNION saw {sorted(bad[0])}"


def test_sunionstore_is_atomic_across_shards(shoal):
    """Writers replace members of sets on every shard in one MULTI; SUNIONSTORE reads all of
    them under its locks: the stored union never mixes two generations."""
    keys = [f"part:{i}" for i in range(12)]
    writers = Until(1)
    bad = []

    def writer():
        c = shoal.client()
        try:
            for g in range(300):
                with c.pipeline(transaction=True) as p:
                    for k in keys:
                        p.delete(k)
                        p.sadd(k, f"gen{g}")
                    p.execute()
        finally:
            writers.writer_done()

    def storer():
        c = shoal.client()
        for _ in range(5000):
            if not writers.busy():
                break
            c.sunionstore("union", *keys)
            got = c.smembers("union")
            if len(got) > 1:
                bad.append(got)
                break

    run_threads([writer, storer])
    assert not bad, f"a union mixed generations: {bad[0]}"


KEYS = st.sampled_from(["s", "t", "{s}u", "str"])
MEMBERS = st.one_of(st.sampled_from([b"a", b"b", b"", b"1", b"2", b"-3", b"01", UNICODE]),
                    st.integers(-5, 600).map(lambda i: str(i).encode()), st.binary(max_size=3))


def set_command():
    return st.one_of(
        st.tuples(st.sampled_from(["SADD", "SREM", "SMISMEMBER"]), KEYS,
                  st.lists(MEMBERS, min_size=1, max_size=5)).map(lambda t: [t[0], t[1], *t[2]]),
        st.tuples(st.sampled_from(["SISMEMBER"]), KEYS, MEMBERS).map(list),
        st.tuples(st.sampled_from(["SCARD", "SMEMBERS", "TYPE", "DEL", "EXISTS"]), KEYS).map(list),
        st.tuples(st.sampled_from(["SINTER", "SUNION", "SDIFF"]),
                  st.lists(KEYS, min_size=1, max_size=3)).map(lambda t: [t[0], *t[1]]),
        st.tuples(st.sampled_from(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), KEYS,
                  st.lists(KEYS, min_size=1, max_size=3)).map(lambda t: [t[0], t[1], *t[2]]),
        st.tuples(st.just("SMOVE"), KEYS, KEYS, MEMBERS).map(list),
        st.tuples(st.just("SET"), KEYS, MEMBERS).map(list),
        st.tuples(st.just("SADD"), KEYS, st.just([str(i) for i in range(510, 515)])).map(
            lambda t: [t[0], t[1], *t[2]]),
    )


def test_random_set_sequences_match_redis(shoal, redis_ref):
    check_random_sequences(shoal, redis_ref, set_command(), normalize)
