// CommandRunner: runs commands inside a started Server without a socket, through the same
// dispatcher a connection uses, on a chosen shard thread. For unit tests and tools.
// Thread ownership: Run is called from a non-shard thread (e.g. a test's main thread); it
// blocks until the command has run on the shard thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <memory>

#include "commands/command.h"
#include "server/config.h"

namespace shoal {

class Server;

// A decoded reply, enough for assertions.
struct Reply {
  enum class Kind { kStatus, kError, kInteger, kBulk, kNull, kArray, kDouble, kBool };
  Kind kind = Kind::kNull;
  std::string text;  // status, error, bulk, double text
  int64_t integer = 0;
  std::vector<Reply> elements;

  bool is_error() const { return kind == Kind::kError; }
  bool is_null() const { return kind == Kind::kNull; }
};

// Decodes one RESP2/RESP3 reply from `bytes` starting at *pos (maps and sets become arrays).
Reply DecodeReply(std::string_view bytes, size_t* pos);

class CommandRunner {
 public:
  CommandRunner(Server* server, uint32_t shard, int resp = 2);

  Reply Run(const std::vector<std::string>& args);
  // The raw bytes the client would have received.
  std::string RunRaw(const std::vector<std::string>& args);

  ClientState& client() { return client_; }

 private:
  Server* server_;
  uint32_t shard_;
  ClientState client_;
};

// A Server started on an ephemeral loopback port, with one runner per shard: the in-process
// fixture for command tests. Stops the server on destruction.
class InProcessServer {
 public:
  explicit InProcessServer(uint32_t shards = 2, int databases = 16);
  ~InProcessServer();

  Server& server() { return *server_; }
  ConfigRegistry& registry() { return registry_; }
  // Runs a command as a client connected to `shard` (one client per shard, state kept).
  Reply Run(const std::vector<std::string>& args, uint32_t shard = 0);

 private:
  ServerConfig config_;
  ConfigRegistry registry_;
  std::unique_ptr<Server> server_;
  std::vector<std::unique_ptr<CommandRunner>> runners_;
};

}  // namespace shoal
