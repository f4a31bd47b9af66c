// BookingCombiner over the in-memory repository: bookings that arrive while one is being written
// go together, each caller gets its own answer, and a batch that fails whole (or one that ran out
// of its writer's deadline) sends its callers back to book alone.
#include "services/scheduling/booking_combiner.h"

#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/scheduling/tests/memory_repository.h"
#include "sportelli/clock/request_deadline.h"
#include "sportelli/server/call_admission.h"
#include "sportelli/testing/eventually.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::scheduling {
namespace {

using ::sportelli::testing::Eventually;
using ::sportelli::testing::StatusIs;
using ::testing::ElementsAre;

const absl::Time kStart = absl::FromUnixSeconds(1780300800);  // a slot, the day after `now`

class BookingCombinerTest : public ::testing::Test {
 protected:
  SchedulingRepository::BookingAttempt Attempt(int n) {
    SchedulingRepository::BookingAttempt attempt;
    Appointment& a = attempt.booking.appointment;
    a.tenant_id = "capannori";
    a.id = absl::StrCat("a", n);
    a.desk_id = "sede";
    a.service_id = "colloquio";
    a.start = kStart;
    a.end = kStart + absl::Minutes(30);
    a.state = AppointmentState::kBooked;
    attempt.booking.citizen_index = absl::StrCat("citizen ", n);
    attempt.rules.policy.capacity = 100;
    attempt.rules.open = {{kStart, kStart + absl::Hours(2)}};
    attempt.rules.now = kStart - absl::Hours(24);
    attempt.key = {absl::StrCat("req-", n), "CreateAppointment", absl::StrCat("f", n)};
    attempt.encode = &encode_;
    return attempt;
  }

  // Books `count` attempts, each from its own thread, while a first booking is held in the
  // repository, so that they all wait and then go as one batch. Returns each caller's answer.
  std::vector<absl::StatusOr<pg::Created<Appointment>>> BookBehindAHeldOne(
      BookingCombiner& combiner, int count) {
    absl::Notification release;
    repository_.booking_gate = &release;
    const SchedulingRepository::BookingAttempt first = Attempt(0);
    std::thread held([&] { EXPECT_OK(combiner.Book(first).status()); });
    std::vector<SchedulingRepository::BookingAttempt> attempts;
    for (int i = 1; i <= count; ++i) attempts.push_back(Attempt(i));
    std::vector<absl::StatusOr<pg::Created<Appointment>>> answers(count, absl::UnknownError(""));
    std::vector<std::thread> callers;
    for (int i = 0; i < count; ++i) {
      callers.emplace_back([&, i] { answers[i] = combiner.Book(attempts[i]); });
    }
    // All of them waiting (the held one is the comune's only batch): then let it go.
    EXPECT_TRUE(Eventually([&] { return combiner.waiting() == count; }));
    repository_.booking_gate = nullptr;
    release.Notify();
    held.join();
    for (std::thread& caller : callers) caller.join();
    return answers;
  }

  testing::MemoryRepository repository_;
  const pg::ResponseEncoder<Appointment> encode_ = [](const Appointment& a) { return a.id; };
};

TEST_F(BookingCombinerTest, AttemptsThatWaitedGoTogetherAndEachGetsItsOwnAnswer) {
  prometheus::Registry registry;
  BookingCombiner combiner(&repository_, {.max_batch = 32, .batches_per_comune = 1}, &registry);
  const auto answers = BookBehindAHeldOne(combiner, 6);
  for (int i = 0; i < 6; ++i) {
    ASSERT_OK(answers[i]);
    EXPECT_EQ(answers[i]->value->id, absl::StrCat("a", i + 1));
  }
  EXPECT_THAT(repository_.batch_sizes(), ElementsAre(6));
  EXPECT_EQ(combiner.attempts_batched(), 6);
  // What Prometheus sees: two writes (the held booking alone, then the six), seven bookings,
  // nobody waiting any more.
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name == "sportelli_scheduling_booking_batch_size") {
      EXPECT_EQ(family.metric.at(0).histogram.sample_count, 2u);
      EXPECT_EQ(family.metric.at(0).histogram.sample_sum, 7);
    }
    if (family.name == "sportelli_scheduling_booking_waiting") {
      EXPECT_EQ(family.metric.at(0).gauge.value, 0);
    }
  }
}

