#include "io/fault_injection_env.h"

#include <algorithm>
#include <set>
#include <utility>

namespace shoal {

struct FaultInjectionEnv::Inode {
  std::string data;     // what a read returns now
  std::string durable;  // what survives a crash (as of the last Sync or Truncate)
};

class FaultInjectionEnv::File final : public WritableFile {
 public:
  File(FaultInjectionEnv* env, std::string path, std::shared_ptr<Inode> inode, uint64_t gen)
      : env_(env), path_(std::move(path)), inode_(std::move(inode)), generation_(gen) {}

  Status Append(std::string_view data) override {
    std::lock_guard lock(env_->mu_);
    if (Status s = CheckLocked("append"); !s.ok()) return s;
    if (Status s = env_->InjectedLocked("append", path_); !s.ok()) return s;
    inode_->data.append(data);
    return Status::Ok();
  }

  Status Sync() override {
    std::lock_guard lock(env_->mu_);
    if (Status s = CheckLocked("sync"); !s.ok()) return s;
    if (Status s = env_->InjectedLocked("sync", path_); !s.ok()) return s;
    inode_->durable = inode_->data;
    env_->syncs_++;
    return Status::Ok();
  }

  Status Close() override {
    std::lock_guard lock(env_->mu_);
    if (Status s = CheckLocked("close"); !s.ok()) return s;
    closed_ = true;
    return Status::Ok();
  }

  uint64_t Size() const override {
    std::lock_guard lock(env_->mu_);
    return inode_->data.size();
  }

 private:
  Status CheckLocked(std::string_view op) const {
    if (closed_) return Status::Error(std::string(op) + " of closed file " + path_);
    if (generation_ != env_->generation_) {
      return Status::Error(std::string(op) + " of " + path_ + ": handle lost in a crash");
    }
    return Status::Ok();
  }

