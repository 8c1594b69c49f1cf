// keyspace_bench: memory per key and insert/lookup speed of the keyspace table candidates.
//
// Inserts N keys "key:%012d" (16 bytes) with 100-byte values into
//   dict        shoal::Dict of shoal::Entry (the keyspace's structure)
//   dict+ttl    the same, every entry with its expiry block
//   flat_map    boost::unordered_flat_map<std::string, std::string>
//   std_map     std::unordered_map<std::string, std::string>
// and prints bytes/key (glibc mallinfo2() uordblks + hblkhd delta, and RSS delta), ns per insert
// (average and the slowest single one) and per lookup (random order). Each candidate runs in a
// forked child so RSS deltas do not reuse memory freed by the previous one.
//
// Usage: keyspace_bench [-r REPS] [N] [candidate...]
//   defaults: 3 runs per candidate (best time kept), N = 1000000, all candidates.
// Results are recorded in docs/keyspace.md. Single-threaded; not a test.
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/unordered/unordered_flat_map.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/dict.h"
#include "core/entry.h"

namespace shoal {
namespace {

constexpr size_t kKeyLen = 16;
constexpr size_t kValueLen = 100;

struct Keys {
  std::vector<char> bytes;  // n keys of kKeyLen bytes, contiguous (no per-key heap blocks)
  size_t n = 0;
  std::string_view at(size_t i) const { return {bytes.data() + i * kKeyLen, kKeyLen}; }
};

Keys MakeKeys(size_t n) {
  Keys k;
  k.n = n;
  k.bytes.resize(n * kKeyLen + 1);
  for (size_t i = 0; i < n; i++) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "key:%012zu", i % 1000000000000);
    std::memcpy(k.bytes.data() + i * kKeyLen, buf, kKeyLen);
  }
  return k;
}

// A 100-byte value that differs per key and never parses as an integer.
void FillValue(std::string& v, size_t i) {
  v.assign(kValueLen, 'v');
  std::snprintf(v.data(), kValueLen, "value-%zu-", i);
  v[std::strlen(v.c_str())] = 'x';
}

// Bytes in use by malloc: small chunks plus mmapped ones (big bucket arrays are mmapped).
size_t HeapBytes() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

size_t RssBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  if (std::fscanf(f, "%lu %lu", &size, &resident) != 2) resident = 0;
  std::fclose(f);
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

double NowNs() {
  return std::chrono::duration<double, std::nano>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Plain data: a forked child writes it to a pipe.
struct Result {
  double heap_per_key = 0, rss_per_key = 0, insert_ns = 0, lookup_ns = 0;
  double max_insert_us = 0;  // the slowest single insert (a whole-table rehash shows here)
  char extra[200] = {};
};

// Table adapters: Insert(key, value) and Lookup(key) -> value length.
struct DictTable {
  bool with_expire = false;
  Dict d;
  void Insert(std::string_view k, std::string_view v) {
    d.Insert(Entry::Create(k, v, with_expire));
  }
  size_t Lookup(std::string_view k) const {
    Entry* e = d.Find(k);
    return e == nullptr ? 0 : e->raw_value().size();
  }
  std::string Extra() const {
    size_t entry_bytes = 0;
    d.ForEach([&](Entry* e) { entry_bytes += e->AllocatedBytes(); });
    char buf[160];
    std::snprintf(buf, sizeof(buf), "buckets=%zu bucket_bytes/key=%.2f entry_usable/key=%.2f",
                  d.bucket_count(), static_cast<double>(d.BucketBytes()) / d.size(),
                  static_cast<double>(entry_bytes) / d.size());
    return buf;
  }
};

template <typename Map>
struct MapTable {
  Map m;
  void Insert(std::string_view k, std::string_view v) { m.emplace(std::string(k), std::string(v)); }
  size_t Lookup(std::string_view k) const {
    auto it = m.find(std::string(k));  // 16 bytes: one heap string per lookup, as a caller would
    return it == m.end() ? 0 : it->second.size();
  }
  std::string Extra() const {
    char buf[80];
    std::snprintf(buf, sizeof(buf), "buckets=%zu load=%.2f", m.bucket_count(),
                  static_cast<double>(m.size()) / m.bucket_count());
    return buf;
  }
};

template <typename Table>
Result Run(Table& t, const Keys& keys) {
  Result r;
  std::string value;
  std::vector<uint32_t> order(keys.n);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(42));
  const size_t heap0 = HeapBytes();
  const size_t rss0 = RssBytes();
  double t0 = NowNs();
  double last = t0;
  for (size_t i = 0; i < keys.n; i++) {
    FillValue(value, i);
    t.Insert(keys.at(i), value);
    const double now = NowNs();
    r.max_insert_us = std::max(r.max_insert_us, (now - last) / 1000);
    last = now;
  }
  r.insert_ns = (NowNs() - t0) / keys.n;
  r.heap_per_key = (static_cast<double>(HeapBytes()) - heap0) / keys.n;
  r.rss_per_key = (static_cast<double>(RssBytes()) - rss0) / keys.n;
  size_t sum = 0;
  t0 = NowNs();
  for (uint32_t i : order) sum += t.Lookup(keys.at(i));
  r.lookup_ns = (NowNs() - t0) / keys.n;
  if (sum != keys.n * kValueLen) {
    std::fprintf(stderr, "lookup mismatch: %zu\n", sum);
    std::exit(1);
  }
  std::snprintf(r.extra, sizeof(r.extra), "%s", t.Extra().c_str());
  return r;
}

