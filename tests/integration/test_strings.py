"""String commands: GET/SET and options, SETNX/SETEX/PSETEX, GETEX/GETDEL/GETSET,
MGET/MSET/MSETNX, APPEND/STRLEN, GETRANGE/SUBSTR/SETRANGE, INCR family, INCRBYFLOAT, LCS.

Replies are read with the raw client (``raw.cmd``) so error texts are compared exactly.
Only strings exist so far, so WRONGTYPE cannot be provoked and is not tested here.
"""
import time

import pytest

from resp_helpers import Err, survives

SYNTAX = Err("ERR syntax error")
NOT_INT = Err("ERR value is not an integer or out of range")
NOT_FLOAT = Err("ERR value is not a valid float")
OVERFLOW = Err("ERR increment or decrement would overflow")
MAX_SIZE = Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
INT64_MAX = 9223372036854775807
INT64_MIN = -9223372036854775808


def arity(cmd):
    return Err(f"ERR wrong number of arguments for '{cmd}' command")


def invalid_expire(cmd):
    return Err(f"ERR invalid expire time in '{cmd}' command")


def now_ms():
    return int(time.time() * 1000)


# ---------------------------------------------------------------- GET / SET

BINARY = b"\x00\r\n\x00a\r\n\xff\xfe$3\r\n*1\r\n"
UNICODE = "ключ-🐟-鍵".encode()


@pytest.mark.parametrize(
    "key,value",
    [
        (b"k", b"v"),
        (b"k", b""),
        (b"", b"empty key"),
        (b"bin\x00key\r\n", BINARY),
        (UNICODE, UNICODE * 3),
        (b"k", b"x" * 44),
        (b"k", b"x" * 45),
        (b"k", b"-1"),
        (b"k", b"9223372036854775808"),
    ],
    ids=["plain", "empty-value", "empty-key", "binary", "unicode", "44", "45", "neg", "bigint"],
)
def test_set_get_roundtrip(raw, key, value):
    assert raw.cmd("SET", key, value) == "OK"
    assert raw.cmd("GET", key) == value
    assert raw.cmd("STRLEN", key) == len(value)
    assert raw.cmd("EXISTS", key) == 1


def test_get_missing_is_null(raw):
    assert raw.cmd("GET", "missing") is None


def test_set_overwrites(raw):
    assert raw.cmd("SET", "k", "a") == "OK"
    assert raw.cmd("SET", "k", "b") == "OK"
    assert raw.cmd("GET", "k") == b"b"


