#include "server/command_runner.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <future>

#include "base/strings.h"
#include "protocol/resp/resp_writer.h"
#include "server/server.h"

namespace shoal {

namespace {

std::string_view Line(std::string_view bytes, size_t* pos) {
  size_t end = bytes.find("\r\n", *pos);
  if (end == std::string_view::npos) end = bytes.size();
  std::string_view line = bytes.substr(*pos, end - *pos);
  *pos = std::min(bytes.size(), end + 2);
  return line;
}

}  // namespace

Reply DecodeReply(std::string_view bytes, size_t* pos) {
  Reply r;
  if (*pos >= bytes.size()) return r;
  char type = bytes[(*pos)++];
  std::string_view line = Line(bytes, pos);
  auto count = [&] { return ParseInt64(line).value_or(-1); };
  switch (type) {
    case '+':
      r.kind = Reply::Kind::kStatus;
      r.text = line;
      break;
    case '-':
      r.kind = Reply::Kind::kError;
      r.text = line;
      break;
    case ':':
      r.kind = Reply::Kind::kInteger;
      r.integer = count();
      break;
    case ',':
      r.kind = Reply::Kind::kDouble;
      r.text = line;
      break;
    case '#':
      r.kind = Reply::Kind::kBool;
      r.integer = line == "t";
      break;
    case '_':
      break;
    case '$':
    case '=': {
      int64_t n = count();
      if (n < 0) break;
      r.kind = Reply::Kind::kBulk;
      r.text = bytes.substr(*pos, static_cast<size_t>(n));
      *pos += static_cast<size_t>(n) + 2;
      break;
    }
    case '*':
    case '~':
    case '>':
    case '%': {
      int64_t n = count();
      if (n < 0) break;
      if (type == '%') n *= 2;
      r.kind = Reply::Kind::kArray;
      for (int64_t i = 0; i < n; i++) r.elements.push_back(DecodeReply(bytes, pos));
      break;
    }
    default:
      r.kind = Reply::Kind::kError;
      r.text = "undecodable reply";
  }
  return r;
}

CommandRunner::CommandRunner(Server* server, uint32_t shard, int resp)
    : server_(server), shard_(shard) {
  client_.id = server->NextClientId();
  client_.shard = shard;
  client_.resp = resp;
  client_.authenticated = true;
  client_.addr = "in-process";
}

std::string CommandRunner::RunRaw(const std::vector<std::string>& args) {
  std::promise<std::string> done;
  auto body = [this, &args, &done]() -> boost::asio::awaitable<void> {
    std::vector<std::string_view> views(args.begin(), args.end());
    resp::RespWriter writer;
    writer.set_protocol_version(client_.resp);
    CommandContext ctx{
        views, &writer, &client_, &server_->shards(), server_, nullptr, &server_->dispatcher()};
    if (!server_->dispatcher().TryInline(ctx)) co_await server_->dispatcher().Dispatch(ctx);
    done.set_value(writer.buffer());
  };
  boost::asio::co_spawn(server_->shards().context(shard_), body, boost::asio::detached);
  return done.get_future().get();
}

InProcessServer::InProcessServer(uint32_t shards, int databases) : registry_(&config_) {
  config_.port = 0;
  config_.engine.num_shards = shards;
  config_.engine.num_databases = databases;
  server_ = std::make_unique<Server>(&config_, &registry_);
  Status s = server_->Start();
  if (!s.ok()) std::abort();  // tests cannot continue without a server
  for (uint32_t i = 0; i < shards; i++) {
    runners_.push_back(std::make_unique<CommandRunner>(server_.get(), i));
  }
}

InProcessServer::~InProcessServer() {
  runners_.clear();
  server_.reset();
}

Reply InProcessServer::Run(const std::vector<std::string>& args, uint32_t shard) {
  return runners_[shard]->Run(args);
}

Reply CommandRunner::Run(const std::vector<std::string>& args) {
  std::string raw = RunRaw(args);
  size_t pos = 0;
  return DecodeReply(raw, &pos);
}

}  // namespace shoal