TEST_F(BookingCombinerTest, ABatchIsNeverLargerThanTheLimit) {
  BookingCombiner combiner(&repository_, {.max_batch = 4, .batches_per_comune = 1});
  const auto answers = BookBehindAHeldOne(combiner, 10);
  for (const auto& answer : answers) EXPECT_OK(answer);
  size_t total = 0;
  for (size_t size : repository_.batch_sizes()) {
    EXPECT_LE(size, 4u);
    total += size;
  }
  // Every attempt was written once, in a batch or (the last, alone) by itself.
  EXPECT_EQ(repository_.Appointments().size(), 11u);
  EXPECT_LE(total, 10u);
}

TEST_F(BookingCombinerTest, ABatchThatFailsWholeSendsEachCallerBackAlone) {
  repository_.fail_batches = true;
  BookingCombiner combiner(&repository_, {.max_batch = 32, .batches_per_comune = 1});
  const auto answers = BookBehindAHeldOne(combiner, 5);
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(answers[i]);
    EXPECT_EQ(answers[i]->value->id, absl::StrCat("a", i + 1));
  }
  EXPECT_EQ(combiner.batches_failed(), 1);
  EXPECT_EQ(repository_.Appointments().size(), 6u);
}

TEST_F(BookingCombinerTest, ARetryInTheSameBatchWaitsForTheFirstsReply) {
  BookingCombiner combiner(&repository_, {.max_batch = 32, .batches_per_comune = 1});
  absl::Notification release;
  repository_.booking_gate = &release;
  const SchedulingRepository::BookingAttempt first = Attempt(0), twice = Attempt(1);
  std::thread held([&] { EXPECT_OK(combiner.Book(first).status()); });
  absl::StatusOr<pg::Created<Appointment>> one = absl::UnknownError(""), two = one;
  std::thread a([&] { one = combiner.Book(twice); });
  std::thread b([&] { two = combiner.Book(twice); });
  EXPECT_TRUE(Eventually([&] { return combiner.waiting() == 2; }));
  repository_.booking_gate = nullptr;
  release.Notify();
  held.join();
  a.join();
  b.join();
  ASSERT_OK(one);
  ASSERT_OK(two);
  // One booked, the other got its reply; never two batches with the same request id.
  EXPECT_EQ(one->value.has_value() + two->value.has_value(), 1);
  EXPECT_EQ(repository_.Appointments().size(), 2u);
}

TEST_F(BookingCombinerTest, ACallWaitingForItsBatchLeavesItsPlaceInTheServerToTheNext) {
  // A server that handles two calls at once: the held booking and one more.
  server::CallAdmission admission(
      {.concurrent = 2, .max_waiting = 16, .max_wait = absl::Seconds(30), .max_aside = 16});
  BookingCombiner combiner(&repository_, {.max_batch = 32, .batches_per_comune = 1});
  auto book_as_a_call = [&](const SchedulingRepository::BookingAttempt& attempt) {
    std::optional<server::CallAdmission::Permit> permit = admission.Enter(std::nullopt);
    EXPECT_TRUE(permit.has_value());
    const server::CallAdmission::Running running(&admission);
    return combiner.Book(attempt);
  };
  absl::Notification release;
  repository_.booking_gate = &release;
  const SchedulingRepository::BookingAttempt first = Attempt(0);
  std::thread held([&] { EXPECT_OK(book_as_a_call(first).status()); });
  ASSERT_TRUE(Eventually([&] { return admission.running() == 1; }));

  constexpr int kCallers = 6;
  std::vector<SchedulingRepository::BookingAttempt> attempts;
  for (int i = 1; i <= kCallers; ++i) attempts.push_back(Attempt(i));
  std::vector<absl::StatusOr<pg::Created<Appointment>>> answers(kCallers, absl::UnknownError(""));
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] { answers[i] = book_as_a_call(attempts[i]); });
  }
  // Every caller got in, three times the server's places, and waits aside for the batch.
  ASSERT_TRUE(Eventually([&] { return combiner.waiting() == kCallers; }));
  EXPECT_EQ(admission.aside(), kCallers);
  EXPECT_EQ(admission.running(), 1);
  EXPECT_EQ(admission.waiting(), 0);
  repository_.booking_gate = nullptr;
  release.Notify();
  held.join();
  for (std::thread& caller : callers) caller.join();

  for (const auto& answer : answers) EXPECT_OK(answer);
  EXPECT_THAT(repository_.batch_sizes(), ElementsAre(kCallers));
  EXPECT_EQ(admission.aside(), 0);
  EXPECT_EQ(admission.running(), 0);
}

