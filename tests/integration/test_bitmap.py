"""Bit operations on strings: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, compared with
redis-server (Redis 7.0), including BITOP across shards and random sequences."""
import pytest
from hypothesis import strategies as st

from random_sequences import check_random_sequences
from resp_helpers import assert_same_replies


def normalize(cmd, reply):
    return reply


CASES = [
    ("setbit-getbit", [["SETBIT", "b", "7", "1"], ["GET", "b"], ["SETBIT", "b", "7", "0"], ["GET", "b"],
                       ["SETBIT", "b", "100", "1"], ["STRLEN", "b"], ["GETBIT", "b", "100"],
                       ["GETBIT", "b", "99"], ["GETBIT", "b", "10000"], ["GETBIT", "nope", "0"],
                       ["SETBIT", "b", "-1", "1"], ["SETBIT", "b", "4294967296", "1"],
                       ["SETBIT", "b", "x", "1"], ["SETBIT", "b", "1", "2"], ["SETBIT", "b", "1", "-1"],
                       ["GETBIT", "b", "-1"], ["SETBIT", "n", "0", "0"], ["GET", "n"],
                       ["SET", "i", "12"], ["SETBIT", "i", "7", "1"], ["GET", "i"], ["GETBIT", "i", "2"]]),
    ("bitcount", [["SET", "s", "foobar"], ["BITCOUNT", "s"], ["BITCOUNT", "s", "0", "0"],
                  ["BITCOUNT", "s", "1", "1"], ["BITCOUNT", "s", "-2", "-1"], ["BITCOUNT", "s", "5", "1"],
                  ["BITCOUNT", "s", "0", "100"], ["BITCOUNT", "s", "-100", "-50"],
                  ["BITCOUNT", "s", "1", "5", "BIT"], ["BITCOUNT", "s", "5", "30", "BIT"],
                  ["BITCOUNT", "s", "-9", "-1", "BIT"], ["BITCOUNT", "s", "0", "1", "BYTE"],
                  ["BITCOUNT", "s", "0"], ["BITCOUNT", "s", "0", "1", "FOO"], ["BITCOUNT", "s", "x", "1"],
                  ["BITCOUNT", "nope"], ["BITCOUNT", "nope", "0", "1"], ["SET", "e", ""], ["BITCOUNT", "e"],
                  ["SET", "long", "x" * 100], ["BITCOUNT", "long"], ["BITCOUNT", "long", "3", "90"]]),
    ("bitpos", [["SET", "s", b"\xff\xf0\x00"], ["BITPOS", "s", "0"], ["BITPOS", "s", "1"],
                ["BITPOS", "s", "0", "2"], ["BITPOS", "s", "1", "2"], ["BITPOS", "s", "1", "0", "-1"],
                ["BITPOS", "s", "0", "1", "1"], ["BITPOS", "s", "0", "7", "15", "BIT"],
                ["BITPOS", "s", "1", "7", "15", "BIT"], ["BITPOS", "s", "1", "-8", "-1", "BIT"],
                ["BITPOS", "s", "2"], ["BITPOS", "s", "1", "x"], ["BITPOS", "nope", "1"],
                ["BITPOS", "nope", "0"], ["SET", "ones", b"\xff\xff"], ["BITPOS", "ones", "0"],
                ["BITPOS", "ones", "0", "0", "-1"], ["BITPOS", "ones", "0", "1"], ["SET", "z", b"\x00"],
                ["BITPOS", "z", "1"], ["BITPOS", "s", "1", "5", "2"], ["SET", "e", ""], ["BITPOS", "e", "0"],
                ["BITPOS", "e", "1"], ["BITPOS", "s", "1", "0", "1", "FOO"]]),
    ("bitop", [["SET", "{a}1", "foobar"], ["SET", "{b}2", "abcdef"], ["SET", "{c}3", "ab"],
               ["BITOP", "AND", "dst", "{a}1", "{b}2"], ["GET", "dst"], ["BITOP", "OR", "dst", "{a}1", "{c}3"],
               ["GET", "dst"], ["BITOP", "XOR", "dst", "{a}1", "{b}2", "{c}3"], ["GET", "dst"],
               ["BITOP", "NOT", "dst", "{c}3"], ["GET", "dst"], ["BITOP", "NOT", "dst", "{a}1", "{b}2"],
               ["BITOP", "NAND", "dst", "{a}1"], ["BITOP", "AND", "dst", "nope", "nope2"], ["EXISTS", "dst"],
               ["BITOP", "AND", "dst", "{a}1", "nope"], ["GET", "dst"], ["HSET", "h", "f", "v"],
               ["BITOP", "AND", "dst", "{a}1", "h"], ["BITOP", "OR", "h", "{a}1"], ["TYPE", "h"]]),
    ("bitfield", [["BITFIELD", "f", "SET", "u8", "0", "200", "GET", "u8", "0", "GET", "i8", "0"],
                  ["BITFIELD", "f", "INCRBY", "u8", "0", "100", "INCRBY", "i5", "#1", "40"],
                  ["BITFIELD", "f", "OVERFLOW", "SAT", "INCRBY", "u8", "0", "1000", "INCRBY", "i8", "8", "-1000"],
                  ["BITFIELD", "f", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1", "GET", "u8", "0"],
                  ["BITFIELD", "f", "OVERFLOW", "FAIL", "SET", "i4", "20", "100", "SET", "i4", "20", "-8"],
                  ["BITFIELD", "f", "SET", "i64", "64", "-9223372036854775808", "INCRBY", "i64", "64", "-1"],
                  ["BITFIELD", "f", "SET", "u63", "3", "9223372036854775807", "GET", "u63", "3"],
                  ["BITFIELD", "f", "GET", "u1", "1000"], ["STRLEN", "f"], ["GET", "f"],
                  ["BITFIELD", "nope", "GET", "u8", "0"], ["EXISTS", "nope"], ["BITFIELD", "nope"],
                  ["BITFIELD", "f", "GET", "u64", "0"], ["BITFIELD", "f", "GET", "i65", "0"],
                  ["BITFIELD", "f", "GET", "x8", "0"], ["BITFIELD", "f", "GET", "u8", "-1"],
                  ["BITFIELD", "f", "GET", "u8", "#x"], ["BITFIELD", "f", "SET", "u8", "0", "x"],
                  ["BITFIELD", "f", "OVERFLOW", "NOPE", "GET", "u8", "0"], ["BITFIELD", "f", "FOO"],
                  ["BITFIELD", "f", "GET", "u8"], ["BITFIELD_RO", "f", "GET", "u8", "0", "GET", "i16", "#2"],
                  ["BITFIELD_RO", "f", "SET", "u8", "0", "1"], ["BITFIELD_RO", "nope", "GET", "i8", "0"],
                  ["HSET", "h", "a", "b"], ["BITFIELD", "h", "GET", "u8", "0"]]),
    ("bitmap-wrongtype-arity", [["HSET", "h", "f", "v"], ["SETBIT", "h", "0", "1"], ["GETBIT", "h", "0"],
                                ["BITCOUNT", "h"], ["BITPOS", "h", "1"], ["SETBIT", "k", "1"], ["GETBIT", "k"],
                                ["BITCOUNT"], ["BITPOS", "k"], ["BITOP", "AND", "d"]]),
]


@pytest.mark.parametrize("commands", [pytest.param(c[1], id=c[0]) for c in CASES])
def test_same_replies_as_redis(raw, ref_raw, commands):
    assert_same_replies(raw, ref_raw, commands, normalize)


KEYS = st.sampled_from(["a", "b", "{a}c", "h"])
OFFSETS = st.integers(-2, 70).map(lambda i: str(i).encode())
BYTES = st.binary(max_size=6)


def bit_command():
    return st.one_of(
        st.tuples(st.just("SETBIT"), KEYS, OFFSETS, st.sampled_from(["0", "1"])).map(list),
        st.tuples(st.just("GETBIT"), KEYS, OFFSETS).map(list),
        st.tuples(st.just("BITCOUNT"), KEYS, st.sampled_from([[], ["0", "-1"], ["1", "3", "BIT"],
                                                              ["-3", "-1"], ["2", "1"], ["0", "20", "BIT"]])).map(
            lambda t: [t[0], t[1], *t[2]]),
        st.tuples(st.just("BITPOS"), KEYS, st.sampled_from(["0", "1"]),
                  st.sampled_from([[], ["1"], ["0", "-1"], ["2", "9", "BIT"], ["-1"]])).map(
            lambda t: [t[0], t[1], t[2], *t[3]]),
        st.tuples(st.just("BITOP"), st.sampled_from(["AND", "OR", "XOR"]), KEYS,
                  st.lists(KEYS, min_size=1, max_size=3)).map(lambda t: [t[0], t[1], t[2], *t[3]]),
        st.tuples(st.just("BITFIELD"), KEYS, st.sampled_from(["WRAP", "SAT", "FAIL"]),
                  st.sampled_from(["GET", "SET", "INCRBY"]), st.sampled_from(["u1", "u7", "i8", "i13", "u63", "i64"]),
                  st.sampled_from(["0", "3", "#1", "9", "61"]), st.integers(-300, 300).map(str)).map(
            lambda t: [t[0], t[1], "OVERFLOW", t[2], t[3], t[4], t[5]] + ([t[6]] if t[3] != "GET" else [])),
        st.tuples(st.just("SET"), KEYS, BYTES).map(list),
        st.tuples(st.just("GET"), KEYS).map(list),
        st.tuples(st.just("HSET"), KEYS, st.just("f"), st.just("v")).map(list),
    )


def test_random_bit_sequences_match_redis(shoal, redis_ref):
    check_random_sequences(shoal, redis_ref, bit_command(), normalize)
