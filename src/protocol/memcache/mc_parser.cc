#include "protocol/memcache/mc_parser.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <optional>

namespace shoal::memcache {
namespace {

constexpr std::string_view kBadFormat = "CLIENT_ERROR bad command line format";
constexpr std::string_view kError = "ERROR";
// memcached tokenizes at most MAX_TOKENS (24) tokens, the last being a terminator, and its
// arity checks count that terminator: ntokens below is min(real tokens, 23) + 1.
constexpr size_t kMaxTokens = 24;

// memcached's safe_strtoul/safe_strtol/safe_strtoull (util.c): C's conversion of the token,
// which must be followed by its end or a space character; "-" rejected only where the value
// wraps negative; the 32-bit results truncate, as memcached's casts do.
std::optional<uint64_t> StrToU64(std::string_view token, bool wide) {
  const std::string s(token);
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (errno == ERANGE || end == s.c_str()) return std::nullopt;
  if (*end != '\0' && !std::isspace(static_cast<unsigned char>(*end))) return std::nullopt;
  const bool negative = wide ? static_cast<long long>(v) < 0 : static_cast<long>(v) < 0;
  if (negative && s.find('-') != std::string::npos) return std::nullopt;
  return v;
}
std::optional<uint32_t> SafeStrToUl(std::string_view token) {
  auto v = StrToU64(token, false);
  if (!v) return std::nullopt;
  return static_cast<uint32_t>(*v);
}
std::optional<uint64_t> SafeStrToUll(std::string_view token) { return StrToU64(token, true); }
std::optional<int32_t> SafeStrToL(std::string_view token) {
  const std::string s(token);
  errno = 0;
  char* end = nullptr;
  const long v = std::strtol(s.c_str(), &end, 10);
  if (errno == ERANGE || end == s.c_str()) return std::nullopt;
  if (*end != '\0' && !std::isspace(static_cast<unsigned char>(*end))) return std::nullopt;
  return static_cast<int32_t>(v);
}

// Splits on single spaces, skipping empty tokens (memcached's tokenize_command).
void Tokenize(std::string_view line, std::vector<std::string_view>* out) {
  out->clear();
  size_t i = 0;
  while (i < line.size()) {
    if (line[i] == ' ') {
      i++;
      continue;
    }
    const size_t end = std::min(line.find(' ', i), line.size());
    out->push_back(line.substr(i, end - i));
    i = end;
  }
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

struct Named {
  std::string_view name;
  Command command;
};
constexpr Named kStorage[] = {
    {"set", Command::kSet},       {"add", Command::kAdd},         {"replace", Command::kReplace},
    {"append", Command::kAppend}, {"prepend", Command::kPrepend}, {"cas", Command::kCas},
};
constexpr Named kGets[] = {
    {"get", Command::kGet}, {"bget", Command::kGet},  {"gets", Command::kGets},
    {"gat", Command::kGat}, {"gats", Command::kGats},
};

}  // namespace

bool RequestParser::MayBeGet(std::string_view line, bool complete) const {
  // Only a multi-get may be long (memcached: at most 100 leading spaces, then "get "/"gets ").
  if (line.size() > limits_.max_get_line) return false;
  const size_t lead = std::min(line.find_first_not_of(' '), line.size());
  if (lead > 100) return false;
  const std::string_view rest = line.substr(lead);
  for (std::string_view prefix : {std::string_view("get "), std::string_view("gets ")}) {
    if (StartsWith(rest, prefix)) return true;
    if (!complete && StartsWith(prefix, rest)) return true;  // not known yet
  }
  return false;
}

void RequestParser::Reset() {
  scanned_ = 0;
  skipping_ = 0;
  consumed_ = 0;
}

ParseStatus RequestParser::Reply(std::string_view text, size_t consumed) {
  reply_ = text;
  reply_suppressed_ = request_.noreply;
  consumed_ = consumed;
  scanned_ = 0;
  return ParseStatus::kReply;
}

ParseStatus RequestParser::Done(size_t consumed) {
  consumed_ = consumed;
  scanned_ = 0;
  return ParseStatus::kRequest;
}

ParseStatus RequestParser::Parse(std::string_view data) {
  consumed_ = 0;
  if (skipping_ > 0) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(skipping_, data.size()));
    if (n == 0) return ParseStatus::kIncomplete;
    skipping_ -= n;
    consumed_ = n;
    return ParseStatus::kSkipped;
  }
  const size_t from = std::min(scanned_, data.size());
  const size_t nl = data.find('\n', from);
  const bool found = nl != std::string_view::npos;
  // The line's length so far; checked whether or not its end arrived, so the outcome does not
  // depend on how the stream was split (memcached checks only what lacks a '\n').
  const size_t line_len = found ? nl : data.size();
  if (line_len > limits_.max_line && !MayBeGet(data.substr(0, line_len), found)) {
    return ParseStatus::kClose;
  }
  if (!found) {
    scanned_ = data.size();
    return ParseStatus::kIncomplete;
  }
  std::string_view line = data.substr(0, nl);
  if (line.size() > 1 && line.back() == '\r') line.remove_suffix(1);
  line = line.substr(0, std::min(line.find('\0'), line.size()));  // a C string in memcached
  return ParseLine(data, line, nl + 1);
}

