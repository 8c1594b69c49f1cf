// FaultInjectionEnv: an in-memory Env for tests and the simulator that remembers what was made
// durable and can "crash": every byte not synced is dropped, or (a torn write) only a prefix of
// each file's unsynced tail survives, possibly as zeros; file creations, renames and removals
// not followed by SyncDir of their directory are undone. It follows the durability contract of
// io/env.h to the letter, so code that is correct on it does not rely on luck on a real disk.
//
// Model: a file is an inode with its current bytes and its durable bytes (as of the last Sync);
// a directory maps names to inodes, once as the process sees it and once as last synced.
// Directories themselves are durable as soon as CreateDir returns. After Crash() every handle
// opened before it fails with an error, like the descriptors of a dead process.
//
// Thread-safety: every method may be called from any thread (one mutex).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "io/env.h"

namespace shoal {

class FaultInjectionEnv final : public Env {
 public:
  // What survives of one file's unsynced tail in a crash.
  struct TornTail {
    uint64_t keep = 0;    // bytes of the tail kept, clamped to its length
    bool zeroed = false;  // the kept bytes read as zeros (the size was updated, the data not)
  };
  // Called once per surviving file that has unsynced bytes.
  using TornTailPolicy = std::function<TornTail(const std::string& path, uint64_t unsynced_bytes)>;

  FaultInjectionEnv();
  ~FaultInjectionEnv() override;

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Result<std::string> ReadFile(const std::string& path) override;
  Result<uint64_t> FileSize(const std::string& path) override;
  bool FileExists(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override;
  Status Truncate(const std::string& path, uint64_t size) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  Status CreateDir(const std::string& dir) override;
  Status SyncDir(const std::string& dir) override;

  // Simulates power loss: drops every unsynced byte and every unsynced directory change.
  void Crash();
  // The same, keeping of each file's unsynced tail what `policy` says (a torn write).
  void Crash(const TornTailPolicy& policy);
  // A policy keeping a random prefix (sometimes zeroed) of each tail, from a seed.
  static TornTailPolicy RandomTornTails(uint64_t seed);

  // Test hooks.
  // Bytes of `path` appended since its last Sync (0 if missing).
  uint64_t UnsyncedBytes(const std::string& path);
  // XORs the byte at `offset` with `mask` in both the current and the durable content (media
  // corruption). Error if the file or offset does not exist.
  Status CorruptByte(const std::string& path, uint64_t offset, uint8_t mask);
  // While set, every write-side call (Append, Sync, open for writing, Rename, Remove,
  // Truncate, SyncDir) fails with an "injected I/O error".
  void set_fail_writes(bool v);
  // Number of successful Sync and SyncDir calls so far.
  uint64_t sync_count();

 private:
  struct Inode;
  class File;
  using Names = std::map<std::string, std::shared_ptr<Inode>>;

  Result<std::unique_ptr<WritableFile>> Open(const std::string& path, bool truncate);
  Status CheckDirLocked(const std::string& path) const;
  Status InjectedLocked(std::string_view op, const std::string& path) const;

  std::mutex mu_;
  Names files_;          // path -> inode, as the running process sees it
  Names durable_files_;  // path -> inode, as of the last SyncDir of each directory
  std::set<std::string> dirs_;
  uint64_t generation_ = 0;  // bumped by Crash(); older handles are dead
  bool fail_writes_ = false;
  uint64_t syncs_ = 0;
};

}  // namespace shoal
