// Where the integration tests find their Redis: the server that scripts/test starts and
// describes in SPORTELLI_TEST_REDIS_HOST / SPORTELLI_TEST_REDIS_PORT. A missing variable is a
// failure, never a skip: a green run must mean the tests ran.
//
//   void SetUp() override {
//     ASSERT_OK_AND_ASSIGN(redis::RedisClient::Options options, testing::TestRedisOptions());
//     ASSERT_OK_AND_ASSIGN(redis_, redis::RedisClient::Create(options));
//   }
#ifndef SPORTELLI_TESTING_TEST_REDIS_H_
#define SPORTELLI_TESTING_TEST_REDIS_H_

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sportelli/redis/client.h"

namespace sportelli::testing {

// Options for the test Redis, with short timeouts so that failures show quickly.
absl::StatusOr<redis::RedisClient::Options> TestRedisOptions();

// The value of a required environment variable, or FAILED_PRECONDITION naming it.
absl::StatusOr<std::string> RequiredEnv(const char* name);

// A key prefix unique to this call ("sportelli-test:<random>:"), so that test binaries and
// tests running in parallel against one Redis never see each other's keys.
std::string UniqueKeyPrefix();

// The shared test Redis stopped and started again by a test (SPORTELLI_TEST_REDIS_STOP, which
// shuts it down without saving: its data is gone, and SPORTELLI_TEST_REDIS_START). Only for
// SERIAL tests: every other test loses its Redis meanwhile. If the test ends while Redis is
// stopped (a failed assertion), the destructor starts it, so the tests after it find a server.
//
//   ASSERT_OK_AND_ASSIGN(std::unique_ptr<RedisOutage> outage, RedisOutage::Create());
//   ASSERT_OK(outage->Stop());
//   ASSERT_OK(outage->Start());
class RedisOutage final {
 public:
  static absl::StatusOr<std::unique_ptr<RedisOutage>> Create();
  ~RedisOutage();

  RedisOutage(const RedisOutage&) = delete;
  RedisOutage& operator=(const RedisOutage&) = delete;

  absl::Status Stop();
  absl::Status Start();

 private:
  RedisOutage(std::string stop, std::string start)
      : stop_(std::move(stop)), start_(std::move(start)) {}

  const std::string stop_;
  const std::string start_;
  bool stopped_ = false;
};

}  // namespace sportelli::testing

#endif  // SPORTELLI_TESTING_TEST_REDIS_H_