ParseStatus RequestParser::ParseLine(std::string_view data, std::string_view line, size_t end) {
  request_ = Request();
  Tokenize(line, &tokens_);
  const std::vector<std::string_view>& t = tokens_;
  if (t.empty() || t[0].size() < 2) return Reply(kError, end);
  const size_t ntokens = std::min(t.size(), kMaxTokens - 1) + 1;
  // set_noreply_maybe: the last token (of the first 23).
  const bool noreply = t[ntokens - 2] == "noreply";
  const std::string_view name = t[0];

  if (name.size() == 2 && name[0] == 'm') {
    Command c;
    switch (name[1]) {
      case 'g':
        c = Command::kMetaGet;
        break;
      case 's':
        return ParseMetaSet(data, t, end);
      case 'd':
        c = Command::kMetaDelete;
        break;
      case 'a':
        c = Command::kMetaArithmetic;
        break;
      case 'n':
        request_.command = Command::kMetaNoop;
        return Done(end);
      case 'e':
        c = Command::kMetaDebug;
        break;
      default:
        return Reply(kError, end);
    }
    if (t.size() < 2) return Reply(c == Command::kMetaDebug ? kBadFormat : kError, end);
    if (TooLongKey(t[1])) return Reply(kBadFormat, end);
    request_.command = c;
    request_.keys.push_back(t[1]);
    request_.tokens.assign(t.begin() + 2, t.end());
    return Done(end);
  }
  for (const Named& g : kGets) {
    if (name != g.name) continue;
    if (ntokens < 3) return Reply(kError, end);
    request_.command = g.command;
    size_t first_key = 1;
    if (g.command == Command::kGat || g.command == Command::kGats) {
      std::optional<int32_t> exptime = SafeStrToL(t[1]);
      if (!exptime) return Reply("CLIENT_ERROR invalid exptime argument", end);
      request_.exptime = *exptime;
      first_key = 2;
    }
    for (size_t i = first_key; i < t.size(); i++) {
      if (TooLongKey(t[i])) {
        request_.bad_key = true;
        break;
      }
      request_.keys.push_back(t[i]);
    }
    return Done(end);
  }
  for (const Named& s : kStorage) {
    if (name != s.name) continue;
    const size_t want = s.command == Command::kCas ? 7 : 6;
    if (ntokens != want && ntokens != want + 1) return Reply(kError, end);
    request_.command = s.command;
    request_.noreply = noreply;
    return ParseStorage(data, t, end);
  }

  auto wants = [&](size_t lo, size_t hi) { return ntokens >= lo && ntokens <= hi; };
  if (name == "incr" || name == "decr" || name == "touch") {
    if (!wants(4, 5)) return Reply(kError, end);
    request_.noreply = noreply;
    const Command c = name == "incr"   ? Command::kIncr
                      : name == "decr" ? Command::kDecr
                                       : Command::kTouch;
    if (TooLongKey(t[1])) return Reply(kBadFormat, end);
    if (c == Command::kTouch) {
      std::optional<int32_t> exptime = SafeStrToL(t[2]);
      if (!exptime) return Reply("CLIENT_ERROR invalid exptime argument", end);
      request_.exptime = *exptime;
    } else {
      std::optional<uint64_t> delta = SafeStrToUll(t[2]);
      if (!delta) return Reply("CLIENT_ERROR invalid numeric delta argument", end);
      request_.delta = *delta;
    }
    return Keyed(c, t, end);
  }
  if (name == "delete") {
    if (!wants(3, 5)) return Reply(kError, end);
    if (ntokens > 3) {
      const bool hold_is_zero = t[2] == "0";
      request_.noreply = noreply;
      const bool valid =
          (ntokens == 4 && (hold_is_zero || noreply)) || (ntokens == 5 && hold_is_zero && noreply);
      if (!valid) {
        return Reply("CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]", end);
      }
    }
    if (TooLongKey(t[1])) return Reply(kBadFormat, end);
    return Keyed(Command::kDelete, t, end);
  }
  if (name == "flush_all") {
    if (!wants(2, 4)) return Reply(kError, end);
    request_.command = Command::kFlushAll;
    request_.noreply = noreply;
    if (ntokens != (noreply ? 3u : 2u)) {
      std::optional<int32_t> delay = SafeStrToL(t[1]);
      if (!delay) return Reply("CLIENT_ERROR invalid exptime argument", end);
      request_.exptime = *delay;
    }
    return Done(end);
  }
  if (name == "verbosity") {
    if (ntokens != 3 && ntokens != 4) return Reply(kError, end);
    request_.noreply = noreply;
    std::optional<uint32_t> level = SafeStrToUl(t[1]);
    if (!level) return Reply(kBadFormat, end);
    request_.command = Command::kVerbosity;
    request_.level = *level;
    return Done(end);
  }
  if (name == "version" || name == "quit") {
    request_.command = name == "version" ? Command::kVersion : Command::kQuit;
    return Done(end);
  }
  if (name == "stats") {
    request_.command = Command::kStats;
    request_.tokens.assign(t.begin() + 1, t.end());
    return Done(end);
  }
  // memcached looks for an HTTP request only among names it did not dispatch by first letter.
  const bool dispatched = std::string_view("gsacidt").find(name[0]) != std::string_view::npos;
  if (!dispatched && StartsWith(t[ntokens - 2], "HTTP/")) return ParseStatus::kClose;
  return Reply(kError, end);
}

