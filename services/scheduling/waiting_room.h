// A fair waiting room for a comune's click day (issue 11 §3), kept in Redis so that every
// replica sees one line: citizens get places in order of arrival, one place per citizen; places
// are admitted at a steady rate (what the machine can commit); an admitted place holds an
// admission for a short time, and one not used in that time passes to the next in line.
//
//   WaitingRoom room(&redis, &secret, &clock, {.admissions_per_second = 50,
//                                              .admission_ttl = absl::Minutes(5)});
//   ASSIGN_OR_RETURN(QueuePlace place, room.Enter("lucca", citizen_index));
//   if (!place.admitted) ... tell the citizen place.ahead and place.estimated_wait; ask again later
//   RETURN_IF_ERROR(room.Check("lucca", citizen_index, place.admission));    // before booking
//   RETURN_IF_ERROR(room.Consume("lucca", citizen_index, place.admission));  // once booked
//
// How: one Redis hash per comune holds the last place given (`seq`) and the admission frontier
// (every place up to it is admitted), which moves at `admissions_per_second` on Redis's clock,
// each time anyone enters; a sorted set holds the admitted, unused places by the end of their
// admission. Places whose admission ended unused leave the set and move the frontier on by as
// many. Each call is one Lua script: atomic, one round trip, no clock but Redis's.
//
// Admissions are "<place>.<mac>": the MAC binds the place to the comune and the citizen (their
// blind index) under the service's secret key, so an admission cannot be made up or handed to
// another citizen; whether it is still valid is Redis's to say. Keys carry the tenant as a hash
// tag and hold no personal data: the citizen appears as an HMAC.
#ifndef SPORTELLI_SERVICES_SCHEDULING_WAITING_ROOM_H_
#define SPORTELLI_SERVICES_SCHEDULING_WAITING_ROOM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "sportelli/clock/clock.h"
#include "sportelli/crypto/secret_key.h"
#include "sportelli/redis/client.h"
#include "sportelli/redis/script.h"

namespace sportelli::scheduling {

struct QueuePlace {
  int64_t place = 0;  // 1 for the comune's first citizen, in order of arrival
  int64_t ahead = 0;  // places before this one still waiting for their admission
  bool admitted = false;
  // How long until the place is admitted, at the room's rate (0 once admitted).
  absl::Duration estimated_wait;
  // Once admitted: what HoldSlot and CreateAppointment require, and how long it stays valid.
  std::string admission;
  absl::Duration admission_left;
  absl::Time admission_expire_time;  // on the room's clock
};

class WaitingRoom final {
 public:
  struct Options {
    double admissions_per_second = 50;
    absl::Duration admission_ttl = absl::Minutes(5);
    // How long Redis keeps a comune's line after its last activity.
    absl::Duration keep = absl::Hours(24);
  };

  // `redis`, `secret` and `clock` must outlive the room. The clock only dates admissions for
  // clients; Redis's clock runs the line.
  WaitingRoom(redis::RedisClient* redis, const crypto::SecretKey* secret, const clock::Clock* clock,
              Options options);

  // The citizen's place in the comune's line: the one they have while it waits or holds an
  // unused admission, otherwise a new one at the back. UNAVAILABLE when Redis does not answer.
  absl::StatusOr<QueuePlace> Enter(const std::string& tenant, const std::string& citizen_index);

  // OK when `admission` is this citizen's, admitted, unused and not expired; FAILED_PRECONDITION
  // with reason ADMISSION_REQUIRED otherwise (the citizen must enter the line, or wait for their
  // turn). UNAVAILABLE when Redis does not answer.
  absl::Status Check(const std::string& tenant, const std::string& citizen_index,
                     absl::string_view admission);

  // The admission was used (a booking was made with it): its place leaves the line. A second
  // use is refused by Check. Consuming an unknown or used admission does nothing.
  absl::Status Consume(const std::string& tenant, const std::string& citizen_index,
                       absl::string_view admission);

 private:
  std::string AdmissionFor(const std::string& tenant, const std::string& citizen_index,
                           int64_t place) const;
  // The place an admission names when its MAC is this citizen's; 0 otherwise.
  int64_t PlaceOf(const std::string& tenant, const std::string& citizen_index,
                  absl::string_view admission) const;
  // The comune's keys: its line, its admitted places, and the citizen's place.
  std::vector<std::string> KeysOf(const std::string& tenant,
                                  const std::string& citizen_index) const;

  redis::RedisClient* const redis_;
  const crypto::SecretKey* const secret_;
  const clock::Clock* const clock_;
  const Options options_;
  redis::Script enter_;
  redis::Script check_;
};

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_WAITING_ROOM_H_
