"""Atomicity of multi-key commands whose keys live on several shards
(docs/multi-key-atomicity.md): no client may observe half of an MSET, MSETNX, RENAME, DEL,
FLUSHDB or SWAPDB.

Each test runs a bounded number of iterations per thread; readers run until the writers are
done (also bounded) and check every observation. Nothing depends on timing. Key sets are
large enough (10+ keys, or many pairs) that they always span every shard.
"""
import threading

import pytest

from resp_helpers import Err

ITERATIONS = 2000


def run_threads(targets, timeout=240):
    """Runs the callables in threads; re-raises the first failure."""
    errors = []

    def wrap(fn):
        def run():
            try:
                fn()
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)
        return run

    threads = [threading.Thread(target=wrap(fn)) for fn in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
        assert not t.is_alive(), "a worker thread did not finish"
    if errors:
        real = [e for e in errors if not isinstance(e, threading.BrokenBarrierError)]
        raise (real or errors)[0]


class Until:
    """Readers loop while writers are busy, with a hard cap on iterations."""

    def __init__(self, writers):
        self.left = writers
        self.lock = threading.Lock()

    def writer_done(self):
        with self.lock:
            self.left -= 1

    def busy(self):
        return self.left > 0


@pytest.fixture(params=[pytest.param(2, id="2-shards"),
                        pytest.param(4, id="4-shards")])
def server(request, shoal, scratch_shoal):
    if request.param == 2:
        return shoal
    # More shards than this machine's cores: the regression test for lost mailbox messages
    # (a plain store clearing Mailbox's drain flag let hops vanish, leaving keys locked).
    return scratch_shoal(shards=4)


def test_mset_vs_mget_never_mixed(server):
    keys = [f"atom:{i}" for i in range(12)]
    with server.raw(timeout=20) as c:
        c.cmd("MSET", *[x for k in keys for x in (k, "init")])
    writers = 3
    until = Until(writers)
    seen = {"reads": 0, "distinct": set()}

    def writer(w):
        def run():
            try:
                with server.raw(timeout=20) as c:
                    for i in range(ITERATIONS):
                        val = f"w{w}:{i}"
                        assert c.cmd("MSET", *[x for k in keys for x in (k, val)]) == "OK"
            finally:
                until.writer_done()
        return run

    def reader():
        with server.raw(timeout=20) as c:
            n = 0
            while until.busy() and n < 20 * ITERATIONS:
                vals = c.cmd("MGET", *keys)
                assert len(set(vals)) == 1, f"MGET saw a mix of writers: {vals}"
                seen["distinct"].add(vals[0])
                n += 1
            seen["reads"] += n

    run_threads([writer(w) for w in range(writers)] + [reader, reader])
    with server.raw(timeout=20) as c:
        final = c.cmd("MGET", *keys)
    assert len(set(final)) == 1 and final[0].endswith(f":{ITERATIONS - 1}".encode())
    assert seen["reads"] > 0


def test_mset_vs_single_gets_in_order(server):
    """A reader doing GET k0, then GET k1, ... (each a single-shard command) never sees an
    older MSET after a newer one: the values are non-decreasing along one pass."""
    keys = [f"ord:{i}" for i in range(10)]
    with server.raw(timeout=20) as c:
        c.cmd("MSET", *[x for k in keys for x in (k, 0)])
    until = Until(1)

    def writer():
        try:
            with server.raw(timeout=20) as c:
                for i in range(1, ITERATIONS + 1):
                    c.cmd("MSET", *[x for k in keys for x in (k, i)])
        finally:
            until.writer_done()

    def reader():
        with server.raw(timeout=20) as c:
            n = 0
            while until.busy() and n < 5 * ITERATIONS:
                got = [int(c.cmd("GET", k)) for k in keys]
                assert got == sorted(got), f"a later GET saw an older MSET: {got}"
                n += 1

    run_threads([writer, reader])


def test_rename_between_shards_vs_readers(server):
    pairs = [(f"ren:a{i}", f"ren:b{i}") for i in range(16)]  # some pairs surely span shards
    with server.raw(timeout=20) as c:
        for i, (a, _) in enumerate(pairs):
            c.cmd("SET", a, f"value{i}")
    renamers = 2
    until = Until(renamers)

    def renamer(part):
        def run():
            try:
                with server.raw(timeout=20) as c:
                    mine = pairs[part::renamers]
                    for i in range(ITERATIONS // len(mine)):  # ITERATIONS renames per thread
                        for a, b in mine:
                            src, dst = (a, b) if i % 2 == 0 else (b, a)
                            assert c.cmd("RENAME", src, dst) == "OK"
            finally:
                until.writer_done()
        return run

    def reader():
        with server.raw(timeout=20) as c:
            n = 0
            while until.busy() and n < 10 * ITERATIONS:
                flat = [k for p in pairs for k in p]
                vals = c.cmd("MGET", *flat)
                for i in range(len(pairs)):
                    a_val, b_val = vals[2 * i], vals[2 * i + 1]
                    assert (a_val is None) != (b_val is None), \
                        f"pair {i}: saw {a_val!r} / {b_val!r} (RENAME half done)"
                    assert (a_val or b_val) == f"value{i}".encode()
                assert c.cmd("EXISTS", *flat) == len(pairs)
                n += 1

    run_threads([renamer(p) for p in range(renamers)] + [reader])
    with server.raw(timeout=20) as c:
        assert c.cmd("DBSIZE") == len(pairs)


def test_msetnx_exactly_one_winner(server):
    contenders = 4
    rounds = 300
    keys = [f"nx:{i}" for i in range(10)]
    barrier = threading.Barrier(contenders)
    results = [[None] * rounds for _ in range(contenders)]
    conns = [server.raw(timeout=20) for _ in range(contenders + 1)]
    control = conns[-1]

    def contender(w):
        def run():
            try:
                body()
            except BaseException:
                barrier.abort()  # wake the others instead of leaving them at the barrier
                raise

        def body():
            c = conns[w]
            for r in range(rounds):
                barrier.wait(timeout=60)
                own = [f"nx:own:{w}"]  # plus a key nobody else uses
                res = c.cmd("MSETNX", *[x for k in keys + own for x in (k, f"{w}:{r}")])
                results[w][r] = res
                barrier.wait(timeout=60)
                if w == 0:
                    # checked and reset by one thread while the others wait
                    winners = [i for i in range(contenders) if results[i][r] == 1]
                    assert all(results[i][r] in (0, 1) for i in range(contenders))
                    assert len(winners) == 1, f"round {r}: winners {winners}"
                    vals = control.cmd("MGET", *keys)
                    assert vals == [f"{winners[0]}:{r}".encode()] * len(keys)
                    assert control.cmd("EXISTS", *[f"nx:own:{i}" for i in range(contenders)]) == 1
                    control.cmd("DEL", *keys, *[f"nx:own:{i}" for i in range(contenders)])
                barrier.wait(timeout=60)
        return run

    try:
        run_threads([contender(w) for w in range(contenders)])
    finally:
        barrier.abort()
        for c in conns:
            c.close()


def test_del_many_vs_mget(server):
    keys = [f"del:{i}" for i in range(20)]
    until = Until(1)

    def writer():
        try:
            with server.raw(timeout=20) as c:
                for i in range(ITERATIONS // 2):  # ITERATIONS commands
                    assert c.cmd("MSET", *[x for k in keys for x in (k, i)]) == "OK"
                    assert c.cmd("DEL", *keys) == len(keys)
        finally:
            until.writer_done()

    def reader():
        with server.raw(timeout=20) as c:
            n = 0
            while until.busy() and n < 10 * ITERATIONS:
                vals = c.cmd("MGET", *keys)
                assert len(set(vals)) == 1, f"MGET saw a partial DEL or MSET: {vals}"
                e = c.cmd("EXISTS", *keys)
                assert e in (0, len(keys)), f"EXISTS saw {e} of {len(keys)}"
                n += 1

    run_threads([writer, reader, reader])


def test_flushdb_vs_mset_and_mget(server):
    keys = [f"fl:{i}" for i in range(10)]
    until = Until(2)

    def writer():
        try:
            with server.raw(timeout=20) as c:
                for i in range(ITERATIONS):
                    assert c.cmd("MSET", *[x for k in keys for x in (k, i)]) == "OK"
        finally:
            until.writer_done()

    def flusher():
        try:
            with server.raw(timeout=20) as c:
                for _ in range(ITERATIONS // 4):
                    assert c.cmd("FLUSHDB") == "OK"
        finally:
            until.writer_done()

    def reader():
        with server.raw(timeout=20) as c:
            n = 0
            while until.busy() and n < 10 * ITERATIONS:
                vals = c.cmd("MGET", *keys)
                assert len(set(vals)) == 1, f"MGET saw a partial FLUSHDB or MSET: {vals}"
                n += 1

    run_threads([writer, flusher, reader])


def test_swapdb_vs_mget(server):
    keys = [f"sw:{i}" for i in range(10)]
    with server.raw(timeout=20) as c:
        c.cmd("MSET", *[x for k in keys for x in (k, "db0")])
        c.cmd("SELECT", 1)
        c.cmd("MSET", *[x for k in keys for x in (k, "db1")])
    until = Until(1)

    def swapper():
        try:
            with server.raw(timeout=20) as c:
                for _ in range(ITERATIONS // 2):
                    assert c.cmd("SWAPDB", 0, 1) == "OK"
        finally:
            until.writer_done()

    def reader():
        with server.raw(timeout=20) as c:
            n = 0
            while until.busy() and n < 10 * ITERATIONS:
                vals = c.cmd("MGET", *keys)
                assert len(set(vals)) == 1 and vals[0] in (b"db0", b"db1"), vals
                n += 1

    run_threads([swapper, reader, reader])


def test_concurrent_incr_no_lost_updates(server):
    keys = [f"cnt:{i}" for i in range(10)]
    threads, per = 4, 500

    def worker():
        with server.raw(timeout=20) as c:
            for i in range(per):
                c.send_command("INCR", keys[i % len(keys)])
            for _ in range(per):
                assert isinstance(c.read_reply(), int)

    run_threads([worker] * threads)
    with server.raw(timeout=20) as c:
        assert c.cmd("MGET", *keys) == [str(threads * per // len(keys)).encode()] * len(keys)


def test_copy_between_shards_is_consistent(server):
    src = [f"cp:src{i}" for i in range(8)]
    dst = [f"cp:dst{i}" for i in range(8)]
    until = Until(1)

    def writer():
        try:
            with server.raw(timeout=20) as c:
                for i in range(ITERATIONS // (len(src) + 1)):  # ~ITERATIONS commands
                    c.cmd("MSET", *[x for k in src for x in (k, f"{i}")])
                    for s, d in zip(src, dst):
                        assert c.cmd("COPY", s, d, "REPLACE") == 1
        finally:
            until.writer_done()

    def reader():
        with server.raw(timeout=20) as c:
            n = 0
            while until.busy() and n < 10 * ITERATIONS:
                for s, d in zip(src, dst):
                    v = c.cmd("GET", d)
                    assert v is None or v.isdigit(), v
                n += 1

    run_threads([writer, reader])
    with server.raw(timeout=20) as c:
        assert c.cmd("MGET", *dst) == c.cmd("MGET", *src)


def test_no_deadlock_with_overlapping_multi_key_commands(server):
    """Multi-key commands over the same keys in opposite orders, from several clients at once,
    all complete (locks are taken in one global order)."""
    keys = [f"dl:{i}" for i in range(8)]
    rounds = ITERATIONS // 4

    def forward():
        with server.raw(timeout=20) as c:
            for i in range(rounds):
                assert c.cmd("MSET", *[x for k in keys for x in (k, i)]) == "OK"
                assert c.cmd("RENAME", keys[0], keys[-1]) in ("OK", Err("ERR no such key"))

    def backward():
        with server.raw(timeout=20) as c:
            rev = keys[::-1]
            for i in range(rounds):
                assert c.cmd("MSET", *[x for k in rev for x in (k, -i)]) == "OK"
                assert c.cmd("RENAME", keys[-1], keys[0]) in ("OK", Err("ERR no such key"))

    def mixed():
        with server.raw(timeout=20) as c:
            for i in range(rounds):
                c.cmd("COPY", keys[i % 8], keys[(i + 3) % 8], "REPLACE")
                c.cmd("DEL", keys[(i + 5) % 8], keys[(i + 1) % 8])
                c.cmd("MSETNX", keys[(i + 2) % 8], "x", keys[(i + 6) % 8], "y")
                c.cmd("MGET", *keys)

    run_threads([forward, backward, mixed, mixed])
    with server.raw(timeout=20) as c:
        assert c.cmd("PING") == "PONG"