Result RunCandidate(const std::string& name, const Keys& keys) {
  if (name == "dict" || name == "dict+ttl") {
    DictTable t;
    t.with_expire = name == "dict+ttl";
    return Run(t, keys);
  }
  if (name == "flat_map") {
    MapTable<boost::unordered_flat_map<std::string, std::string>> t;
    return Run(t, keys);
  }
  MapTable<std::unordered_map<std::string, std::string>> t;
  return Run(t, keys);
}

// Runs the candidate in a forked child (fresh heap and RSS) and returns its result.
bool RunInChild(const std::string& name, size_t n, Result* out) {
  int fds[2];
  if (pipe(fds) != 0) return false;
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    close(fds[0]);
    const Keys keys = MakeKeys(n);
    Result r = RunCandidate(name, keys);
    const bool ok = write(fds[1], &r, sizeof(r)) == static_cast<ssize_t>(sizeof(r));
    std::_Exit(ok ? 0 : 1);
  }
  close(fds[1]);
  size_t got = 0;
  while (got < sizeof(*out)) {
    ssize_t k = read(fds[0], reinterpret_cast<char*>(out) + got, sizeof(*out) - got);
    if (k <= 0) break;
    got += static_cast<size_t>(k);
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return got == sizeof(*out) && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int Main(int argc, char** argv) {
  size_t n = 1000000;
  int reps = 3;
  std::vector<std::string> names;
  for (int i = 1; i < argc; i++) {
    const std::string arg = argv[i];
    if (arg == "-r" && i + 1 < argc) {
      reps = std::max(1, std::atoi(argv[++i]));
    } else if (arg[0] >= '0' && arg[0] <= '9') {
      n = std::strtoull(arg.c_str(), nullptr, 10);
    } else {
      names.push_back(arg);
    }
  }
  if (names.empty()) names = {"dict", "dict+ttl", "flat_map", "std_map"};
  for (const std::string& name : names) {
    if (name != "dict" && name != "dict+ttl" && name != "flat_map" && name != "std_map") {
      std::fprintf(stderr, "unknown candidate %s\n", name.c_str());
      return 2;
    }
  }
  std::printf("%zu keys, %zu-byte keys, %zu-byte values; times: best of %d runs\n", n, kKeyLen,
              kValueLen, reps);
  std::printf("%-10s %12s %12s %12s %14s %12s  %s\n", "candidate", "heap B/key", "RSS B/key",
              "insert ns", "max insert us", "lookup ns", "details");
  std::fflush(stdout);
  for (const std::string& name : names) {
    Result best;
    for (int rep = 0; rep < reps; rep++) {
      Result r;
      if (!RunInChild(name, n, &r)) {
        std::fprintf(stderr, "%s: run failed\n", name.c_str());
        return 1;
      }
      if (rep == 0) {
        best = r;
      } else {
        best.insert_ns = std::min(best.insert_ns, r.insert_ns);
        best.lookup_ns = std::min(best.lookup_ns, r.lookup_ns);
        best.max_insert_us = std::min(best.max_insert_us, r.max_insert_us);
      }
    }
    std::printf("%-10s %12.1f %12.1f %12.1f %14.1f %12.1f  %s\n", name.c_str(), best.heap_per_key,
                best.rss_per_key, best.insert_ns, best.max_insert_us, best.lookup_ns, best.extra);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace shoal

int main(int argc, char** argv) { return shoal::Main(argc, argv); }
