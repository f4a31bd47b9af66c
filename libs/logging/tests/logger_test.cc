#include "sportelli/logging/logger.h"

#include <sstream>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace sportelli::logging {
namespace {

std::vector<nlohmann::json> Lines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

TEST(LoggerTest, OneJsonObjectPerLineWithStandardFields) {
  std::ostringstream out;
  Logger log("tenants", Level::kInfo, &out);
  log.Info("rpc",
           {{"method", "GetDesk"}, {"tenant", "capannori"}, {"latency_ms", 1.5}, {"code", "OK"}});
  auto lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["service"], "tenants");
  EXPECT_EQ(lines[0]["level"], "info");
  EXPECT_EQ(lines[0]["message"], "rpc");
  EXPECT_EQ(lines[0]["method"], "GetDesk");
  EXPECT_EQ(lines[0]["tenant"], "capannori");
  EXPECT_EQ(lines[0]["code"], "OK");
  std::string time = lines[0]["time"];
  EXPECT_EQ(time.size(), 24u) << time;  // 2026-11-27T08:13:37.123Z
  EXPECT_EQ(time.back(), 'Z');
}

TEST(LoggerTest, LevelsBelowTheMinimumAreDropped) {
  std::ostringstream out;
  Logger log("tenants", Level::kWarning, &out);
  log.Info("hidden");
  log.Debug("hidden");
  log.Error("shown");
  auto lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["level"], "error");
}

TEST(LoggerTest, ConcurrentLinesNeverInterleave) {
  std::ostringstream out;
  Logger log("tenants", Level::kInfo, &out);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&log, t] {
      for (int i = 0; i < 200; ++i) log.Info("line", {{"thread", t}, {"i", i}});
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(Lines(out.str()).size(), 800u);  // parse would throw on a torn line
}

TEST(LoggerTest, InvalidUtf8StillYieldsValidJson) {
  std::ostringstream out;
  Logger log("tenants", Level::kInfo, &out);
  log.Info("bad \xff bytes");
  EXPECT_EQ(Lines(out.str()).size(), 1u);
}

TEST(ParseLevelTest, KnownNames) {
  EXPECT_EQ(ParseLevel("debug"), Level::kDebug);
  EXPECT_EQ(ParseLevel("warning"), Level::kWarning);
  EXPECT_EQ(ParseLevel("error"), Level::kError);
  EXPECT_EQ(ParseLevel("info"), Level::kInfo);
}

}  // namespace
}  // namespace sportelli::logging
