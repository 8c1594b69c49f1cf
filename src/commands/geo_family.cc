// GEO commands over sorted sets whose scores are 52-bit geohash cells (core/geohash.h), as
// Redis stores them: GEOADD, GEOPOS, GEODIST, GEOHASH, GEOSEARCH and the older GEORADIUS /
// GEORADIUSBYMEMBER (and their _RO forms). Searches scan every member of the key and keep
// those within the shape; GEOSEARCHSTORE and GEORADIUS ... STORE|STOREDIST store them.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/hash.h"
#include "base/strings.h"
#include "commands/command.h"
#include "commands/command_table.h"
#include "commands/value_helpers.h"
#include "commands/zset_commands.h"
#include "commands/zset_range.h"
#include "core/geohash.h"
#include "core/zset_object.h"
#include "engine/transaction.h"

namespace shoal {
namespace {

ZSetObject& ZOf(Entry* e) { return *static_cast<ZSetObject*>(e->object()); }

Entry* FindGeo(ShardCall& c, bool* bad, bool for_write = false) {
  return FindTyped(c.db, c.args[1], c.now_ms, ValueType::kZSet, c.out, bad, for_write);
}

// Meters per unit; nullopt (error written) for an unknown unit.
std::optional<double> UnitMeters(std::string_view unit, ReplySink& out) {
  if (EqualsIgnoreCase(unit, "m")) return 1.0;
  if (EqualsIgnoreCase(unit, "km")) return 1000.0;
  if (EqualsIgnoreCase(unit, "ft")) return 0.3048;
  if (EqualsIgnoreCase(unit, "mi")) return 1609.34;
  out.Error("ERR unsupported unit provided. please use M, KM, FT, MI");
  return std::nullopt;
}

std::string Fixed4(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.4f", v);
  return buf;
}

void ReplyPosition(const geo::Position& p, ReplySink& out) {
  out.ArrayHeader(2);
  out.Bulk(FormatLongDoubleHuman(p.lon));
  out.Bulk(FormatLongDoubleHuman(p.lat));
}

// GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]
void GeoAdd(ShardCall& c) {
  bool nx = false, xx = false, ch = false;
  size_t i = 2;
  for (; i < c.args.size(); i++) {
    if (EqualsIgnoreCase(c.args[i], "nx"))
      nx = true;
    else if (EqualsIgnoreCase(c.args[i], "xx"))
      xx = true;
    else if (EqualsIgnoreCase(c.args[i], "ch"))
      ch = true;
    else
      break;
  }
  const size_t n = c.args.size() - i;
  if ((nx && xx) || n == 0 || n % 3 != 0) return c.out.Error(errors::kSyntax);
  std::vector<uint64_t> cells;
  for (size_t k = i; k < c.args.size(); k += 3) {
    std::optional<double> lon = ParseDouble(c.args[k]), lat = ParseDouble(c.args[k + 1]);
    if (!lon || !lat) return c.out.Error(errors::kNotFloat);
    if (!geo::Valid(*lon, *lat)) {
      char buf[128];
      std::snprintf(buf, sizeof(buf), "ERR invalid longitude,latitude pair %f,%f", *lon, *lat);
      return c.out.Error(buf);
    }
    cells.push_back(geo::Encode(*lon, *lat));
  }
  bool bad;
  Entry* e = FindGeo(c, &bad, true);
  if (bad) return;
  if (e == nullptr) {
    if (xx) return c.out.Integer(0);
    e = c.db.Insert(Entry::CreateObject(c.args[1], new ZSetObject()), c.now_ms);
  }
  int64_t added = 0, changed = 0;
  {
    ObjectChange change(c.db, e);
    const ZSetLimits limits = c.shard.options().zset_limits();
    for (size_t k = 0; k < cells.size(); k++) {
      std::string_view member = c.args[i + 3 * k + 2];
      std::optional<double> old = ZOf(e).Score(member);
      if ((nx && old) || (xx && !old)) continue;
      const auto score = static_cast<double>(cells[k]);
      if (!old)
        added++;
      else if (*old != score)
        changed++;
      ZOf(e).Set(member, score, limits);
    }
  }
  c.out.Integer(ch ? added + changed : added);
}

// GEOPOS key member [member ...]
void GeoPos(ShardCall& c) {
  bool bad;
  Entry* e = FindGeo(c, &bad);
  if (bad) return;
  c.out.ArrayHeader(c.args.size() - 2);
  for (size_t i = 2; i < c.args.size(); i++) {
    std::optional<double> s = e == nullptr ? std::nullopt : ZOf(e).Score(c.args[i]);
    if (!s) {
      c.out.NullArray();
      continue;
    }
    ReplyPosition(geo::Decode(static_cast<uint64_t>(*s)), c.out);
  }
}

// GEODIST key member1 member2 [M|KM|FT|MI]
void GeoDist(ShardCall& c) {
  double unit = 1;
  if (c.args.size() == 5) {
    std::optional<double> u = UnitMeters(c.args[4], c.out);
    if (!u) return;
    unit = *u;
  } else if (c.args.size() > 5) {
    return c.out.Error(errors::kSyntax);
  }
  bool bad;
  Entry* e = FindGeo(c, &bad);
  if (bad) return;
  std::optional<double> a = e == nullptr ? std::nullopt : ZOf(e).Score(c.args[2]);
  std::optional<double> b = e == nullptr ? std::nullopt : ZOf(e).Score(c.args[3]);
  if (!a || !b) return c.out.Null();
  const double d =
      geo::Distance(geo::Decode(static_cast<uint64_t>(*a)), geo::Decode(static_cast<uint64_t>(*b)));
  c.out.Bulk(Fixed4(d / unit));
}

// GEOHASH key [member ...]
void GeoHash(ShardCall& c) {
  bool bad;
  Entry* e = FindGeo(c, &bad);
  if (bad) return;
  c.out.ArrayHeader(c.args.size() - 2);
  for (size_t i = 2; i < c.args.size(); i++) {
    std::optional<double> s = e == nullptr ? std::nullopt : ZOf(e).Score(c.args[i]);
    if (s)
      c.out.Bulk(geo::HashString(static_cast<uint64_t>(*s)));
    else
      c.out.Null();
  }
}

// ---- Searches ----

struct Search {
  std::optional<std::string_view> from_member;
  geo::Position center;
  bool by_box = false;
  double radius = 0, width = 0, height = 0;  // meters
  double unit = 1;
  enum class Sort { kNone, kAsc, kDesc } sort = Sort::kNone;
  std::optional<int64_t> count;
  bool any = false, with_coord = false, with_dist = false, with_hash = false;
};

struct Hit {
  std::string member;
  double dist;  // meters
  uint64_t cell;
  geo::Position pos;
};

// GEORADIUS's STORE key / STOREDIST key option.
struct StoreTo {
  std::optional<std::string_view> key;
  bool dist = false;  // STOREDIST: distances as scores, not cells
};

// Parses the shared tail options; false (error written) when malformed. `store`: where the
// GEORADIUS forms that write keep a STORE/STOREDIST option (nullptr: not accepted).
bool ParseSearchOptions(CmdArgs args, size_t from, Search* s, ReplySink& out,
                        StoreTo* store = nullptr) {
  for (size_t i = from; i < args.size(); i++) {
    std::string_view a = args[i];
    if (store != nullptr && i + 1 < args.size() &&
        (EqualsIgnoreCase(a, "store") || EqualsIgnoreCase(a, "storedist"))) {
      store->key = args[++i];
      store->dist = a.size() == 9;  // the last one wins, as in Redis
    } else if (EqualsIgnoreCase(a, "withcoord")) {
      s->with_coord = true;
    } else if (EqualsIgnoreCase(a, "withdist")) {
      s->with_dist = true;
    } else if (EqualsIgnoreCase(a, "withhash")) {
      s->with_hash = true;
    } else if (EqualsIgnoreCase(a, "asc")) {
      s->sort = Search::Sort::kAsc;
    } else if (EqualsIgnoreCase(a, "desc")) {
      s->sort = Search::Sort::kDesc;
    } else if (EqualsIgnoreCase(a, "any")) {
      s->any = true;
    } else if (EqualsIgnoreCase(a, "count") && i + 1 < args.size()) {
      std::optional<int64_t> n = ParseInt64(args[++i]);
      if (!n) {
        out.Error(errors::kNotInteger);
        return false;
      }
      if (*n <= 0) {
        out.Error("ERR COUNT must be > 0");
        return false;
      }
      s->count = *n;
    } else {
      out.Error(errors::kSyntax);
      return false;
    }
  }
  if (store != nullptr && store->key && (s->with_dist || s->with_hash || s->with_coord)) {
    out.Error(
        "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD "
        "options");
    return false;
  }
  if (s->any && !s->count) {
    out.Error("ERR the ANY argument requires COUNT argument");
    return false;
  }
  return true;
}

std::vector<Hit> RunSearch(const ZSetObject& z, const Search& s) {
  std::vector<Hit> hits;
  z.ForRange(0, z.Length(), false, [&](ZElement el) {
    const auto cell = static_cast<uint64_t>(el.score);
    const geo::Position p = geo::Decode(cell);
    double d = 0;
    if (s.by_box) {
      if (geo::LatDistance(p.lat, s.center.lat) > s.height / 2) return true;
      if (geo::Distance({p.lon, s.center.lat}, s.center) > s.width / 2) return true;
      d = geo::Distance(s.center, p);
    } else {
      d = geo::Distance(s.center, p);
      if (d > s.radius) return true;
    }
    hits.push_back(Hit{std::string(el.member), d, cell, p});
    // ANY: the first `count` found, unsorted unless asked.
    return !(s.any && s.count && static_cast<int64_t>(hits.size()) >= *s.count);
  });
  Search::Sort sort = s.sort;
  if (sort == Search::Sort::kNone && s.count && !s.any) sort = Search::Sort::kAsc;
  if (sort != Search::Sort::kNone) {
    std::stable_sort(hits.begin(), hits.end(), [sort](const Hit& a, const Hit& b) {
      return sort == Search::Sort::kAsc ? a.dist < b.dist : a.dist > b.dist;
    });
  }
  if (s.count && static_cast<int64_t>(hits.size()) > *s.count) {
    hits.resize(static_cast<size_t>(*s.count));
  }
  return hits;
}

void ReplyHits(const std::vector<Hit>& hits, const Search& s, ReplySink& out) {
  const size_t extra = (s.with_dist ? 1 : 0) + (s.with_hash ? 1 : 0) + (s.with_coord ? 1 : 0);
  out.ArrayHeader(hits.size());
  for (const Hit& h : hits) {
    if (extra == 0) {
      out.Bulk(h.member);
      continue;
    }
    out.ArrayHeader(1 + extra);
    out.Bulk(h.member);
    if (s.with_dist) out.Bulk(Fixed4(h.dist / s.unit));
    if (s.with_hash) out.Integer(static_cast<int64_t>(h.cell));
    if (s.with_coord) ReplyPosition(h.pos, out);
  }
}

// Resolves FROMMEMBER and runs the search on the key at args[1].
void SearchAndReply(ShardCall& c, Search& s) {
  bool bad;
  Entry* e = FindGeo(c, &bad);
  if (bad) return;
  if (e == nullptr) return c.out.ArrayHeader(0);  // even for a member: Redis checks it later
  if (s.from_member) {
    std::optional<double> score = ZOf(e).Score(*s.from_member);
    if (!score) return c.out.Error("ERR could not decode requested zset member");
    s.center = geo::Decode(static_cast<uint64_t>(*score));
  }
  ReplyHits(RunSearch(ZOf(e), s), s, c.out);
}

std::optional<geo::Position> ParseLonLat(std::string_view lon_s, std::string_view lat_s,
                                         ReplySink& out) {
  std::optional<double> lon = ParseDouble(lon_s), lat = ParseDouble(lat_s);
  if (!lon || !lat) {
    out.Error(errors::kNotFloat);
    return std::nullopt;
  }
  if (!geo::Valid(*lon, *lat)) {
    char buf[128];
    std::snprintf(buf, sizeof(buf), "ERR invalid longitude,latitude pair %f,%f", *lon, *lat);
    out.Error(buf);
    return std::nullopt;
  }
  return geo::Position{*lon, *lat};
}

// Parses GEOSEARCH's "FROMMEMBER m | FROMLONLAT lon lat  BYRADIUS r unit | BYBOX w h unit
// [options]" from args[from..] (`store`: GEOSEARCHSTORE, which takes STOREDIST and no WITH*
// options). Writes the error and returns false when malformed.
bool ParseGeoSearch(CmdArgs args, size_t from, bool store, Search* out_search, bool* store_dist,
                    ReplySink& out) {
  Search& s = *out_search;
  bool have_from = false, have_by = false;
  std::vector<std::string_view> rest;
  for (size_t i = from; i < args.size(); i++) {
    std::string_view a = args[i];
    const size_t left = args.size() - i - 1;
    if (EqualsIgnoreCase(a, "frommember") && left >= 1 && !have_from) {
      s.from_member = args[++i];
      have_from = true;
    } else if (EqualsIgnoreCase(a, "fromlonlat") && left >= 2 && !have_from) {
      std::optional<geo::Position> p = ParseLonLat(args[i + 1], args[i + 2], out);
      if (!p) return false;
      s.center = *p;
      i += 2;
      have_from = true;
    } else if (EqualsIgnoreCase(a, "byradius") && left >= 2 && !have_by) {
      std::optional<double> r = ParseDouble(args[i + 1]);
      if (!r || *r < 0) {
        out.Error("ERR need numeric radius");
        return false;
      }
      std::optional<double> u = UnitMeters(args[i + 2], out);
      if (!u) return false;
      s.radius = *r * *u;
      s.unit = *u;
      i += 2;
      have_by = true;
    } else if (EqualsIgnoreCase(a, "bybox") && left >= 3 && !have_by) {
      std::optional<double> w = ParseDouble(args[i + 1]), h = ParseDouble(args[i + 2]);
      if (!w || !h || *w < 0 || *h < 0) {
        out.Error("ERR need numeric width and height");
        return false;
      }
      std::optional<double> u = UnitMeters(args[i + 3], out);
      if (!u) return false;
      s.by_box = true;
      s.width = *w * *u;
      s.height = *h * *u;
      s.unit = *u;
      i += 3;
      have_by = true;
    } else if (store && EqualsIgnoreCase(a, "storedist")) {
      *store_dist = true;
    } else if (store && (EqualsIgnoreCase(a, "withdist") || EqualsIgnoreCase(a, "withcoord") ||
                         EqualsIgnoreCase(a, "withhash"))) {
      out.Error(
          "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
      return false;
    } else {
      rest.push_back(a);
    }
  }
  if (!have_from) {
    out.Error(
        "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for 'geosearch' command");
    return false;
  }
  if (!have_by) {
    out.Error("ERR exactly one of BYRADIUS and BYBOX can be specified for 'geosearch' command");
    return false;
  }
  return ParseSearchOptions(rest, 0, &s, out);
}

// GEOSEARCH key FROMMEMBER m | FROMLONLAT lon lat  BYRADIUS r unit | BYBOX w h unit [options]
void GeoSearch(ShardCall& c) {
  Search s;
  bool store_dist = false;
  if (!ParseGeoSearch(c.args, 2, /*store=*/false, &s, &store_dist, c.out)) return;
  SearchAndReply(c, s);
}

// Under `tx` (src locked shared, dest exclusive): runs `s` on src and replaces dest with
// the hits, scored by their cells or, with `store_dist`, their distances in the query's unit.
// No hits (or no source): dest is deleted, as Redis. Replies the number stored.
boost::asio::awaitable<void> StoreSearch(CommandContext& ctx, Transaction& tx, std::string_view src,
                                         std::string_view dest, Search& s, bool store_dist) {
  std::optional<std::string_view> error;
  Scored stored;
  std::string_view keys[] = {src};
  co_await VisitKeys(ctx, tx, keys, [&](size_t, Entry* e) {
    if (e->type() != ValueType::kZSet) {
      error = errors::kWrongType;
      return;
    }
    if (s.from_member) {
      std::optional<double> score = ZOf(e).Score(*s.from_member);
      if (!score) {
        error = "ERR could not decode requested zset member";
        return;
      }
      s.center = geo::Decode(static_cast<uint64_t>(*score));
    }
    for (const Hit& h : RunSearch(ZOf(e), s)) {
      stored.emplace_back(h.member, store_dist ? h.dist / s.unit : static_cast<double>(h.cell));
    }
  });
  if (error) {
    co_await tx.Finish();
    ctx.out->Error(*error);
    co_return;
  }
  auto write = [&](Shard& shard) { StoreZSet(shard, shard.db(ctx.client->db), dest, stored); };
  co_await tx.Run(ShardOfKey(dest, ctx.shards->size()), write);
  co_await tx.Finish();
  ctx.out->Integer(static_cast<int64_t>(stored.size()));
}

// GEOSEARCHSTORE destination source ... [STOREDIST]
boost::asio::awaitable<void> GeoSearchStore(CommandContext& ctx) {
  Search s;
  bool store_dist = false;
  if (!ParseGeoSearch(ctx.args, 3, /*store=*/true, &s, &store_dist, *ctx.out)) co_return;
  std::string_view dest = ctx.args[1], src = ctx.args[2];
  Transaction tx(ctx.shards, ctx.client->db, ctx.client->exec_holds_shards);
  tx.AddKey(src, LockMode::kShared);
  tx.AddKey(dest, LockMode::kExclusive);
  co_await tx.Lock(/*single_shard_too=*/true);
  co_await StoreSearch(ctx, tx, src, dest, s, store_dist);
}

// GEORADIUS key lon lat radius unit [options] and GEORADIUSBYMEMBER key member radius unit
// [options]: the search into `s`; `store` as ParseSearchOptions.
bool ParseRadius(CmdArgs args, bool by_member, Search* s, ReplySink& out, StoreTo* store) {
  size_t i = 2;
  if (by_member) {
    s->from_member = args[i++];
  } else {
    std::optional<geo::Position> p = ParseLonLat(args[2], args[3], out);
    if (!p) return false;
    s->center = *p;
    i = 4;
  }
  std::optional<double> r = ParseDouble(args[i]);
  if (!r || *r < 0) {
    out.Error("ERR need numeric radius");
    return false;
  }
  std::optional<double> u = UnitMeters(args[i + 1], out);
  if (!u) return false;
  s->radius = *r * *u;
  s->unit = *u;
  return ParseSearchOptions(args, i + 2, s, out, store);
}

// GEORADIUS_RO and GEORADIUSBYMEMBER_RO (no STORE).
void RadiusReadOnly(ShardCall& c, bool by_member) {
  Search s;
  if (ParseRadius(c.args, by_member, &s, c.out, nullptr)) SearchAndReply(c, s);
}
void GeoRadiusRo(ShardCall& c) { RadiusReadOnly(c, false); }
void GeoRadiusByMemberRo(ShardCall& c) { RadiusReadOnly(c, true); }

// GEORADIUS and GEORADIUSBYMEMBER: with STORE/STOREDIST key, the hits go to that key, which
// may live on another shard (atomic with the read, as GEOSEARCHSTORE).
boost::asio::awaitable<void> RadiusGeneric(CommandContext& ctx, bool by_member) {
  Search s;
  StoreTo store;
  if (!ParseRadius(ctx.args, by_member, &s, *ctx.out, &store)) co_return;
  std::string_view src = ctx.args[1];
  Transaction tx(ctx.shards, ctx.client->db, ctx.client->exec_holds_shards);
  tx.AddKey(src, LockMode::kShared);
  if (!store.key) {
    co_await tx.Lock();
    auto search = [&](Shard& shard) {
      const int64_t now = ctx.now_ms != 0 ? ctx.now_ms : shard.NowMs();
      ShardCall c{shard, shard.db(ctx.client->db), ctx.args, *ctx.out, *ctx.client, now};
      SearchAndReply(c, s);
    };
    co_await tx.Run(ShardOfKey(src, ctx.shards->size()), search);
    co_await tx.Finish();
    co_return;
  }
  tx.AddKey(*store.key, LockMode::kExclusive);
  co_await tx.Lock(/*single_shard_too=*/true);
  co_await StoreSearch(ctx, tx, src, *store.key, s, store.dist);
}
boost::asio::awaitable<void> GeoRadius(CommandContext& ctx) { return RadiusGeneric(ctx, false); }
boost::asio::awaitable<void> GeoRadiusByMember(CommandContext& ctx) {
  return RadiusGeneric(ctx, true);
}

constexpr std::string_view kGeoRead = "@read @geo @slow";

const CommandSpec kGeoCommands[] = {
    {"geoadd", -5, kCmdWrite | kCmdDenyOom, 1, 1, 1, "@write @geo @slow", "geo", "3.2.0",
     "Adds one or more members to a geospatial index. The key is created if it doesn't exist.",
     GeoAdd, nullptr},
    {"geopos", -2, kCmdReadOnly, 1, 1, 1, kGeoRead, "geo", "3.2.0",
     "Returns the longitude and latitude of members from a geospatial index.", GeoPos, nullptr},
    {"geodist", -4, kCmdReadOnly, 1, 1, 1, kGeoRead, "geo", "3.2.0",
     "Returns the distance between two members of a geospatial index.", GeoDist, nullptr},
    {"geohash", -2, kCmdReadOnly, 1, 1, 1, kGeoRead, "geo", "3.2.0",
     "Returns members from a geospatial index as geohash strings.", GeoHash, nullptr},
    {"geosearch", -7, kCmdReadOnly, 1, 1, 1, kGeoRead, "geo", "6.2.0",
     "Queries a geospatial index for members inside an area of a box or a circle.", GeoSearch,
     nullptr},
    {"geosearchstore", -8, kCmdWrite | kCmdDenyOom, 1, 2, 1, "@write @geo @slow", "geo", "6.2.0",
     "Queries a geospatial index for members inside an area of a box or a circle, optionally "
     "stores the result.",
     nullptr, GeoSearchStore},
    {"georadius", -6, kCmdWrite | kCmdDenyOom, 1, 1, 1, "@write @geo @slow", "geo", "3.2.0",
     "Queries a geospatial index for members within a distance from a coordinate, optionally "
     "stores the result.",
     nullptr, GeoRadius},
    {"georadiusbymember", -5, kCmdWrite | kCmdDenyOom, 1, 1, 1, "@write @geo @slow", "geo", "3.2.0",
     "Queries a geospatial index for members within a distance from a member, optionally stores "
     "the result.",
     nullptr, GeoRadiusByMember},
    {"georadius_ro", -6, kCmdReadOnly, 1, 1, 1, kGeoRead, "geo", "3.2.10",
     "Returns members from a geospatial index that are within a distance from a coordinate.",
     GeoRadiusRo, nullptr},
    {"georadiusbymember_ro", -5, kCmdReadOnly, 1, 1, 1, kGeoRead, "geo", "3.2.10",
     "Returns members from a geospatial index that are within a distance from a member.",
     GeoRadiusByMemberRo, nullptr},
};

}  // namespace

std::span<const CommandSpec> GeoFamily() { return kGeoCommands; }

}  // namespace shoal
