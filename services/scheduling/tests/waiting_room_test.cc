// The waiting room on the test Redis: places in order of arrival, one per citizen and shared by
// replicas; admission at the room's rate, in order; an admission that is the citizen's only,
// used once; and an admission not used in time passing to the next place.
#include "services/scheduling/waiting_room.h"

#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "sportelli/crypto/random.h"
#include "sportelli/status/errors.h"
#include "sportelli/testing/status_matchers.h"
#include "sportelli/testing/test_redis.h"

namespace sportelli::scheduling {
namespace {

using ::sportelli::testing::StatusIs;

class WaitingRoomTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(redis::RedisClient::Options options,
                         sportelli::testing::TestRedisOptions());
    ASSERT_OK_AND_ASSIGN(redis_, redis::RedisClient::Create(options));
  }
  std::unique_ptr<WaitingRoom> Room(double rate, absl::Duration ttl = absl::Minutes(5)) {
    return std::make_unique<WaitingRoom>(
        redis_.get(), &secret_, &clock::SystemClock::Instance(),
        WaitingRoom::Options{.admissions_per_second = rate, .admission_ttl = ttl});
  }
  static std::string Citizen(int n) { return absl::StrCat("blind index of citizen ", n); }

  std::unique_ptr<redis::RedisClient> redis_;
  const crypto::SecretKey secret_ = *crypto::SecretKey::Create(std::string(32, 'k'));
  // A comune of its own per test: tests running at once never share a line.
  const std::string tenant_ = absl::StrCat("wr-", absl::BytesToHexString(crypto::RandomBytes(6)));
};

TEST_F(WaitingRoomTest, PlacesFollowArrivalOnePerCitizenWhicheverReplicaAnswers) {
  std::unique_ptr<WaitingRoom> one = Room(1), other = Room(1);
  for (int i = 1; i <= 5; ++i) {
    ASSERT_OK_AND_ASSIGN(QueuePlace place, (i % 2 ? one : other)->Enter(tenant_, Citizen(i)));
    EXPECT_EQ(place.place, i);
    EXPECT_FALSE(place.admitted);
    EXPECT_EQ(place.ahead, i - 1);
    EXPECT_TRUE(place.admission.empty());
  }
  // Asking again, through either replica, keeps the place.
  ASSERT_OK_AND_ASSIGN(QueuePlace again, other->Enter(tenant_, Citizen(3)));
  EXPECT_EQ(again.place, 3);
  // One admission a second: the fifth waits about five seconds.
  ASSERT_OK_AND_ASSIGN(QueuePlace fifth, one->Enter(tenant_, Citizen(5)));
  EXPECT_GT(fifth.estimated_wait, absl::Seconds(3));
  EXPECT_LE(fifth.estimated_wait, absl::Seconds(5));
}

TEST_F(WaitingRoomTest, PlacesAreAdmittedAtTheRoomsRateInOrder) {
  std::unique_ptr<WaitingRoom> room = Room(20);
  for (int i = 1; i <= 10; ++i) ASSERT_OK(room->Enter(tenant_, Citizen(i)).status());
  absl::SleepFor(absl::Milliseconds(150));  // about three admissions at 20 a second
  int admitted = 0;
  bool gap = false;
  for (int i = 1; i <= 10; ++i) {
    ASSERT_OK_AND_ASSIGN(QueuePlace place, room->Enter(tenant_, Citizen(i)));
    if (place.admitted) {
      EXPECT_FALSE(gap) << "place " << i << " admitted after one still waiting";
      EXPECT_FALSE(place.admission.empty());
      EXPECT_GT(place.admission_left, absl::Minutes(4));
      ++admitted;
    } else {
      gap = true;
    }
  }
  EXPECT_GE(admitted, 1);
  EXPECT_LT(admitted, 10);
}

TEST_F(WaitingRoomTest, AnAdmissionIsTheCitizensOnlyAndServesOnce) {
  std::unique_ptr<WaitingRoom> room = Room(1000);
  ASSERT_OK(room->Enter(tenant_, Citizen(1)).status());
  absl::SleepFor(absl::Milliseconds(20));
  ASSERT_OK_AND_ASSIGN(QueuePlace place, room->Enter(tenant_, Citizen(1)));
  ASSERT_TRUE(place.admitted);
  EXPECT_OK(room->Check(tenant_, Citizen(1), place.admission));
  // Another citizen, another comune, a made-up or edited admission: refused.
  EXPECT_THAT(room->Check(tenant_, Citizen(2), place.admission),
              StatusIs(absl::StatusCode::kFailedPrecondition, "ADMISSION_REQUIRED"));
  EXPECT_THAT(room->Check("lucca", Citizen(1), place.admission),
              StatusIs(absl::StatusCode::kFailedPrecondition, "ADMISSION_REQUIRED"));
  for (const std::string& forged : {std::string("1.AAAAAAAAAAAAAAAAAAAAAA"), std::string("1"),
                                    std::string(""), absl::StrCat(place.admission, "x")}) {
    EXPECT_THAT(room->Check(tenant_, Citizen(1), forged),
                StatusIs(absl::StatusCode::kFailedPrecondition, "ADMISSION_REQUIRED"))
        << forged;
  }
  // Used for a booking: it does not serve again, and the citizen's next visit is a new place.
  ASSERT_OK(room->Consume(tenant_, Citizen(1), place.admission));
  EXPECT_THAT(room->Check(tenant_, Citizen(1), place.admission),
              StatusIs(absl::StatusCode::kFailedPrecondition, "ADMISSION_REQUIRED"));
  ASSERT_OK_AND_ASSIGN(QueuePlace next, room->Enter(tenant_, Citizen(1)));
  EXPECT_EQ(next.place, 2);
}

TEST_F(WaitingRoomTest, AnAdmissionNotUsedInTimePassesToTheNextPlace) {
  // One admission a second, each valid 100 ms.
  std::unique_ptr<WaitingRoom> room = Room(1, absl::Milliseconds(100));
  for (int i = 1; i <= 3; ++i) ASSERT_OK(room->Enter(tenant_, Citizen(i)).status());
  absl::SleepFor(absl::Milliseconds(1100));
  ASSERT_OK_AND_ASSIGN(QueuePlace first, room->Enter(tenant_, Citizen(1)));
  ASSERT_TRUE(first.admitted);
  ASSERT_OK_AND_ASSIGN(QueuePlace second, room->Enter(tenant_, Citizen(2)));
  EXPECT_FALSE(second.admitted);
  // The first lets its admission run out: the second is admitted now, not a second later.
  absl::SleepFor(absl::Milliseconds(200));
  ASSERT_OK_AND_ASSIGN(second, room->Enter(tenant_, Citizen(2)));
  EXPECT_TRUE(second.admitted);
  ASSERT_OK_AND_ASSIGN(QueuePlace third, room->Enter(tenant_, Citizen(3)));
  EXPECT_FALSE(third.admitted);
  EXPECT_THAT(room->Check(tenant_, Citizen(1), first.admission),
              StatusIs(absl::StatusCode::kFailedPrecondition, "ADMISSION_REQUIRED"));
  // The first citizen, back, goes to the end of the line.
  ASSERT_OK_AND_ASSIGN(QueuePlace back, room->Enter(tenant_, Citizen(1)));
  EXPECT_EQ(back.place, 4);
}

}  // namespace
}  // namespace sportelli::scheduling
