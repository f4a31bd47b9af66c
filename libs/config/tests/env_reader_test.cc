#include "sportelli/config/env_reader.h"

#include <cstdio>
#include <fstream>
#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sportelli::config {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

EnvReader ReaderOf(std::map<std::string, std::string> values) {
  return EnvReader([values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  });
}

TEST(EnvReaderTest, ReadsValidValues) {
  EnvReader env = ReaderOf({{"PORT", "8081"},
                            {"DSN", "host=x"},
                            {"GRACE", "250ms"},
                            {"DEBUG", "true"},
                            {"LEVEL", "warning"},
                            {"REDIS", "127.0.0.1:6379"}});
  EXPECT_EQ(env.Int("PORT", 8080, 1, 65535), 8081);
  EXPECT_EQ(env.String("DSN"), "host=x");
  EXPECT_EQ(env.Duration("GRACE", absl::Seconds(5), absl::ZeroDuration(), absl::Minutes(1)),
            absl::Milliseconds(250));
  EXPECT_TRUE(env.Bool("DEBUG", false));
  EXPECT_EQ(env.OneOf("LEVEL", "info", {"debug", "info", "warning"}), "warning");
  EXPECT_EQ(env.HostPort("REDIS", "localhost:6379"), "127.0.0.1:6379");
  EXPECT_TRUE(env.Finish().ok());
}

TEST(EnvReaderTest, NumbersWithinTheirRange) {
  EnvReader env = ReaderOf({{"SHARE", "0.25"}, {"BIG", "1.5"}, {"NAN", "nan"}, {"TEXT", "20%"}});
  EXPECT_DOUBLE_EQ(env.Number("SHARE", 0.2, 0, 1), 0.25);
  EXPECT_DOUBLE_EQ(env.Number("UNSET", 0.2, 0, 1), 0.2);
  EXPECT_TRUE(env.Finish().ok());
  EXPECT_DOUBLE_EQ(env.Number("BIG", 0.2, 0, 1), 0.2);
  EXPECT_DOUBLE_EQ(env.Number("NAN", 0.2, 0, 1), 0.2);
  EXPECT_DOUBLE_EQ(env.Number("TEXT", 0.2, 0, 1), 0.2);
  const absl::Status status = env.Finish();
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("BIG"), HasSubstr("NAN"), HasSubstr("TEXT")));
}

TEST(EnvReaderTest, DefaultsApplyWhenUnsetOrEmpty) {
  EnvReader env = ReaderOf({{"PORT", ""}});
  EXPECT_EQ(env.Int("PORT", 8080, 1, 65535), 8080);
  EXPECT_EQ(env.String("NAME", "tenants"), "tenants");
  EXPECT_TRUE(env.Finish().ok());
}

TEST(EnvReaderTest, EveryProblemIsReportedByVariableNameWithoutTheValue) {
  EnvReader env = ReaderOf({{"PORT", "eighty"},
                            {"THREADS", "100000"},
                            {"GRACE", "soon"},
                            {"REDIS", "nocolon"},
                            {"LEVEL", "verbose-secret"}});
  env.Int("PORT", 8080, 1, 65535);
  env.Int("THREADS", 16, 1, 1024);
  env.Duration("GRACE", absl::Seconds(5), absl::ZeroDuration(), absl::Minutes(1));
  env.String("SPORTELLI_PG_DSN");
  env.HostPort("REDIS", "localhost:6379");
  env.OneOf("LEVEL", "info", {"debug", "info"});
  absl::Status status = env.Finish();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      status.message(),
      AllOf(HasSubstr("PORT: must be an integer"), HasSubstr("THREADS: must be between 1 and 1024"),
            HasSubstr("GRACE: must be a duration"), HasSubstr("SPORTELLI_PG_DSN: is required"),
            HasSubstr("REDIS: must be host:port"), HasSubstr("LEVEL: must be one of"),
            Not(HasSubstr("verbose-secret")), Not(HasSubstr("eighty"))));
}

TEST(EnvReaderTest, FileContents) {
  std::string path = ::testing::TempDir() + "/env_reader_key.pem";
  {
    std::ofstream out(path);
    out << "-----BEGIN PUBLIC KEY-----";
  }
  EnvReader env = ReaderOf({{"KEY", path}, {"MISSING", "/nonexistent/key.pem"}});
  EXPECT_EQ(env.FileContents("KEY"), "-----BEGIN PUBLIC KEY-----");
  EXPECT_TRUE(env.Finish().ok());
  env.FileContents("MISSING");
  EXPECT_THAT(env.Finish().message(), HasSubstr("MISSING: names a file that cannot be read"));
  std::remove(path.c_str());
}

TEST(ExitIfInvalidDeathTest, BadConfigurationStopsTheProcessNamingTheVariable) {
  EnvReader env = ReaderOf({{"SPORTELLI_GRPC_PORT", "0"}});
  env.Int("SPORTELLI_GRPC_PORT", 8080, 1, 65535);
  EXPECT_EXIT(ExitIfInvalid(env.Finish(), "sportelli-test"), ::testing::ExitedWithCode(2),
              HasSubstr("SPORTELLI_GRPC_PORT: must be between 1 and 65535"));
}

}  // namespace
}  // namespace sportelli::config
