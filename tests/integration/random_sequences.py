"""Random command sequences (hypothesis) run against Shoal and redis-server side by side:
every reply must be the same. Derandomized: the same examples every run."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resp_helpers import assert_same_replies

SETTINGS = dict(deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=list(HealthCheck))


def check_random_sequences(shoal, redis_ref, command, normalize, examples=60, length=30):
    """Runs `examples` lists of up to `length` commands drawn from the strategy `command`,
    each from an empty database, on both servers."""
    a, b = shoal.raw(), redis_ref.raw()

    @settings(max_examples=examples, **SETTINGS)
    @given(st.lists(command, min_size=1, max_size=length))
    def run(cmds):
        assert a.cmd("FLUSHALL") == "OK" and b.cmd("FLUSHALL") == "OK"
        assert_same_replies(a, b, cmds, normalize)

    try:
        run()
    finally:
        a.close()
        b.close()