  FaultInjectionEnv* env_;
  std::string path_;
  std::shared_ptr<Inode> inode_;
  uint64_t generation_;
  bool closed_ = false;
};

FaultInjectionEnv::FaultInjectionEnv() : dirs_{"/", "."} {}
FaultInjectionEnv::~FaultInjectionEnv() = default;

Status FaultInjectionEnv::CheckDirLocked(const std::string& path) const {
  std::string dir = DirName(path);
  if (dirs_.count(dir) == 0) return Status::Error("no such directory " + dir + " for " + path);
  return Status::Ok();
}

Status FaultInjectionEnv::InjectedLocked(std::string_view op, const std::string& path) const {
  if (fail_writes_) return Status::Error(std::string(op) + " " + path + ": injected I/O error");
  return Status::Ok();
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::Open(const std::string& path,
                                                              bool truncate) {
  std::lock_guard lock(mu_);
  if (Status s = InjectedLocked("open", path); !s.ok()) return s;
  if (Status s = CheckDirLocked(path); !s.ok()) return s;
  if (dirs_.count(path) != 0) return Status::Error("open " + path + ": is a directory");
  auto& inode = files_[path];
  if (!inode) {
    inode = std::make_shared<Inode>();
  } else if (truncate) {
    inode->data.clear();  // O_TRUNC: not durable until the next Sync
  }
  return std::unique_ptr<WritableFile>(new File(this, path, inode, generation_));
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewWritableFile(const std::string& path) {
  return Open(path, true);
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::NewAppendableFile(
    const std::string& path) {
  return Open(path, false);
}

Result<std::string> FaultInjectionEnv::ReadFile(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::Error("open " + path + ": no such file");
  return it->second->data;
}

Result<uint64_t> FaultInjectionEnv::FileSize(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::Error("stat " + path + ": no such file");
  return static_cast<uint64_t>(it->second->data.size());
}

bool FaultInjectionEnv::FileExists(const std::string& path) {
  std::lock_guard lock(mu_);
  return files_.count(path) != 0 || dirs_.count(path) != 0;
}

Status FaultInjectionEnv::RenameFile(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  if (Status s = InjectedLocked("rename", from); !s.ok()) return s;
  auto it = files_.find(from);
  if (it == files_.end()) return Status::Error("rename " + from + ": no such file");
  if (Status s = CheckDirLocked(to); !s.ok()) return s;
  std::shared_ptr<Inode> inode = it->second;
  files_.erase(it);
  files_[to] = std::move(inode);
  return Status::Ok();
}

Status FaultInjectionEnv::RemoveFile(const std::string& path) {
  std::lock_guard lock(mu_);
  if (Status s = InjectedLocked("unlink", path); !s.ok()) return s;
  if (files_.erase(path) == 0) return Status::Error("unlink " + path + ": no such file");
  return Status::Ok();
}

Status FaultInjectionEnv::Truncate(const std::string& path, uint64_t size) {
  std::lock_guard lock(mu_);
  if (Status s = InjectedLocked("truncate", path); !s.ok()) return s;
  auto it = files_.find(path);
  if (it == files_.end()) return Status::Error("truncate " + path + ": no such file");
  Inode& inode = *it->second;
  if (size > inode.data.size()) return Status::Error("truncate " + path + ": beyond the end");
  inode.data.resize(size);
  inode.durable = inode.data;  // Truncate syncs the file (io/env.h)
  syncs_++;
  return Status::Ok();
}

Result<std::vector<std::string>> FaultInjectionEnv::ListDir(const std::string& dir) {
  std::lock_guard lock(mu_);
  if (dirs_.count(dir) == 0) return Status::Error("opendir " + dir + ": no such directory");
  std::vector<std::string> names;
  for (const auto& [path, inode] : files_) {
    if (DirName(path) == dir) names.push_back(path.substr(path.rfind('/') + 1));
  }
  for (const std::string& d : dirs_) {
    if (d != dir && d.find('/') != std::string::npos && DirName(d) == dir) {
      names.push_back(d.substr(d.rfind('/') + 1));
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

Status FaultInjectionEnv::CreateDir(const std::string& dir) {
  std::lock_guard lock(mu_);
  if (files_.count(dir) != 0) return Status::Error("mkdir " + dir + ": is a file");
  dirs_.insert(dir);
  return Status::Ok();
}

Status FaultInjectionEnv::SyncDir(const std::string& dir) {
  std::lock_guard lock(mu_);
  if (Status s = InjectedLocked("fsync", dir); !s.ok()) return s;
  if (dirs_.count(dir) == 0) return Status::Error("open " + dir + ": no such directory");
  for (auto it = durable_files_.begin(); it != durable_files_.end();) {
    it = DirName(it->first) == dir ? durable_files_.erase(it) : std::next(it);
  }
  for (const auto& [path, inode] : files_) {
    if (DirName(path) == dir) durable_files_[path] = inode;
  }
  syncs_++;
  return Status::Ok();
}

void FaultInjectionEnv::Crash() {
  Crash([](const std::string&, uint64_t) { return TornTail{}; });
}

void FaultInjectionEnv::Crash(const TornTailPolicy& policy) {
  std::lock_guard lock(mu_);
  generation_++;
  files_ = durable_files_;
  std::set<Inode*> seen;
  for (const auto& [path, inode] : files_) {
    if (!seen.insert(inode.get()).second) continue;
    Inode& n = *inode;
    bool appended_only =
        n.data.size() >= n.durable.size() && n.data.compare(0, n.durable.size(), n.durable) == 0;
    if (appended_only && n.data.size() > n.durable.size()) {
      uint64_t tail = n.data.size() - n.durable.size();
      TornTail torn = policy(path, tail);
      uint64_t keep = std::min(torn.keep, tail);
      std::string kept = n.data.substr(n.durable.size(), keep);
      if (torn.zeroed) kept.assign(kept.size(), '\0');
      n.durable += kept;
    }
    // Otherwise the file was truncated (O_TRUNC) since its last sync: the truncation is lost.
    n.data = n.durable;
  }
  // Inodes no longer named anywhere are freed with the old maps' last references.
}

FaultInjectionEnv::TornTailPolicy FaultInjectionEnv::RandomTornTails(uint64_t seed) {
  auto state = std::make_shared<uint64_t>(seed);
  return [state](const std::string&, uint64_t tail) {
    // SplitMix64, so a seed gives the same tails everywhere.
    auto next = [&] {
      uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      return z ^ (z >> 31);
    };
    TornTail t;
    t.keep = next() % (tail + 1);
    t.zeroed = next() % 8 == 0;
    return t;
  };
}

uint64_t FaultInjectionEnv::UnsyncedBytes(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return 0;
  const Inode& n = *it->second;
  return n.data.size() > n.durable.size() ? n.data.size() - n.durable.size() : 0;
}

Status FaultInjectionEnv::CorruptByte(const std::string& path, uint64_t offset, uint8_t mask) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::Error("corrupt " + path + ": no such file");
  Inode& n = *it->second;
  if (offset >= n.data.size()) return Status::Error("corrupt " + path + ": offset beyond the end");
  n.data[offset] = static_cast<char>(n.data[offset] ^ mask);
  if (offset < n.durable.size()) n.durable[offset] = static_cast<char>(n.durable[offset] ^ mask);
  return Status::Ok();
}

void FaultInjectionEnv::set_fail_writes(bool v) {
  std::lock_guard lock(mu_);
  fail_writes_ = v;
}

uint64_t FaultInjectionEnv::sync_count() {
  std::lock_guard lock(mu_);
  return syncs_;
}

}  // namespace shoal