ParseStatus RequestParser::Keyed(Command c, const std::vector<std::string_view>& t, size_t end) {
  request_.command = c;
  request_.keys.push_back(t[1]);
  return Done(end);
}

ParseStatus RequestParser::ParseStorage(std::string_view data,
                                        const std::vector<std::string_view>& t, size_t end) {
  if (TooLongKey(t[1])) return Reply(kBadFormat, end);
  std::optional<uint32_t> flags = SafeStrToUl(t[2]);
  std::optional<int32_t> exptime = SafeStrToL(t[3]);
  std::optional<int32_t> len = SafeStrToL(t[4]);
  if (!flags || !exptime || !len) return Reply(kBadFormat, end);
  if (request_.command == Command::kCas) {
    std::optional<uint64_t> cas = SafeStrToUll(t[5]);
    if (!cas) return Reply(kBadFormat, end);
    request_.cas = *cas;
  }
  if (*len < 0 || *len > INT_MAX - 2) return Reply(kBadFormat, end);
  request_.keys.push_back(t[1]);
  request_.flags = *flags;
  request_.exptime = *exptime;
  if (static_cast<size_t>(*len) > limits_.max_item) {
    reply_ = "SERVER_ERROR object too large for cache";
    reply_suppressed_ = request_.noreply;
    return StartSkip(end, static_cast<uint64_t>(*len) + 2);
  }
  return ReadBlock(data, end, static_cast<size_t>(*len), /*strict=*/true);
}

ParseStatus RequestParser::ParseMetaSet(std::string_view data,
                                        const std::vector<std::string_view>& t, size_t end) {
  // memcached's process_mset_command, up to the length: these errors skip no data.
  if (t.size() < 2) return Reply(kError, end);
  request_.command = Command::kMetaSet;
  if (TooLongKey(t[1]) || t.size() == 2) return Reply(kBadFormat, end);
  if (std::min(t.size(), kMaxTokens - 1) + 1 > 20) {
    return Reply("CLIENT_ERROR options flags too long", end);
  }
  std::optional<int32_t> len = SafeStrToL(t[2]);
  if (!len || *len < 0 || *len > INT_MAX - 2) return Reply(kBadFormat, end);
  request_.keys.push_back(t[1]);
  request_.tokens.assign(t.begin() + 3, t.end());
  if (static_cast<size_t>(*len) > limits_.max_item) {
    // The front end reports a flag error first, else "object too large"; the block goes.
    request_.too_large = true;
    StartSkip(end, static_cast<uint64_t>(*len) + 2);
    return ParseStatus::kRequest;
  }
  return ReadBlock(data, end, static_cast<size_t>(*len), /*strict=*/false);
}

ParseStatus RequestParser::ReadBlock(std::string_view data, size_t start, size_t len, bool strict) {
  if (data.size() < start + len + 2) {
    // The line is complete: next time, find it again from its start.
    scanned_ = 0;
    return ParseStatus::kIncomplete;
  }
  request_.data = data.substr(start, len);
  const bool terminated = data.substr(start + len, 2) == "\r\n";
  if (strict && !terminated) return Reply("CLIENT_ERROR bad data chunk", start + len + 2);
  request_.data_terminated = terminated;
  return Done(start + len + 2);
}

ParseStatus RequestParser::StartSkip(size_t end, uint64_t len) {
  skipping_ = len;
  consumed_ = end;
  scanned_ = 0;
  return ParseStatus::kReply;
}

}  // namespace shoal::memcache
