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

#include <string>

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

}  // namespace sportelli::testing

#endif  // SPORTELLI_TESTING_TEST_REDIS_H_
