// Env: the seam through which Shoal touches files (LevelDB's Env, reduced to what the write-ahead
// logs and snapshot files need). Code that persists data takes an Env*, so tests can swap in
// FaultInjectionEnv (io/fault_injection_env.h), which can "crash" and drop every byte that was
// not made durable.
//
// Durability contract (what a caller may rely on after a crash, on PosixEnv and as modelled by
// FaultInjectionEnv):
//   - bytes appended to a file are durable only after WritableFile::Sync() returns ok;
//     unsynced bytes may be lost entirely or in part (a torn write keeps a prefix);
//   - creating, renaming or removing a file is durable only after SyncDir() of its directory
//     returns ok (a synced file whose directory entry was not synced may vanish);
//   - Truncate() is durable when it returns ok (it syncs the file itself).
//
// Errors are Status/Result values carrying the path and strerror(errno); nothing throws.
// Thread-safety: Env methods may be called from any thread (PosixEnv is stateless;
// FaultInjectionEnv locks). A WritableFile has one owner thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace shoal {

// A file open for appending. Invariant: Size() is the file's length including everything
// appended through this handle (synced or not).
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Makes every byte appended so far durable (fdatasync).
  virtual Status Sync() = 0;
  // Closes the handle; unsynced bytes stay unsynced. Further calls fail. The destructor closes
  // a handle that was not closed (ignoring errors).
  virtual Status Close() = 0;
  virtual uint64_t Size() const = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // Creates the file, or truncates it to empty if it exists, and opens it for appending.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  // Opens the file for appending at its end, creating it (empty) if missing.
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;
  // The whole content of the file.
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  virtual bool FileExists(const std::string& path) = 0;
  // Atomically replaces `to` (if it exists) by `from`.
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // Shortens the file to `size` bytes and syncs it (size <= the current size).
  virtual Status Truncate(const std::string& path, uint64_t size) = 0;
  // The names (not paths) of the entries of a directory, sorted, without "." and "..".
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  // Creates the directory; ok if it already exists.
  virtual Status CreateDir(const std::string& dir) = 0;
  // Makes the creations, renames and removals of entries of `dir` durable (fsync of the dir).
  virtual Status SyncDir(const std::string& dir) = 0;
};

// The real file system through POSIX calls. Stateless; one shared instance.
Env* DefaultEnv();

// Writes `data` to `path` atomically and durably: write to path + ".tmp", sync, rename over
// `path`, sync the directory. After a crash `path` holds either the old or the new content.
Status WriteFileAtomically(Env* env, const std::string& path, std::string_view data);

// "dir/name" (no separator is doubled).
std::string JoinPath(std::string_view dir, std::string_view name);
// The directory part of a path ("." when there is none).
std::string DirName(std::string_view path);

}  // namespace shoal
