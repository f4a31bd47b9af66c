// The loop every relay and consumer runs: steps repeat with the pauses they ask for, Stop()
// cuts a pause short, and an outage is logged once when it starts and once when it ends.
#include "sportelli/events/worker.h"

#include <atomic>
#include <sstream>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sportelli/clock/stopwatch.h"
#include "sportelli/status/errors.h"

namespace sportelli::events {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(WorkerTest, RepeatsTheStepUntilStopped) {
  std::atomic<int> steps = 0;
  absl::Notification three;
  Worker worker([&] {
    if (++steps == 3) three.Notify();
    return absl::ZeroDuration();
  });
  worker.Start();
  worker.Start();  // no second thread
  three.WaitForNotification();
  worker.Stop();
  const int after_stop = steps.load();
  EXPECT_GE(after_stop, 3);
  worker.Stop();  // again: nothing
  EXPECT_EQ(steps.load(), after_stop);
}

TEST(WorkerTest, StopCutsAPauseShort) {
  absl::Notification stepped;
  Worker worker([&] {
    if (!stepped.HasBeenNotified()) stepped.Notify();
    return absl::Hours(1);
  });
  worker.Start();
  stepped.WaitForNotification();
  const clock::Stopwatch watch;
  worker.Stop();
  // Not a timing assertion on a noisy machine: an hour's pause not cut short would hang the
  // test until ctest's timeout; this bound only makes the failure say why.
  EXPECT_LT(watch.Elapsed(), absl::Minutes(1));
}

TEST(WorkerTest, AWorkerNeverStartedStopsAtOnce) {
  Worker worker([] { return absl::ZeroDuration(); });
  worker.Stop();
}

TEST(OutageLogTest, LogsAnOutageOnceWhenItStartsAndOnceWhenItEnds) {
  std::ostringstream out;
  logging::Logger logger("test", logging::Level::kInfo, &out);
  OutageLog outage(&logger, "outbox relay", {{"schema", "tenants"}});
  EXPECT_FALSE(outage.Succeeded());  // nothing to recover from
  const absl::Status down = status::Error(absl::StatusCode::kUnavailable,
                                          "redis 10.0.0.7 refused RSSMRA80A01H501U", "REDIS_DOWN");
  EXPECT_TRUE(outage.Failed(down));
  EXPECT_FALSE(outage.Failed(down));
  EXPECT_FALSE(outage.Failed(down));
  EXPECT_TRUE(outage.Succeeded());
  EXPECT_FALSE(outage.Succeeded());

  std::istringstream lines(out.str());
  std::string first, second, third;
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_FALSE(std::getline(lines, third)) << "more than two lines: " << out.str();
  EXPECT_THAT(first, HasSubstr(R"("message":"outbox relay failed; retrying")"));
  EXPECT_THAT(first, HasSubstr(R"("schema":"tenants")"));
  EXPECT_THAT(first, HasSubstr(R"("code":"UNAVAILABLE")"));
  EXPECT_THAT(first, HasSubstr(R"("reason":"REDIS_DOWN")"));
  EXPECT_THAT(out.str(), Not(HasSubstr("RSSMRA80A01H501U")));  // messages never reach the log
  EXPECT_THAT(second, HasSubstr(R"("message":"outbox relay recovered")"));
}

}  // namespace
}  // namespace sportelli::events
