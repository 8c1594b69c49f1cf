#include "protocol/resp/resp_parser.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string_view>

namespace shoal::resp {

namespace {

// Above these sizes the argument vectors are released when a request is forgotten, so one
// huge MSET does not pin megabytes for the life of the connection.
constexpr size_t kKeepArgsCapacity = 4096;
constexpr size_t kKeepStorageCapacity = 16 * 1024;
// As Redis: the argument vector is first sized for at most this many arguments.
constexpr int64_t kInitialArgsReserve = 1024;
// Redis 7.0.15+ limits for clients that must still authenticate.
constexpr int64_t kUnauthMaxMultibulk = 10;
constexpr int64_t kUnauthMaxBulk = 16384;

// Character classes of sdssplitargs.
constexpr uint8_t kSpace = 1;  // isspace() in the C locale: skipped between arguments
constexpr uint8_t kTerm = 2;   // ends an unquoted argument: ' ', '\n', '\r', '\t'
constexpr uint8_t kQuote = 4;  // '"' or '\''

constexpr std::array<uint8_t, 256> MakeClasses() {
  std::array<uint8_t, 256> t{};
  for (unsigned char c : {' ', '\t', '\n', '\v', '\f', '\r'}) t[c] |= kSpace;
  for (unsigned char c : {' ', '\n', '\r', '\t'}) t[c] |= kTerm;
  t['"'] |= kQuote;
  t['\''] |= kQuote;
  return t;
}
constexpr std::array<uint8_t, 256> kClasses = MakeClasses();

inline uint8_t ClassOf(char c) { return kClasses[static_cast<unsigned char>(c)]; }
inline bool IsSpace(char c) { return (ClassOf(c) & kSpace) != 0; }

// A count or a length, with Redis's string2ll rules (the same as ParseInt64: optional '-',
// no leading zeros, no '+', no spaces, in range), written for short inputs on the hot path.
inline std::optional<int64_t> ParseLength(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  if (s[i] < '1' || s[i] > '9') {
    if (s.size() == 1 && s[0] == '0') return 0;
    return std::nullopt;
  }
  uint64_t v = 0;
  for (; i < s.size(); i++) {
    unsigned d = static_cast<unsigned char>(s[i]) - '0';
    if (d > 9) return std::nullopt;
    if (__builtin_mul_overflow(v, 10u, &v) || __builtin_add_overflow(v, d, &v)) {
      return std::nullopt;
    }
  }
  if (s[0] == '-') {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return static_cast<int64_t>(0 - v);
  }
  if (v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(v);
}

inline int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

RequestParser::RequestParser(ParserLimits limits) : limits_(limits) {}

void RequestParser::Reset() {
  state_ = State::kStart;
  pos_ = 0;
  scan_ = 0;
  remaining_ = 0;
  bulk_len_ = 0;
  consumed_ = 0;
  if (refs_.capacity() > kKeepArgsCapacity) {
    std::vector<ArgRef>().swap(refs_);
  } else {
    refs_.clear();
  }
  if (args_.capacity() > kKeepArgsCapacity) {
    std::vector<std::string_view>().swap(args_);
  } else {
    args_.clear();
  }
  if (storage_.capacity() > kKeepStorageCapacity) {
    std::string().swap(storage_);
  } else {
    storage_.clear();
  }
  error_.clear();
}

size_t RequestParser::bytes_hint() const {
  if (state_ == State::kBulkData) return pos_ + bulk_len_ + 2;
  return 0;
}

ParseStatus RequestParser::Parse(std::string_view data) {
  switch (state_) {
    case State::kComplete:
      Reset();
      break;
    case State::kError:
      return ParseStatus::kError;
    default:
      break;
  }
  // The caller must hand back at least the bytes already parsed; be safe if it does not.
  if (data.size() < pos_ || data.size() < scan_) return ParseStatus::kIncomplete;
  if (state_ == State::kStart) {
    if (data.empty()) return ParseStatus::kIncomplete;
    state_ = data[0] == '*' ? State::kCount : State::kInline;
  }
  return state_ == State::kInline ? ParseInline(data) : ParseMultibulk(data);
}

size_t RequestParser::FindLineEnd(std::string_view data, size_t line_start, char term,
                                  size_t max_len) {
  // Redis fails once more than max_len bytes are buffered with no terminator. The first
  // max_len + 1 bytes of the line decide it whatever the split, so search only those.
  size_t window_end = data.size();
  if (max_len < window_end - line_start) window_end = line_start + max_len + 1;
  if (scan_ < line_start) scan_ = line_start;
  if (scan_ < window_end) {
    const void* hit = std::memchr(data.data() + scan_, term, window_end - scan_);
    if (hit != nullptr) {
      scan_ = static_cast<size_t>(static_cast<const char*>(hit) - data.data());
      return scan_;
    }
    scan_ = window_end;
  }
  if (window_end - line_start > max_len) return kTooLong;
  return kNotFound;
}

ParseStatus RequestParser::Fail(std::string_view text) {
  error_.assign(text);
  state_ = State::kError;
  args_.clear();
  return ParseStatus::kError;
}

ParseStatus RequestParser::FailExpectedDollar(char got) {
  // Redis formats "%c" through printf into a C string and then maps CR and LF to spaces: a
  // NUL byte therefore ends the text.
  error_.assign("Protocol error: expected '$', got '");
  if (got != '\0') {
    error_.push_back(got == '\r' || got == '\n' ? ' ' : got);
    error_.push_back('\'');
  }
  state_ = State::kError;
  args_.clear();
  return ParseStatus::kError;
}

ParseStatus RequestParser::Complete(std::string_view data) {
  consumed_ = pos_;
  args_.clear();
  args_.reserve(refs_.size());
  for (const ArgRef& ref : refs_) args_.emplace_back(data.data() + ref.offset, ref.len);
  state_ = State::kComplete;
  return ParseStatus::kComplete;
}

RequestParser::LineRead RequestParser::ReadNumberLine(std::string_view data, size_t line_start,
                                                      char prefix) {
  LineRead r;
  if (line_start >= data.size()) return r;  // kIncomplete
  // Fast path, the usual "$<digits>\r" in one buffer: at most 18 digits without a leading
  // zero, so no overflow. Anything else takes the general path, which gives the same results.
  if (data[line_start] == prefix) {
    const size_t max_end = std::min(data.size(), line_start + 19);
    size_t j = line_start + 1;
    uint64_t v = 0;
    while (j < max_end && static_cast<unsigned>(data[j] - '0') <= 9) {
      v = v * 10 + static_cast<unsigned>(data[j] - '0');
      j++;
    }
    const size_t digits = j - line_start - 1;
    if (digits > 0 && (data[line_start + 1] != '0' || digits == 1) && j < data.size() &&
        data[j] == '\r' && data.size() - j >= 2 && j - line_start <= limits_.max_inline_len) {
      r.status = LineStatus::kOk;
      r.value = static_cast<int64_t>(v);
      r.next = j + 2;
      return r;
    }
  }
  size_t cr = FindLineEnd(data, line_start, '\r', limits_.max_inline_len);
  if (cr == kTooLong) {
    r.status = LineStatus::kTooLong;
  } else if (cr == kNotFound || data.size() - cr < 2) {
    // As Redis, the byte after '\r' is not checked, but it must have arrived.
    r.status = LineStatus::kIncomplete;
  } else if (data[line_start] != prefix) {
    r.status = LineStatus::kBadPrefix;
  } else if (std::optional<int64_t> v =
                 ParseLength(data.substr(line_start + 1, cr - line_start - 1))) {
    r.status = LineStatus::kOk;
    r.value = *v;
    r.next = cr + 2;
  } else {
    r.status = LineStatus::kBadNumber;
  }
  return r;
}

ParseStatus RequestParser::ParseMultibulk(std::string_view data) {
  if (state_ == State::kCount) {
    LineRead line = ReadNumberLine(data, 0, '*');
    switch (line.status) {
      case LineStatus::kOk:
        break;
      case LineStatus::kIncomplete:
        return ParseStatus::kIncomplete;
      case LineStatus::kTooLong:
        return Fail("Protocol error: too big mbulk count string");
      case LineStatus::kBadPrefix:  // cannot happen: the request starts with '*'
      case LineStatus::kBadNumber:
        return Fail("Protocol error: invalid multibulk length");
    }
    const int64_t n = line.value;
    if (n > limits_.max_multibulk_len) return Fail("Protocol error: invalid multibulk length");
    if (n > kUnauthMaxMultibulk && limits_.auth_required) {
      return Fail("Protocol error: unauthenticated multibulk length");
    }
    pos_ = line.next;
    refs_.clear();
    if (n <= 0) return Complete(data);
    remaining_ = n;
    refs_.reserve(static_cast<size_t>(std::min(remaining_, kInitialArgsReserve)));
    state_ = State::kBulkLen;
  }

  while (remaining_ > 0) {
    if (state_ == State::kBulkLen) {
      LineRead line = ReadNumberLine(data, pos_, '$');
      switch (line.status) {
        case LineStatus::kOk:
          break;
        case LineStatus::kIncomplete:
          return ParseStatus::kIncomplete;
        case LineStatus::kTooLong:
          return Fail("Protocol error: too big bulk count string");
        case LineStatus::kBadPrefix:
          return FailExpectedDollar(data[pos_]);
        case LineStatus::kBadNumber:
          return Fail("Protocol error: invalid bulk length");
      }
      const int64_t len = line.value;
      if (len < 0 || static_cast<uint64_t>(len) > limits_.max_bulk_len) {
        return Fail("Protocol error: invalid bulk length");
      }
      if (len > kUnauthMaxBulk && limits_.auth_required) {
        return Fail("Protocol error: unauthenticated bulk length");
      }
      bulk_len_ = static_cast<size_t>(len);
      pos_ = line.next;
      state_ = State::kBulkData;
    }
    // kBulkData. As Redis, the two bytes after the bulk are skipped, not checked.
    if (data.size() - pos_ < bulk_len_ + 2) return ParseStatus::kIncomplete;
    refs_.push_back(ArgRef{pos_, bulk_len_});
    pos_ += bulk_len_ + 2;
    remaining_--;
    state_ = State::kBulkLen;
  }
  return Complete(data);
}

ParseStatus RequestParser::ParseInline(std::string_view data) {
  size_t nl = FindLineEnd(data, 0, '\n', limits_.max_inline_len);
  if (nl == kTooLong) return Fail("Protocol error: too big inline request");
  if (nl == kNotFound) return ParseStatus::kIncomplete;
  size_t line_len = nl;
  if (line_len > 0 && data[line_len - 1] == '\r') line_len--;
  args_.clear();
  storage_.clear();
  if (!SplitInline(data.substr(0, line_len))) {
    return Fail("Protocol error: unbalanced quotes in request");
  }
  consumed_ = pos_ = nl + 1;
  state_ = State::kComplete;
  return ParseStatus::kComplete;
}

bool RequestParser::SplitInline(std::string_view line) {
  const size_t n = line.size();
  size_t i = 0;
  while (true) {
    while (i < n && IsSpace(line[i])) i++;
    if (i >= n) return true;
    const size_t start = i;
    // Fast path: an unquoted argument is a view into the line.
    while (i < n && (ClassOf(line[i]) & (kTerm | kQuote)) == 0) i++;
    if (i >= n || (ClassOf(line[i]) & kTerm) != 0) {
      args_.push_back(line.substr(start, i - start));
      if (i < n) i++;  // the terminator
      continue;
    }
    // A quote: this argument is rebuilt in storage_. The output of the whole line is never
    // longer than the line, so reserving that once keeps earlier views valid.
    if (storage_.capacity() < n) storage_.reserve(n);
    const size_t out_start = storage_.size();
    storage_.append(line.data() + start, i - start);
    enum { kPlain, kDouble, kSingle } mode = kPlain;
    bool done = false;
    while (!done) {
      if (mode == kDouble) {
        if (i >= n) return false;  // unterminated
        char c = line[i];
        int hi, lo;
        if (c == '\\' && i + 3 < n && line[i + 1] == 'x' && (hi = HexValue(line[i + 2])) >= 0 &&
            (lo = HexValue(line[i + 3])) >= 0) {
          storage_.push_back(static_cast<char>(hi * 16 + lo));
          i += 4;
        } else if (c == '\\' && i + 1 < n) {
          char e = line[i + 1];
          switch (e) {
            case 'n':
              e = '\n';
              break;
            case 'r':
              e = '\r';
              break;
            case 't':
              e = '\t';
              break;
            case 'b':
              e = '\b';
              break;
            case 'a':
              e = '\a';
              break;
            default:
              break;
          }
          storage_.push_back(e);
          i += 2;
        } else if (c == '"') {
          // The closing quote must be followed by a space or the end.
          if (i + 1 < n && !IsSpace(line[i + 1])) return false;
          done = true;
          i++;
        } else {
          storage_.push_back(c);
          i++;
        }
      } else if (mode == kSingle) {
        if (i >= n) return false;  // unterminated
        char c = line[i];
        if (c == '\\' && i + 1 < n && line[i + 1] == '\'') {
          storage_.push_back('\'');
          i += 2;
        } else if (c == '\'') {
          if (i + 1 < n && !IsSpace(line[i + 1])) return false;
          done = true;
          i++;
        } else {
          storage_.push_back(c);
          i++;
        }
      } else {
        if (i >= n) break;
        char c = line[i];
        uint8_t cls = ClassOf(c);
        if ((cls & kTerm) != 0) {
          done = true;
        } else if (c == '"') {
          mode = kDouble;
        } else if (c == '\'') {
          mode = kSingle;
        } else {
          storage_.push_back(c);
        }
        i++;
      }
    }
    args_.emplace_back(storage_.data() + out_start, storage_.size() - out_start);
  }
}

}  // namespace shoal::resp