TEST_F(BookingCombinerTest, ACallerWhoseDeadlinePassesInLineLeavesAndNothingIsBookedForIt) {
  BookingCombiner combiner(&repository_, {.max_batch = 32, .batches_per_comune = 1});
  absl::Notification release;
  repository_.booking_gate = &release;
  const SchedulingRepository::BookingAttempt first = Attempt(0), late = Attempt(1);
  std::thread held([&] { EXPECT_OK(combiner.Book(first).status()); });
  ASSERT_TRUE(Eventually([&] { return repository_.bookings_held.load() == 1; }));

  absl::StatusOr<pg::Created<Appointment>> answer = absl::UnknownError("");
  std::thread caller([&] {
    const clock::ScopedRequestDeadline deadline(std::chrono::steady_clock::now() +
                                                std::chrono::milliseconds(200));
    answer = combiner.Book(late);
  });
  ASSERT_TRUE(Eventually([&] { return combiner.waiting() == 1; }));
  // Its deadline passes while the comune's only batch is in the database; when that batch
  // ends, the caller would be the next writer.
  absl::SleepFor(absl::Milliseconds(400));
  repository_.booking_gate = nullptr;
  release.Notify();
  held.join();
  caller.join();
  EXPECT_THAT(answer, StatusIs(absl::StatusCode::kDeadlineExceeded, "DEADLINE_EXCEEDED"));
  EXPECT_EQ(combiner.waiting(), 0);
  ASSERT_EQ(repository_.Appointments().size(), 1u);
  EXPECT_EQ(repository_.Appointments().front().id, "a0");
}

TEST_F(BookingCombinerTest, ACallerWhoWouldGiveUpBeforeAWriteEndsIsAnsweredNotBooked) {
  BookingCombiner combiner(&repository_, {.max_batch = 32, .batches_per_comune = 1});
  absl::Notification release;
  repository_.booking_gate = &release;
  const SchedulingRepository::BookingAttempt first = Attempt(0), hurried = Attempt(1);
  std::thread held([&] { EXPECT_OK(combiner.Book(first).status()); });
  ASSERT_TRUE(Eventually([&] { return repository_.bookings_held.load() == 1; }));

  // The first write takes about 2 s (a quarter of it counts, smoothed, after no write at all:
  // 0.5 s); the caller behind it has 2.3 s in all, so when its turn comes it has about 0.3 s
  // left: less than a write takes.
  absl::StatusOr<pg::Created<Appointment>> answer = absl::UnknownError("");
  std::thread caller([&] {
    const clock::ScopedRequestDeadline deadline(std::chrono::steady_clock::now() +
                                                std::chrono::milliseconds(2300));
    answer = combiner.Book(hurried);
  });
  ASSERT_TRUE(Eventually([&] { return combiner.waiting() == 1; }));
  absl::SleepFor(absl::Seconds(2));
  repository_.booking_gate = nullptr;
  release.Notify();
  held.join();
  caller.join();
  EXPECT_THAT(answer, StatusIs(absl::StatusCode::kDeadlineExceeded, "DEADLINE_EXCEEDED"));
  ASSERT_EQ(repository_.Appointments().size(), 1u);
  EXPECT_EQ(combiner.waiting(), 0);
}

TEST_F(BookingCombinerTest, ABatchHasTheTimeOfItsMostPatientCaller) {
  BookingCombiner combiner(&repository_, {.max_batch = 32, .batches_per_comune = 1});
  absl::Notification release;
  repository_.booking_gate = &release;
  const SchedulingRepository::BookingAttempt first = Attempt(0);
  std::thread held([&] { EXPECT_OK(combiner.Book(first).status()); });
  ASSERT_TRUE(Eventually([&] { return repository_.bookings_held.load() == 1; }));

  // Whichever of them writes the batch, it has the patient caller's minute, not 5 s.
  constexpr int kCallers = 8;
  std::vector<SchedulingRepository::BookingAttempt> attempts;
  for (int i = 1; i <= kCallers; ++i) attempts.push_back(Attempt(i));
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      const clock::ScopedRequestDeadline deadline(
          std::chrono::steady_clock::now() +
          (i == 0 ? std::chrono::seconds(60) : std::chrono::seconds(5)));
      EXPECT_OK(combiner.Book(attempts[i]).status());
    });
  }
  ASSERT_TRUE(Eventually([&] { return combiner.waiting() == kCallers; }));
  repository_.booking_gate = nullptr;
  release.Notify();
  held.join();
  for (std::thread& caller : callers) caller.join();

  ASSERT_THAT(repository_.batch_sizes(), ElementsAre(kCallers));
  const std::optional<absl::Duration> left = repository_.batch_time_left().front();
  ASSERT_TRUE(left.has_value());
  EXPECT_GT(*left, absl::Seconds(30));
}

}  // namespace
}  // namespace sportelli::scheduling
