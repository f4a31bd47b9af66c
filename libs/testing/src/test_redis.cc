#include "sportelli/testing/test_redis.h"

#include <cstdlib>
#include <random>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sportelli::testing {

absl::StatusOr<std::string> RequiredEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    return absl::FailedPreconditionError(absl::StrCat(
        name,
        " is not set: this test needs the throwaway Redis that scripts/test starts and "
        "describes in SPORTELLI_TEST_REDIS_* (see docs/contributing.md)"));
  }
  return std::string(value);
}

absl::StatusOr<redis::RedisClient::Options> TestRedisOptions() {
  absl::StatusOr<std::string> host = RequiredEnv("SPORTELLI_TEST_REDIS_HOST");
  if (!host.ok()) return host.status();
  absl::StatusOr<std::string> port = RequiredEnv("SPORTELLI_TEST_REDIS_PORT");
  if (!port.ok()) return port.status();
  redis::RedisClient::Options options;
  options.host = *host;
  if (!absl::SimpleAtoi(*port, &options.port)) {
    return absl::FailedPreconditionError(
        absl::StrCat("SPORTELLI_TEST_REDIS_PORT is not a number: ", *port));
  }
  options.connect_timeout = absl::Milliseconds(500);
  options.command_timeout = absl::Seconds(2);
  options.acquire_timeout = absl::Seconds(2);
  options.pool_size = 2;
  return options;
}

std::string UniqueKeyPrefix() {
  static thread_local std::mt19937_64 random(std::random_device{}());
  return absl::StrCat("sportelli-test:", absl::Hex(random(), absl::kZeroPad16), ":");
}

absl::StatusOr<std::unique_ptr<RedisOutage>> RedisOutage::Create() {
  absl::StatusOr<std::string> stop = RequiredEnv("SPORTELLI_TEST_REDIS_STOP");
  if (!stop.ok()) return stop.status();
  absl::StatusOr<std::string> start = RequiredEnv("SPORTELLI_TEST_REDIS_START");
  if (!start.ok()) return start.status();
  return std::unique_ptr<RedisOutage>(new RedisOutage(*std::move(stop), *std::move(start)));
}

RedisOutage::~RedisOutage() {
  if (stopped_) (void)Start();
}

absl::Status RedisOutage::Stop() {
  if (std::system(stop_.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("could not stop Redis: ", stop_));
  }
  stopped_ = true;
  return absl::OkStatus();
}

absl::Status RedisOutage::Start() {
  if (std::system(start_.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("could not start Redis: ", start_));
  }
  stopped_ = false;
  return absl::OkStatus();
}

}  // namespace sportelli::testing