def test_large_values(raw):
    for size in (1 << 20, 3 * (1 << 20) + 7):
        value = bytes(range(256)) * (size // 256) + b"\x00\r\n"[: size % 256]
        assert raw.cmd("SET", "big", value) == "OK"
        assert raw.cmd("GET", "big") == value
        assert raw.cmd("STRLEN", "big") == len(value)
        assert raw.cmd("GETRANGE", "big", size - 10, -1) == value[size - 10 :]


def test_set_ex_px_exat_pxat(raw):
    assert raw.cmd("SET", "ex", "v", "EX", 100) == "OK"
    assert 0 < raw.cmd("TTL", "ex") <= 100
    assert raw.cmd("SET", "px", "v", "PX", 100000) == "OK"
    assert 90000 <= raw.cmd("PTTL", "px") <= 100000
    at = int(time.time()) + 1000
    assert raw.cmd("SET", "exat", "v", "EXAT", at) == "OK"
    assert raw.cmd("EXPIRETIME", "exat") == at
    at_ms = now_ms() + 1_000_000
    assert raw.cmd("SET", "pxat", "v", "PXAT", at_ms) == "OK"
    assert raw.cmd("PEXPIRETIME", "pxat") == at_ms
    # lower case options are accepted
    assert raw.cmd("set", "low", "v", "ex", 100, "nx") == "OK"
    assert raw.cmd("TTL", "low") > 0


def test_set_in_the_past_absolute_deletes(raw):
    assert raw.cmd("SET", "k", "v", "EXAT", 1) == "OK"
    assert raw.cmd("GET", "k") is None
    assert raw.cmd("SET", "k", "v", "PXAT", 1) == "OK"
    assert raw.cmd("EXISTS", "k") == 0


def test_set_clears_ttl_unless_keepttl(raw):
    raw.cmd("SET", "k", "v", "EX", 100)
    assert raw.cmd("SET", "k", "v2") == "OK"
    assert raw.cmd("TTL", "k") == -1
    raw.cmd("SET", "k", "v", "EX", 100)
    assert raw.cmd("SET", "k", "v3", "KEEPTTL") == "OK"
    assert 0 < raw.cmd("TTL", "k") <= 100
    assert raw.cmd("GET", "k") == b"v3"
    # KEEPTTL on a missing key creates it without TTL
    assert raw.cmd("SET", "new", "v", "KEEPTTL") == "OK"
    assert raw.cmd("TTL", "new") == -1


def test_set_nx_xx(raw):
    assert raw.cmd("SET", "k", "a", "XX") is None
    assert raw.cmd("EXISTS", "k") == 0
    assert raw.cmd("SET", "k", "a", "NX") == "OK"
    assert raw.cmd("SET", "k", "b", "NX") is None
    assert raw.cmd("GET", "k") == b"a"
    assert raw.cmd("SET", "k", "c", "XX") == "OK"
    assert raw.cmd("GET", "k") == b"c"


def test_set_get_option(raw):
    assert raw.cmd("SET", "k", "a", "GET") is None
    assert raw.cmd("GET", "k") == b"a"
    assert raw.cmd("SET", "k", "b", "GET") == b"a"
    assert raw.cmd("GET", "k") == b"b"
    # NX + GET: returns the old value and does not write
    assert raw.cmd("SET", "k", "c", "NX", "GET") == b"b"
    assert raw.cmd("GET", "k") == b"b"
    assert raw.cmd("SET", "n", "c", "NX", "GET") is None
    assert raw.cmd("GET", "n") == b"c"
    # XX + GET on a missing key
    assert raw.cmd("SET", "m", "x", "XX", "GET") is None
    assert raw.cmd("EXISTS", "m") == 0
    assert raw.cmd("SET", "k", "d", "XX", "GET", "EX", 100) == b"b"
    assert raw.cmd("GET", "k") == b"d"
    assert raw.cmd("TTL", "k") > 0


@pytest.mark.parametrize(
    "opts,err",
    [
        (["NX", "XX"], SYNTAX),
        (["XX", "NX"], SYNTAX),
        (["EX", 10, "PX", 100], SYNTAX),
        (["PX", 10, "EXAT", 100], SYNTAX),
        (["EXAT", 10, "PXAT", 100], SYNTAX),
        (["EX", 10, "KEEPTTL"], SYNTAX),
        (["KEEPTTL", "EX", 10], SYNTAX),
        (["KEEPTTL", "PXAT", 10], SYNTAX),
        (["EX"], SYNTAX),
        (["PXAT"], SYNTAX),
        (["FOO"], SYNTAX),
        (["NX", "FOO"], SYNTAX),
        (["PERSIST"], SYNTAX),
        (["EX", "abc"], NOT_INT),
        (["EX", "1.5"], NOT_INT),
        (["EX", ""], NOT_INT),
        (["PX", "99999999999999999999"], NOT_INT),
        (["EX", 0], invalid_expire("set")),
        (["EX", -1], invalid_expire("set")),
        (["PX", 0], invalid_expire("set")),
        (["PX", -100], invalid_expire("set")),
        (["EXAT", 0], invalid_expire("set")),
        (["PXAT", -5], invalid_expire("set")),
        (["EX", INT64_MAX], invalid_expire("set")),
        (["EX", INT64_MAX // 1000 + 1], invalid_expire("set")),
        (["PX", INT64_MAX], invalid_expire("set")),
        (["EXAT", INT64_MAX], invalid_expire("set")),
    ],
)
def test_set_invalid_options(raw, opts, err):
    raw.cmd("SET", "k", "orig")
    assert raw.cmd("SET", "k", "new", *opts) == err
    assert raw.cmd("GET", "k") == b"orig"
    assert raw.cmd("TTL", "k") == -1


def test_set_pxat_int64_max_is_accepted(raw):
    assert raw.cmd("SET", "k", "v", "PXAT", INT64_MAX) == "OK"
    assert raw.cmd("PEXPIRETIME", "k") == INT64_MAX


def test_set_repeated_expire_option(raw):
    assert raw.cmd("SET", "k", "v", "EX", 10, "EX", 100) == "OK"
    assert 10 < raw.cmd("TTL", "k") <= 100


def test_set_arity(raw):
    assert raw.cmd("SET", "k") == arity("set")
    assert raw.cmd("SET") == arity("set")
    assert raw.cmd("GET") == arity("get")
    assert raw.cmd("GET", "a", "b") == arity("get")


# ---------------------------------------------------------------- SETNX / SETEX / PSETEX

def test_setnx(raw):
    assert raw.cmd("SETNX", "k", "a") == 1
    assert raw.cmd("SETNX", "k", "b") == 0
    assert raw.cmd("GET", "k") == b"a"
    assert raw.cmd("SETNX", "k") == arity("setnx")


def test_setex_psetex(raw):
    assert raw.cmd("SETEX", "k", 100, "v") == "OK"
    assert raw.cmd("GET", "k") == b"v"
    assert 0 < raw.cmd("TTL", "k") <= 100
    assert raw.cmd("PSETEX", "p", 100000, "v") == "OK"
    assert 0 < raw.cmd("PTTL", "p") <= 100000
    # replaces an existing value and its TTL
    assert raw.cmd("SETEX", "p", 1000, "w") == "OK"
    assert 100 < raw.cmd("TTL", "p") <= 1000
    assert raw.cmd("GET", "p") == b"w"


@pytest.mark.parametrize("cmd", ["SETEX", "PSETEX"])
@pytest.mark.parametrize("t", [0, -1, INT64_MAX])
def test_setex_invalid_time(raw, cmd, t):
    assert raw.cmd(cmd, "k", t, "v") == invalid_expire(cmd.lower())
    assert raw.cmd("EXISTS", "k") == 0


@pytest.mark.parametrize("cmd", ["SETEX", "PSETEX"])
def test_setex_errors(raw, cmd):
    assert raw.cmd(cmd, "k", "abc", "v") == NOT_INT
    assert raw.cmd(cmd, "k", "1.5", "v") == NOT_INT
    assert raw.cmd(cmd, "k", 10) == arity(cmd.lower())


# ---------------------------------------------------------------- GETEX / GETDEL / GETSET

def test_getex(raw):
    assert raw.cmd("GETEX", "missing") is None
    assert raw.cmd("GETEX", "missing", "PERSIST") is None
    raw.cmd("SET", "k", "v")
    assert raw.cmd("GETEX", "k") == b"v"
    assert raw.cmd("TTL", "k") == -1
    assert raw.cmd("GETEX", "k", "EX", 100) == b"v"
    assert 0 < raw.cmd("TTL", "k") <= 100
    assert raw.cmd("GETEX", "k", "PX", 200000) == b"v"
    assert 100 < raw.cmd("TTL", "k") <= 200
    at = int(time.time()) + 5000
    assert raw.cmd("GETEX", "k", "EXAT", at) == b"v"
    assert raw.cmd("EXPIRETIME", "k") == at
    at_ms = now_ms() + 7_000_000
    assert raw.cmd("GETEX", "k", "PXAT", at_ms) == b"v"
    assert raw.cmd("PEXPIRETIME", "k") == at_ms
    assert raw.cmd("GETEX", "k", "PERSIST") == b"v"
    assert raw.cmd("TTL", "k") == -1
    # no option leaves an existing TTL alone
    raw.cmd("EXPIRE", "k", 100)
    assert raw.cmd("GETEX", "k") == b"v"
    assert raw.cmd("TTL", "k") > 0


def test_getex_past_absolute_time_deletes(raw):
    raw.cmd("SET", "k", "v")
    assert raw.cmd("GETEX", "k", "EXAT", 1) == b"v"
    assert raw.cmd("EXISTS", "k") == 0
    raw.cmd("SET", "k", "v")
    assert raw.cmd("GETEX", "k", "PXAT", 1) == b"v"
    assert raw.cmd("EXISTS", "k") == 0


@pytest.mark.parametrize(
    "opts,err",
    [
        (["EX", 10, "PERSIST"], SYNTAX),
        (["PERSIST", "EX", 10], SYNTAX),
        (["EX", 10, "PX", 10], SYNTAX),
        (["KEEPTTL"], SYNTAX),
        (["NX"], SYNTAX),
        (["GET"], SYNTAX),
        (["FOO"], SYNTAX),
        (["EX"], SYNTAX),
        (["EX", "abc"], NOT_INT),
        (["EX", 0], invalid_expire("getex")),
        (["PX", -1], invalid_expire("getex")),
        (["EXAT", 0], invalid_expire("getex")),
        (["EX", INT64_MAX], invalid_expire("getex")),
    ],
)
def test_getex_invalid(raw, opts, err):
    raw.cmd("SET", "k", "v")
    assert raw.cmd("GETEX", "k", *opts) == err
    assert raw.cmd("TTL", "k") == -1
    assert raw.cmd("GET", "k") == b"v"


def test_getex_missing_key_with_invalid_time(raw):
    assert raw.cmd("GETEX", "missing", "EX", 0) is None


def test_getdel(raw):
    assert raw.cmd("GETDEL", "k") is None
    raw.cmd("SET", "k", BINARY, "EX", 100)
    assert raw.cmd("GETDEL", "k") == BINARY
    assert raw.cmd("EXISTS", "k") == 0
    assert raw.cmd("GETDEL", "k") is None
    assert raw.cmd("GETDEL", "a", "b") == arity("getdel")


def test_getset(raw):
    assert raw.cmd("GETSET", "k", "a") is None
    assert raw.cmd("GETSET", "k", "b") == b"a"
    assert raw.cmd("GET", "k") == b"b"
    raw.cmd("EXPIRE", "k", 100)
    assert raw.cmd("GETSET", "k", "c") == b"b"
    assert raw.cmd("TTL", "k") == -1  # GETSET discards the TTL
    assert raw.cmd("GETSET", "k") == arity("getset")


# ---------------------------------------------------------------- MGET / MSET / MSETNX

def test_mset_mget_many_keys(raw):
    keys = [f"key:{i}" for i in range(200)]  # spread over every shard
    args = []
    for i, k in enumerate(keys):
        args += [k, f"value-{i}"]
    assert raw.cmd("MSET", *args) == "OK"
    assert raw.cmd("MGET", *keys) == [f"value-{i}".encode() for i in range(200)]
    assert raw.cmd("MGET", "nope", keys[0], "nope2") == [None, b"value-0", None]
    assert raw.cmd("DBSIZE") == 200


def test_mset_duplicate_keys_last_wins(raw):
    assert raw.cmd("MSET", "a", "1", "b", "2", "a", "3") == "OK"
    assert raw.cmd("MGET", "a", "b", "a") == [b"3", b"2", b"3"]


def test_mset_clears_ttl_and_binary(raw):
    raw.cmd("SET", "a", "x", "EX", 100)
    assert raw.cmd("MSET", "a", BINARY, UNICODE, b"") == "OK"
    assert raw.cmd("TTL", "a") == -1
    assert raw.cmd("MGET", "a", UNICODE) == [BINARY, b""]


def test_mset_arity(raw):
    assert raw.cmd("MSET", "a") == arity("mset")
    assert raw.cmd("MSET", "a", "1", "b") == arity("mset")
    assert raw.cmd("MSETNX", "a", "1", "b") == arity("msetnx")
    assert raw.cmd("MGET") == arity("mget")
    assert raw.cmd("EXISTS", "a", "b") == 0


def test_msetnx(raw):
    keys = [f"nx:{i}" for i in range(50)]
    args = [x for k in keys for x in (k, "v")]
    assert raw.cmd("MSETNX", *args) == 1
    assert raw.cmd("EXISTS", *keys) == 50
    # one existing key blocks them all
    assert raw.cmd("MSETNX", "fresh1", "x", keys[17], "y", "fresh2", "z") == 0
    assert raw.cmd("EXISTS", "fresh1", "fresh2") == 0
    assert raw.cmd("GET", keys[17]) == b"v"
    # the same key twice in one MSETNX: both are "new"
    assert raw.cmd("MSETNX", "dup", "1", "dup", "2") == 1
    assert raw.cmd("GET", "dup") == b"2"


# ---------------------------------------------------------------- APPEND / STRLEN

def test_append(raw):
    assert raw.cmd("APPEND", "k", "ab") == 2
    assert raw.cmd("APPEND", "k", "") == 2
    assert raw.cmd("APPEND", "k", BINARY) == 2 + len(BINARY)
    assert raw.cmd("GET", "k") == b"ab" + BINARY
    assert raw.cmd("APPEND", "e", "") == 0
    assert raw.cmd("EXISTS", "e") == 1  # APPEND of "" still creates the key
    assert raw.cmd("GET", "e") == b""


def test_append_to_integer_and_keeps_ttl(raw):
    raw.cmd("SET", "n", "123", "EX", 100)
    assert raw.cmd("APPEND", "n", "45") == 5
    assert raw.cmd("GET", "n") == b"12345"
    assert raw.cmd("INCR", "n") == 12346
    assert 0 < raw.cmd("TTL", "n") <= 100


def test_append_grows_large(raw):
    chunk = b"0123456789" * 10000  # 100 KB
    for i in range(12):
        assert raw.cmd("APPEND", "big", chunk) == (i + 1) * len(chunk)
    assert raw.cmd("STRLEN", "big") == 12 * len(chunk)
    assert raw.cmd("GETRANGE", "big", -10, -1) == b"0123456789"


def test_strlen(raw):
    assert raw.cmd("STRLEN", "missing") == 0
    raw.cmd("SET", "u", UNICODE)
    assert raw.cmd("STRLEN", "u") == len(UNICODE)
    raw.cmd("SET", "n", "-12345")
    assert raw.cmd("STRLEN", "n") == 6
    raw.cmd("INCR", "i")
    assert raw.cmd("STRLEN", "i") == 1


# ---------------------------------------------------------------- GETRANGE / SUBSTR / SETRANGE

@pytest.mark.parametrize(
    "start,end,expected",
    [
        (0, 3, b"This"),
        (-3, -1, b"ing"),
        (0, -1, b"This is a string"),
        (10, 100, b"string"),
        (-100, 3, b"This"),
        (-100, -100, b"T"),
        (-100, -200, b""),
        (5, 3, b""),
        (-1, -5, b""),
        (15, 15, b"g"),
        (16, 20, b""),
        (0, 0, b"T"),
        (-1, -1, b"g"),
        (INT64_MIN, INT64_MAX, b"This is a string"),
        (INT64_MAX, INT64_MIN, b""),
    ],
)
def test_getrange(raw, start, end, expected):
    raw.cmd("SET", "k", "This is a string")
    assert raw.cmd("GETRANGE", "k", start, end) == expected
    assert raw.cmd("SUBSTR", "k", start, end) == expected


def test_getrange_edges(raw):
    assert raw.cmd("GETRANGE", "missing", 0, -1) == b""
    raw.cmd("SET", "e", "")
    assert raw.cmd("GETRANGE", "e", 0, -1) == b""
    raw.cmd("SET", "n", 12345)
    assert raw.cmd("GETRANGE", "n", 1, 2) == b"23"
    raw.cmd("SET", "b", BINARY)
    assert raw.cmd("GETRANGE", "b", 0, 2) == b"\x00\r\n"
    assert raw.cmd("GETRANGE", "k", "a", 1) == NOT_INT
    assert raw.cmd("GETRANGE", "n", 0, "1.5") == NOT_INT
    assert raw.cmd("GETRANGE", "n", 0, "99999999999999999999") == NOT_INT
    assert raw.cmd("GETRANGE", "n", 0) == arity("getrange")
    assert raw.cmd("SUBSTR", "n", 0) == arity("substr")


def test_setrange(raw):
    raw.cmd("SET", "k", "Hello World")
    assert raw.cmd("SETRANGE", "k", 6, "Redis") == 11
    assert raw.cmd("GET", "k") == b"Hello Redis"
    assert raw.cmd("SETRANGE", "k", 11, "!!") == 13
    assert raw.cmd("GET", "k") == b"Hello Redis!!"
    assert raw.cmd("SETRANGE", "k", 0, "") == 13  # empty value: length, no change
    # zero padding of a new key and past the end
    assert raw.cmd("SETRANGE", "p", 5, "x") == 6
    assert raw.cmd("GET", "p") == b"\x00" * 5 + b"x"
    assert raw.cmd("SETRANGE", "p", 8, BINARY) == 8 + len(BINARY)
    assert raw.cmd("GET", "p") == b"\x00" * 5 + b"x\x00\x00" + BINARY
    # a missing key with an empty value is not created
    assert raw.cmd("SETRANGE", "q", 100, "") == 0
    assert raw.cmd("EXISTS", "q") == 0


def test_setrange_on_integer_and_ttl(raw):
    raw.cmd("SET", "n", 1234, "EX", 100)
    assert raw.cmd("SETRANGE", "n", 1, "9") == 4
    assert raw.cmd("GET", "n") == b"1934"
    assert raw.cmd("INCR", "n") == 1935
    assert raw.cmd("TTL", "n") > 0


def test_setrange_large_offset(raw):
    assert raw.cmd("SETRANGE", "k", 2 * 1024 * 1024, "end") == 2 * 1024 * 1024 + 3
    assert raw.cmd("GETRANGE", "k", 0, 3) == b"\x00\x00\x00\x00"
    assert raw.cmd("GETRANGE", "k", -3, -1) == b"end"


def test_setrange_errors(raw):
    raw.cmd("SET", "k", "v")
    assert raw.cmd("SETRANGE", "k", -1, "x") == Err("ERR offset is out of range")
    assert raw.cmd("SETRANGE", "k", "abc", "x") == NOT_INT
    assert raw.cmd("SETRANGE", "k", 536870911, "xx") == MAX_SIZE
    assert raw.cmd("SETRANGE", "k", 536870912, "x") == MAX_SIZE
    assert raw.cmd("SETRANGE", "new", 536870912, "x") == MAX_SIZE
    assert raw.cmd("EXISTS", "new") == 0
    # an empty value never hits the size check
    assert raw.cmd("SETRANGE", "k", 536870912, "") == 1
    assert raw.cmd("SETRANGE", "k", 0) == arity("setrange")
    assert raw.cmd("GET", "k") == b"v"


@pytest.mark.parametrize("offset,value", [(9223372036854775807, "x"),
                                          (9223372036854775800, "abcdefghijk")])
def test_setrange_offset_overflow(scratch_shoal, offset, value):
    s = scratch_shoal()
    assert survives(s, "SETRANGE", "k", offset, value) == MAX_SIZE


def test_set_syntax_error_wins_over_bad_expire_value(raw):
    raw.cmd("SET", "k", "v")
    assert [raw.cmd("SET", "k", "v", "EX", "abc", "FOO"),
            raw.cmd("SET", "k", "v", "EX", "", ""),
            raw.cmd("SET", "k", "v", "EX", "0", "FOO"),
            raw.cmd("GETEX", "k", "EX", "abc", "FOO")] == [SYNTAX] * 4


# ---------------------------------------------------------------- INCR family

def test_incr_decr(raw):
    assert raw.cmd("INCR", "n") == 1
    assert raw.cmd("INCR", "n") == 2
    assert raw.cmd("DECR", "n") == 1
    assert raw.cmd("DECR", "m") == -1
    assert raw.cmd("INCRBY", "n", 100) == 101
    assert raw.cmd("INCRBY", "n", -201) == -100
    assert raw.cmd("DECRBY", "n", -50) == -50
    assert raw.cmd("DECRBY", "n", 50) == -100
    assert raw.cmd("GET", "n") == b"-100"
    raw.cmd("SET", "s", "  ")
    raw.cmd("SET", "t", "41")
    assert raw.cmd("INCR", "t") == 42


def test_incr_keeps_ttl(raw):
    raw.cmd("SET", "n", 5, "EX", 100)
    assert raw.cmd("INCR", "n") == 6
    assert 0 < raw.cmd("TTL", "n") <= 100


@pytest.mark.parametrize(
    "value", ["abc", "", " 1", "1 ", "1.0", "+1", "01", "-0", "0x10", "1e3",
              "9223372036854775808", "-9223372036854775809", "18446744073709551616", "1\x00"]
)
def test_incr_non_integer_value(raw, value):
    raw.cmd("SET", "k", value)
    for cmd in (["INCR", "k"], ["DECR", "k"], ["INCRBY", "k", 1], ["DECRBY", "k", 1]):
        assert raw.cmd(*cmd) == NOT_INT
    assert raw.cmd("GET", "k") == value.encode()


@pytest.mark.parametrize("delta", ["abc", "", "1.5", " 1", "+1", "01", "9223372036854775808"])
def test_incrby_non_integer_delta(raw, delta):
    assert raw.cmd("INCRBY", "k", delta) == NOT_INT
    assert raw.cmd("DECRBY", "k", delta) == NOT_INT
    assert raw.cmd("EXISTS", "k") == 0


def test_incr_overflow(raw):
    raw.cmd("SET", "k", INT64_MAX)
    assert raw.cmd("INCR", "k") == OVERFLOW
    assert raw.cmd("INCRBY", "k", 1) == OVERFLOW
    assert raw.cmd("DECRBY", "k", -1) == OVERFLOW
    assert raw.cmd("GET", "k") == str(INT64_MAX).encode()
    assert raw.cmd("INCRBY", "k", 0) == INT64_MAX
    raw.cmd("SET", "k", INT64_MIN)
    assert raw.cmd("DECR", "k") == OVERFLOW
    assert raw.cmd("INCRBY", "k", -1) == OVERFLOW
    assert raw.cmd("INCRBY", "k", INT64_MAX) == -1
    assert raw.cmd("INCRBY", "m", INT64_MIN) == INT64_MIN
    assert raw.cmd("INCRBY", "m", INT64_MIN) == OVERFLOW
    assert raw.cmd("DECRBY", "z", INT64_MIN) == Err("ERR decrement would overflow")
    assert raw.cmd("DECRBY", "z", INT64_MAX) == -INT64_MAX
    assert raw.cmd("DECRBY", "z", 1) == INT64_MIN
    assert raw.cmd("DECRBY", "z", 1) == OVERFLOW


def test_incr_arity(raw):
    assert raw.cmd("INCR") == arity("incr")
    assert raw.cmd("INCR", "a", "b") == arity("incr")
    assert raw.cmd("INCRBY", "a") == arity("incrby")
    assert raw.cmd("DECRBY", "a", 1, 2) == arity("decrby")


# ---------------------------------------------------------------- INCRBYFLOAT

@pytest.mark.parametrize(
    "initial,incr,expected",
    [
        (None, "10.5", b"10.5"),
        ("10.50", "0.1", b"10.6"),
        ("5.0e3", "2.0e2", b"5200"),
        ("3", "1.5", b"4.5"),
        (None, "3", b"3"),
        (None, "5.0e3", b"5000"),
        ("1", "-1", b"0"),
        ("-1.5", "-0.5", b"-2"),
        ("0", "1e-5", b"0.00001"),
        (None, ".5", b"0.5"),
        (None, "-.5", b"-0.5"),
        ("10", "-0.0", b"10"),
        ("7", "1E2", b"107"),
        (None, "17179869184", b"17179869184"),
    ],
)
def test_incrbyfloat(raw, initial, incr, expected):
    if initial is not None:
        raw.cmd("SET", "f", initial)
    assert raw.cmd("INCRBYFLOAT", "f", incr) == expected
    assert raw.cmd("GET", "f") == expected


def test_incrbyfloat_keeps_ttl(raw):
    raw.cmd("SET", "f", "1.5", "EX", 100)
    assert raw.cmd("INCRBYFLOAT", "f", "1") == b"2.5"
    assert 0 < raw.cmd("TTL", "f") <= 100


@pytest.mark.parametrize("incr", ["abc", "", "1.5.5", " 1", "1 ", "nan", "NaN", "0x", "1e"])
def test_incrbyfloat_invalid_increment(raw, incr):
    raw.cmd("SET", "f", "1")
    assert raw.cmd("INCRBYFLOAT", "f", incr) == NOT_FLOAT
    assert raw.cmd("GET", "f") == b"1"


@pytest.mark.parametrize("value", ["abc", "1.5.5", " 1", "nan", "1,5"])
def test_incrbyfloat_invalid_value(raw, value):
    raw.cmd("SET", "f", value)
    assert raw.cmd("INCRBYFLOAT", "f", "1") == NOT_FLOAT


@pytest.mark.parametrize(
    "initial,incr",
    [(None, "inf"), (None, "-inf"), ("1", "+inf"), ("1.1e4932", "1e4932"), ("inf", "1"),
     ("-inf", "inf")],
)
def test_incrbyfloat_nan_inf(raw, initial, incr):
    if initial is not None:
        raw.cmd("SET", "f", initial)
    assert raw.cmd("INCRBYFLOAT", "f", incr) == Err("ERR increment would produce NaN or Infinity")
    assert raw.cmd("GET", "f") == (initial.encode() if initial is not None else None)


def test_incrbyfloat_beyond_double_range(raw):
    # the sum is computed in long double, as Redis does
    raw.cmd("SET", "f", "1.7976931348623157e308")
    out = raw.cmd("INCRBYFLOAT", "f", "1.7976931348623157e308")
    assert out.startswith(b"359538626972463") and len(out) == 309


def test_incrbyfloat_out_of_range_increment(raw):
    assert raw.cmd("INCRBYFLOAT", "f", "1e5000") == NOT_FLOAT
    assert raw.cmd("INCRBYFLOAT", "f", "-1e5000") == NOT_FLOAT


def test_incrbyfloat_then_incr(raw):
    raw.cmd("INCRBYFLOAT", "f", "2.0")
    assert raw.cmd("INCR", "f") == 3
    raw.cmd("INCRBYFLOAT", "g", "2.5")
    assert raw.cmd("INCR", "g") == NOT_INT
    assert raw.cmd("INCRBYFLOAT", "g") == arity("incrbyfloat")


# ---------------------------------------------------------------- LCS

def test_lcs_plain_and_len(raw):
    raw.cmd("MSET", "a", "ohmytext", "b", "mynewtext")
    assert raw.cmd("LCS", "a", "b") == b"mytext"
    assert raw.cmd("LCS", "a", "b", "LEN") == 6
    assert raw.cmd("LCS", "a", "missing") == b""
    assert raw.cmd("LCS", "missing", "missing2", "LEN") == 0
    assert raw.cmd("LCS", "a", "a") == b"ohmytext"


def test_lcs_idx(raw):
    raw.cmd("MSET", "a", "ohmytext", "b", "mynewtext")
    assert raw.cmd("LCS", "a", "b", "IDX") == [
        b"matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], b"len", 6]
    assert raw.cmd("LCS", "a", "b", "IDX", "MINMATCHLEN", 4) == [
        b"matches", [[[4, 7], [5, 8]]], b"len", 6]
    assert raw.cmd("LCS", "a", "b", "IDX", "MINMATCHLEN", 4, "WITHMATCHLEN") == [
        b"matches", [[[4, 7], [5, 8], 4]], b"len", 6]
    assert raw.cmd("LCS", "a", "b", "IDX", "WITHMATCHLEN") == [
        b"matches", [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], b"len", 6]
    assert raw.cmd("LCS", "a", "b", "IDX", "MINMATCHLEN", -5) == [
        b"matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], b"len", 6]
    assert raw.cmd("LCS", "a", "missing", "IDX") == [b"matches", [], b"len", 0]


def test_lcs_keys_on_different_shards_and_binary(raw):
    # many pairs so some of them land on different shards
    for i in range(20):
        raw.cmd("MSET", f"x{i}", b"\x00ab\r\ncd", f"y{i}", b"zab\r\nz")
        assert raw.cmd("LCS", f"x{i}", f"y{i}") == b"ab\r\n"


def test_lcs_errors(raw):
    raw.cmd("MSET", "a", "x", "b", "y")
    assert raw.cmd("LCS", "a", "b", "LEN", "IDX") == Err(
        "ERR If you want both the length and indexes, please just use IDX.")
    assert raw.cmd("LCS", "a", "b", "FOO") == SYNTAX
    assert raw.cmd("LCS", "a", "b", "MINMATCHLEN") == SYNTAX
    assert raw.cmd("LCS", "a", "b", "MINMATCHLEN", "x") == NOT_INT
    assert raw.cmd("LCS", "a") == arity("lcs")


# ---------------------------------------------------------------- misc

def test_unknown_command(raw):
    assert raw.cmd("NOSUCHCMD") == Err("ERR unknown command 'NOSUCHCMD', with args beginning with: ")
    assert raw.cmd("nosuch", "a", "b c") == Err(
        "ERR unknown command 'nosuch', with args beginning with: 'a' 'b c' ")


def test_commands_are_case_insensitive(raw):
    assert raw.cmd("sEt", "k", "v") == "OK"
    assert raw.cmd("get", "k") == b"v"
    assert raw.cmd("GeTrAnGe", "k", 0, -1) == b"v"


def test_redis_py_client(r):
    assert r.set("k", "v") is True
    assert r.get("k") == b"v"
    assert r.incr("n", 5) == 5
    assert r.incrbyfloat("f", 1.5) == 1.5
    assert r.mset({"a": 1, "b": 2}) is True
    assert r.mget("a", "b", "c") == [b"1", b"2", None]
    assert r.set("k", "w", get=True) == b"v"
    assert r.getex("k", ex=100) == b"w"
    assert r.ttl("k") > 0
