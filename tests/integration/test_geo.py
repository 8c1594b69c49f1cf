"""GEO commands compared with redis-server (Redis 7.0): positions, hashes and distances come
from the same geohash arithmetic, so replies match exactly. Searches are compared with ASC
(Redis leaves the order of an unsorted search to its box scan)."""
import pytest

from resp_helpers import assert_same_replies

PLACES = ["13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania",
          "2.349014", "48.864716", "Paris", "-0.127758", "51.507351", "London",
          "139.691711", "35.689487", "Tokyo", "-180", "85.05112878", "Corner", "0", "0", "Null"]

CASES = [
    ("geoadd-geopos", [["GEOADD", "g", *PLACES], ["GEOADD", "g", *PLACES], ["ZCARD", "g"],
                       ["GEOPOS", "g", "Palermo", "Tokyo", "Corner", "Null", "nope"], ["GEOPOS", "nope", "a"],
                       ["ZSCORE", "g", "Paris"], ["GEOADD", "g", "CH", "2.35", "48.86", "Paris"],
                       ["GEOADD", "g", "NX", "1", "1", "Paris"], ["GEOADD", "g", "XX", "1", "1", "New"],
                       ["GEOADD", "g", "NX", "XX", "1", "1", "a"], ["GEOADD", "g", "181", "10", "bad"],
                       ["GEOADD", "g", "10", "86", "bad"], ["GEOADD", "g", "x", "1", "bad"],
                       ["GEOADD", "g", "1", "2"], ["TYPE", "g"]]),
    ("geodist-geohash", [["GEOADD", "g", *PLACES], ["GEODIST", "g", "Palermo", "Catania"],
                         ["GEODIST", "g", "Palermo", "Catania", "km"], ["GEODIST", "g", "Paris", "London", "MI"],
                         ["GEODIST", "g", "Paris", "London", "ft"], ["GEODIST", "g", "Paris", "Paris"],
                         ["GEODIST", "g", "Paris", "nope"], ["GEODIST", "g", "Paris", "London", "yards"],
                         ["GEOHASH", "g", "Palermo", "Catania", "Tokyo", "Corner", "Null", "nope"],
                         ["GEOHASH", "nope", "a"]]),
    ("geosearch", [["GEOADD", "g", *PLACES],
                   ["GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC"],
                   ["GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "DESC", "WITHDIST",
                    "WITHCOORD", "WITHHASH"],
                   ["GEOSEARCH", "g", "FROMMEMBER", "Paris", "BYRADIUS", "1000", "km", "ASC", "WITHDIST"],
                   ["GEOSEARCH", "g", "FROMMEMBER", "Paris", "BYBOX", "2000", "2000", "km", "ASC"],
                   ["GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "ASC", "COUNT", "1"],
                   ["GEOSEARCH", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "20000", "km", "COUNT", "3"],
                   ["GEOSEARCH", "g", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"],
                   ["GEOSEARCH", "nope", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"],
                   ["GEOSEARCH", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "parsec"],
                   ["GEOSEARCH", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km", "COUNT", "0"],
                   ["GEOSEARCH", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km", "ANY"],
                   ["GEORADIUS", "g", "15", "37", "200", "km", "WITHDIST", "ASC"],
                   ["GEORADIUS_RO", "g", "15", "37", "500", "km", "COUNT", "2"],
                   ["GEORADIUSBYMEMBER", "g", "Palermo", "300", "km", "ASC", "WITHCOORD"],
                   ["GEORADIUSBYMEMBER_RO", "g", "London", "400", "km", "ASC"]]),
    ("geosearchstore", [["GEOADD", "{g}src", *PLACES], ["SET", "{g}keep", "x"],
                        ["GEOSEARCHSTORE", "{g}dst", "{g}src", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC"],
                        ["ZRANGE", "{g}dst", "0", "-1", "WITHSCORES"],
                        ["GEOSEARCHSTORE", "{g}dst", "{g}src", "FROMMEMBER", "Paris", "BYRADIUS", "1000", "km",
                         "ASC", "STOREDIST"],
                        ["ZRANGE", "{g}dst", "0", "-1"],
                        ["GEOSEARCHSTORE", "{g}dst", "{g}src", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "m"],
                        ["EXISTS", "{g}dst"], ["GEOSEARCHSTORE", "{g}keep", "{g}nope", "FROMLONLAT", "0", "0",
                                               "BYRADIUS", "1", "m"], ["GET", "{g}keep"],
                        ["GEOSEARCHSTORE", "{g}dst", "{g}src", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"],
                        ["GEOSEARCHSTORE", "{g}dst", "{g}src", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km",
                         "WITHDIST"],
                        ["GEOSEARCHSTORE", "other", "{g}src", "FROMLONLAT", "15", "37", "BYBOX", "500", "500",
                         "km", "COUNT", "2"], ["ZRANGE", "other", "0", "-1"]]),
    # STORE/STOREDIST with keys on other shards too (no hash tags), and their errors.
    ("georadius-store", [["GEOADD", "src", *PLACES], ["SET", "keep", "x"],
                         ["GEORADIUS", "src", "15", "37", "200", "km", "STORE", "dst"],
                         ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
                         ["GEORADIUS", "src", "15", "37", "2000", "km", "COUNT", "2", "DESC", "STOREDIST", "d2"],
                         ["ZRANGE", "d2", "0", "-1", "WITHSCORES"],
                         ["GEORADIUSBYMEMBER", "src", "Paris", "1000", "km", "STOREDIST", "d3"],
                         ["ZRANGE", "d3", "0", "-1"],
                         ["GEORADIUSBYMEMBER", "src", "Paris", "1000", "km", "STORE", "d3", "STOREDIST", "d4"],
                         ["EXISTS", "d3", "d4"],
                         ["GEORADIUS", "src", "0", "0", "1", "m", "STORE", "dst"], ["EXISTS", "dst"],
                         ["GEORADIUS", "nope", "0", "0", "1", "m", "STORE", "keep"], ["EXISTS", "keep"],
                         ["GEORADIUSBYMEMBER", "nope", "Paris", "1", "m"],
                         ["GEORADIUS", "src", "0", "0", "1", "km", "STORE", "x", "WITHDIST"],
                         ["GEORADIUS", "src", "0", "0", "1", "km", "WITHHASH", "STOREDIST", "x"],
                         ["GEORADIUS", "src", "0", "0", "1", "km", "STORE"],
                         ["GEORADIUS", "src", "0", "0", "1", "km", "STORE", "x", "ANY"],
                         ["GEORADIUS_RO", "src", "0", "0", "1", "km", "STORE", "x"],
                         ["GEORADIUSBYMEMBER_RO", "src", "Paris", "1", "km", "STOREDIST", "x"],
                         ["GEORADIUSBYMEMBER", "src", "nope", "1", "km", "STORE", "x"],
                         ["GEORADIUS", "src", "15", "37", "200", "km", "STORE", "src"],
                         ["ZRANGE", "src", "0", "-1"],
                         ["SET", "str", "v"], ["GEORADIUS", "str", "0", "0", "1", "km", "STORE", "x"],
                         ["MULTI"], ["GEORADIUS", "src", "0", "0", "10000", "km", "STORE", "m1"], ["EXEC"],
                         ["ZCARD", "m1"]]),
    ("geo-wrongtype", [["SET", "s", "v"], ["GEOADD", "s", "1", "1", "a"], ["GEOPOS", "s", "a"],
                       ["GEODIST", "s", "a", "b"], ["GEOHASH", "s", "a"],
                       ["GEOSEARCH", "s", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"]]),
]


@pytest.mark.parametrize("commands", [pytest.param(c[1], id=c[0]) for c in CASES])
def test_same_replies_as_redis(raw, ref_raw, commands):
    assert_same_replies(raw, ref_raw, commands)


def test_storedist_stores_distances_in_the_unit(r):
    r.geoadd("{g}src", [2.349014, 48.864716, "Paris", -0.127758, 51.507351, "London"])
    assert r.geosearchstore("{g}dst", "{g}src", member="Paris", radius=1000, unit="km",
                            storedist=True) == 2
    got = dict(r.zrange("{g}dst", 0, -1, withscores=True))
    assert got[b"Paris"] == 0 and abs(got[b"London"] - 342.7483) < 1e-3


def test_redis_py_geo_helpers(r):
    r.geoadd("g", [13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania"])
    assert round(r.geodist("g", "Palermo", "Catania", unit="km"), 1) == 166.3
    assert r.geosearch("g", longitude=15, latitude=37, radius=200, unit="km", sort="ASC") == [
        b"Catania", b"Palermo"]
