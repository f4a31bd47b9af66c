// What the messages' tests put in place of scheduling and tenants: the appointments as they
// are now, and one desk in Capannori, on Rome's clock.
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_TESTS_FAKE_SOURCE_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_TESTS_FAKE_SOURCE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "services/notifications/appointment_source.h"
#include "sportelli/status/errors.h"

namespace sportelli::notifications {

inline absl::TimeZone Rome() {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/Rome", &zone));
  return zone;
}

inline absl::Time Local(int y, int mo, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), Rome());
}

class FakeSource final : public AppointmentSource {
 public:
  absl::StatusOr<AppointmentNow> Appointment(const std::string& tenant,
                                             const std::string& id) override {
    ++reads;
    if (unavailable) return status::Unavailable("scheduling");
    auto found = appointments.find(tenant + "/" + id);
    if (found == appointments.end()) return status::NotFound("appointment");
    return found->second;
  }
  absl::StatusOr<Place> PlaceOf(const std::string&, const std::string&) override {
    return Place{"Capannori", "Piazza Aldo Moro 1, 55012 Capannori", Rome()};
  }

  absl::StatusOr<std::vector<std::string>> AffectedAppointments(const std::string& tenant,
                                                                const std::string& desk_id,
                                                                absl::CivilDay first,
                                                                absl::CivilDay last) override {
    if (unavailable) return status::Unavailable("scheduling");
    std::vector<std::string> ids;
    for (const auto& [key, appointment] : appointments) {
      const absl::CivilDay day = absl::ToCivilDay(appointment.start, Rome());
      if (key.rfind(tenant + "/", 0) == 0 && appointment.desk_id == desk_id && appointment.booked &&
          day >= first && day <= last) {
        ids.push_back(key.substr(tenant.size() + 1));
      }
    }
    return ids;
  }

  std::map<std::string, AppointmentNow> appointments;
  bool unavailable = false;
  int reads = 0;
};

}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_TESTS_FAKE_SOURCE_H_
