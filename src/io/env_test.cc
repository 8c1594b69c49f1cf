#include "io/env.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>

#include "io/fault_injection_env.h"

namespace shoal {
namespace {

// The common contract, run on PosixEnv (in a fresh temporary directory) and FaultInjectionEnv.
class EnvContractTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      char tmpl[] = "/tmp/shoal-env-test-XXXXXX";
      ASSERT_NE(::mkdtemp(tmpl), nullptr);
      dir_ = tmpl;
      env_ = DefaultEnv();
    } else {
      fault_ = std::make_unique<FaultInjectionEnv>();
      env_ = fault_.get();
      dir_ = "/t";
      ASSERT_TRUE(env_->CreateDir(dir_).ok());
    }
  }
  void TearDown() override {
    if (GetParam() && !dir_.empty()) {
      std::string cmd = "rm -rf '" + dir_ + "'";
      ASSERT_EQ(std::system(cmd.c_str()), 0);
    }
  }
  std::string P(std::string_view name) const { return JoinPath(dir_, name); }

  Env* env_ = nullptr;
  std::unique_ptr<FaultInjectionEnv> fault_;
  std::string dir_;
};

TEST_P(EnvContractTest, WriteAppendReadAndSize) {
  auto f = env_->NewWritableFile(P("a"));
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_TRUE((*f)->Append("hello ").ok());
  ASSERT_TRUE((*f)->Append("world").ok());
  EXPECT_EQ((*f)->Size(), 11u);
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Close().ok());
  EXPECT_FALSE((*f)->Append("x").ok()) << "append after close";
  EXPECT_EQ(*env_->ReadFile(P("a")), "hello world");
  EXPECT_EQ(*env_->FileSize(P("a")), 11u);

  auto g = env_->NewAppendableFile(P("a"));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ((*g)->Size(), 11u);
  ASSERT_TRUE((*g)->Append("!").ok());
  ASSERT_TRUE((*g)->Close().ok());
  EXPECT_EQ(*env_->ReadFile(P("a")), "hello world!");

  auto h = env_->NewWritableFile(P("a"));  // truncates
  ASSERT_TRUE(h.ok());
  EXPECT_EQ((*h)->Size(), 0u);
  EXPECT_EQ(*env_->ReadFile(P("a")), "");
}

TEST_P(EnvContractTest, RenameRemoveTruncateList) {
  ASSERT_TRUE(WriteFileAtomically(env_, P("x"), "0123456789").ok());
  EXPECT_FALSE(env_->FileExists(P("x.tmp")));
  ASSERT_TRUE(WriteFileAtomically(env_, P("y"), "old").ok());
  ASSERT_TRUE(env_->RenameFile(P("x"), P("y")).ok());
  EXPECT_FALSE(env_->FileExists(P("x")));
  EXPECT_EQ(*env_->ReadFile(P("y")), "0123456789");
  ASSERT_TRUE(env_->Truncate(P("y"), 4).ok());
  EXPECT_EQ(*env_->ReadFile(P("y")), "0123");
  ASSERT_TRUE(env_->CreateDir(P("sub")).ok());
  ASSERT_TRUE(env_->CreateDir(P("sub")).ok()) << "existing dir is fine";
  ASSERT_TRUE(WriteFileAtomically(env_, P("b"), "").ok());
  auto names = env_->ListDir(dir_);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"b", "sub", "y"}));
  ASSERT_TRUE(env_->RemoveFile(P("b")).ok());
  EXPECT_FALSE(env_->RemoveFile(P("b")).ok());
  EXPECT_FALSE(env_->ReadFile(P("b")).ok());
  EXPECT_FALSE(env_->FileSize(P("b")).ok());
  EXPECT_FALSE(env_->ListDir(P("nope")).ok());
  ASSERT_TRUE(env_->SyncDir(dir_).ok());
}

