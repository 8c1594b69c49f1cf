#include "protocol/resp/resp_writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace shoal::resp {

namespace {

constexpr std::string_view kCrlf = "\r\n";

// FormatDouble (base/strings.h) without the std::string: "%.17g", "inf", "-inf", "nan".
// Returns the length written to `buf`.
size_t FormatDoubleTo(double v, char (&buf)[64]) {
  if (std::isnan(v)) {
    std::memcpy(buf, "nan", 3);
    return 3;
  }
  if (std::isinf(v)) {
    if (v > 0) {
      std::memcpy(buf, "inf", 3);
      return 3;
    }
    std::memcpy(buf, "-inf", 4);
    return 4;
  }
  int len = std::snprintf(buf, sizeof(buf), "%.17g", v);
  return len > 0 ? static_cast<size_t>(len) : 0;
}

}  // namespace

void RespWriter::AppendHeader(char prefix, uint64_t n) {
  char buf[24];
  buf[0] = prefix;
  char* end = std::to_chars(buf + 1, buf + sizeof(buf) - 2, n).ptr;
  end[0] = '\r';
  end[1] = '\n';
  buffer_.append(buf, static_cast<size_t>(end + 2 - buf));
}

void RespWriter::AppendBulk(std::string_view s) {
  AppendHeader('$', s.size());
  buffer_.append(s);
  buffer_.append(kCrlf);
}

void RespWriter::SimpleString(std::string_view s) {
  buffer_.push_back('+');
  buffer_.append(s);
  buffer_.append(kCrlf);
}

void RespWriter::Error(std::string_view msg) {
  buffer_.push_back('-');
  size_t start = buffer_.size();
  buffer_.append(msg);
  for (size_t i = start; i < buffer_.size(); i++) {
    if (buffer_[i] == '\r' || buffer_[i] == '\n') buffer_[i] = ' ';
  }
  buffer_.append(kCrlf);
}

void RespWriter::Integer(int64_t v) {
  char buf[24];
  buf[0] = ':';
  char* end = std::to_chars(buf + 1, buf + sizeof(buf) - 2, v).ptr;
  end[0] = '\r';
  end[1] = '\n';
  buffer_.append(buf, static_cast<size_t>(end + 2 - buf));
}

void RespWriter::Bulk(std::string_view s) { AppendBulk(s); }

void RespWriter::Null() { buffer_.append(resp3_ ? std::string_view("_\r\n") : "$-1\r\n"); }

void RespWriter::NullArray() { buffer_.append(resp3_ ? std::string_view("_\r\n") : "*-1\r\n"); }

void RespWriter::ArrayHeader(size_t n) { AppendHeader('*', n); }

void RespWriter::MapHeader(size_t n) {
  if (resp3_) {
    AppendHeader('%', n);
  } else {
    AppendHeader('*', static_cast<uint64_t>(n) * 2);
  }
}

void RespWriter::SetHeader(size_t n) { AppendHeader(resp3_ ? '~' : '*', n); }

void RespWriter::PushHeader(size_t n) { AppendHeader(resp3_ ? '>' : '*', n); }

void RespWriter::Double(double v) {
  char buf[64];
  size_t len = FormatDoubleTo(v, buf);
  std::string_view text(buf, len);
  if (resp3_) {
    buffer_.push_back(',');
    buffer_.append(text);
    buffer_.append(kCrlf);
  } else {
    AppendBulk(text);
  }
}

void RespWriter::Boolean(bool v) {
  if (resp3_) {
    buffer_.append(v ? std::string_view("#t\r\n") : "#f\r\n");
  } else {
    buffer_.append(v ? std::string_view(":1\r\n") : ":0\r\n");
  }
}

void RespWriter::Verbatim(std::string_view format, std::string_view text) {
  if (!resp3_) {
    AppendBulk(text);
    return;
  }
  AppendHeader('=', static_cast<uint64_t>(text.size()) + 4);
  char fmt[4] = {' ', ' ', ' ', ':'};
  for (size_t i = 0; i < 3 && i < format.size(); i++) fmt[i] = format[i];
  buffer_.append(fmt, 4);
  buffer_.append(text);
  buffer_.append(kCrlf);
}

}  // namespace shoal::resp