TEST_P(EnvContractTest, ErrorsNameThePath) {
  auto r = env_->ReadFile(P("missing"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("missing"), std::string::npos) << r.status().message();
}

INSTANTIATE_TEST_SUITE_P(Envs, EnvContractTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Posix" : "FaultInjection"; });

// FaultInjectionEnv's crash model.

std::unique_ptr<WritableFile> MustOpen(Env* env, const std::string& path) {
  auto f = env->NewWritableFile(path);
  EXPECT_TRUE(f.ok()) << f.status().message();
  return std::move(f).value();
}

TEST(FaultInjectionEnv, CrashDropsUnsyncedBytesAndKeepsSynced) {
  FaultInjectionEnv env;
  ASSERT_TRUE(env.CreateDir("/d").ok());
  auto f = MustOpen(&env, "/d/f");
  ASSERT_TRUE(env.SyncDir("/d").ok());
  ASSERT_TRUE(f->Append("synced").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Append("-lost").ok());
  EXPECT_EQ(env.UnsyncedBytes("/d/f"), 5u);
  env.Crash();
  EXPECT_EQ(*env.ReadFile("/d/f"), "synced");
  EXPECT_FALSE(f->Append("x").ok()) << "a handle from before the crash still works";
  EXPECT_EQ(env.UnsyncedBytes("/d/f"), 0u);
}

TEST(FaultInjectionEnv, TornTailKeepsAPrefixPossiblyZeroed) {
  FaultInjectionEnv env;
  ASSERT_TRUE(env.CreateDir("/d").ok());
  auto f = MustOpen(&env, "/d/f");
  ASSERT_TRUE(env.SyncDir("/d").ok());
  ASSERT_TRUE(f->Append("abc").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Append("defgh").ok());
  env.Crash([](const std::string& path, uint64_t unsynced) {
    EXPECT_EQ(path, "/d/f");
    EXPECT_EQ(unsynced, 5u);
    return FaultInjectionEnv::TornTail{2, false};
  });
  EXPECT_EQ(*env.ReadFile("/d/f"), "abcde");

  auto g = MustOpen(&env, "/d/g");
  ASSERT_TRUE(env.SyncDir("/d").ok());
  ASSERT_TRUE(g->Append("xyz").ok());
  env.Crash([](const std::string&, uint64_t) { return FaultInjectionEnv::TornTail{100, true}; });
  EXPECT_EQ(*env.ReadFile("/d/g"), std::string(3, '\0'));
}

TEST(FaultInjectionEnv, UnsyncedDirectoryChangesAreUndone) {
  FaultInjectionEnv env;
  ASSERT_TRUE(env.CreateDir("/d").ok());
  // A synced file whose creation was never made durable vanishes.
  auto f = MustOpen(&env, "/d/new");
  ASSERT_TRUE(f->Append("data").ok());
  ASSERT_TRUE(f->Sync().ok());
  env.Crash();
  EXPECT_FALSE(env.FileExists("/d/new"));

  // An unsynced rename and remove are undone.
  ASSERT_TRUE(WriteFileAtomically(&env, "/d/a", "A").ok());
  ASSERT_TRUE(WriteFileAtomically(&env, "/d/b", "B").ok());
  ASSERT_TRUE(env.RenameFile("/d/a", "/d/c").ok());
  ASSERT_TRUE(env.RemoveFile("/d/b").ok());
  env.Crash();
  EXPECT_EQ(*env.ReadFile("/d/a"), "A");
  EXPECT_EQ(*env.ReadFile("/d/b"), "B");
  EXPECT_FALSE(env.FileExists("/d/c"));

  // Once the directory is synced they stick.
  ASSERT_TRUE(env.RenameFile("/d/a", "/d/c").ok());
  ASSERT_TRUE(env.RemoveFile("/d/b").ok());
  ASSERT_TRUE(env.SyncDir("/d").ok());
  env.Crash();
  EXPECT_FALSE(env.FileExists("/d/a"));
  EXPECT_FALSE(env.FileExists("/d/b"));
  EXPECT_EQ(*env.ReadFile("/d/c"), "A");
}

TEST(FaultInjectionEnv, WriteFileAtomicallyIsAllOrNothing) {
  FaultInjectionEnv env;
  ASSERT_TRUE(env.CreateDir("/d").ok());
  ASSERT_TRUE(WriteFileAtomically(&env, "/d/f", "v1").ok());
  env.Crash();
  EXPECT_EQ(*env.ReadFile("/d/f"), "v1");
  // A failure half way (the rename) leaves the old content.
  auto tmp = MustOpen(&env, "/d/f.tmp");
  ASSERT_TRUE(tmp->Append("v2-partial").ok());
  env.Crash(FaultInjectionEnv::RandomTornTails(7));
  EXPECT_EQ(*env.ReadFile("/d/f"), "v1");
}

TEST(FaultInjectionEnv, OTruncIsNotDurableUntilSynced) {
  FaultInjectionEnv env;
  ASSERT_TRUE(env.CreateDir("/d").ok());
  ASSERT_TRUE(WriteFileAtomically(&env, "/d/f", "old").ok());
  auto f = MustOpen(&env, "/d/f");
  ASSERT_TRUE(f->Append("new!").ok());
  env.Crash();
  EXPECT_EQ(*env.ReadFile("/d/f"), "old");
}

TEST(FaultInjectionEnv, TruncateIsDurable) {
  FaultInjectionEnv env;
  ASSERT_TRUE(env.CreateDir("/d").ok());
  ASSERT_TRUE(WriteFileAtomically(&env, "/d/f", "0123456").ok());
  ASSERT_TRUE(env.Truncate("/d/f", 3).ok());
  env.Crash();
  EXPECT_EQ(*env.ReadFile("/d/f"), "012");
  EXPECT_FALSE(env.Truncate("/d/f", 10).ok());
}

TEST(FaultInjectionEnv, CorruptByteAndInjectedErrors) {
  FaultInjectionEnv env;
  ASSERT_TRUE(env.CreateDir("/d").ok());
  ASSERT_TRUE(WriteFileAtomically(&env, "/d/f", "aaaa").ok());
  ASSERT_TRUE(env.CorruptByte("/d/f", 2, 0x01).ok());
  EXPECT_EQ(*env.ReadFile("/d/f"), "aa`a");
  env.Crash();
  EXPECT_EQ(*env.ReadFile("/d/f"), "aa`a") << "corruption is on the medium";
  EXPECT_FALSE(env.CorruptByte("/d/f", 4, 1).ok());

  auto f = MustOpen(&env, "/d/g");
  uint64_t syncs = env.sync_count();
  env.set_fail_writes(true);
  EXPECT_FALSE(f->Append("x").ok());
  EXPECT_FALSE(f->Sync().ok());
  EXPECT_FALSE(env.NewWritableFile("/d/h").ok());
  EXPECT_FALSE(env.SyncDir("/d").ok());
  EXPECT_EQ(env.sync_count(), syncs);
  env.set_fail_writes(false);
  EXPECT_TRUE(f->Append("x").ok());
  EXPECT_TRUE(f->Sync().ok());
  EXPECT_EQ(env.sync_count(), syncs + 1);
}

TEST(FaultInjectionEnv, FilesNeedTheirDirectory) {
  FaultInjectionEnv env;
  EXPECT_FALSE(env.NewWritableFile("/nodir/f").ok());
  ASSERT_TRUE(env.CreateDir("/nodir").ok());
  EXPECT_TRUE(env.NewWritableFile("/nodir/f").ok());
}

TEST(Paths, JoinAndDirName) {
  EXPECT_EQ(JoinPath("/a", "b"), "/a/b");
  EXPECT_EQ(JoinPath("/a/", "b"), "/a/b");
  EXPECT_EQ(DirName("/a/b"), "/a");
  EXPECT_EQ(DirName("/a"), "/");
  EXPECT_EQ(DirName("a"), ".");
}

}  // namespace
}  // namespace shoal
