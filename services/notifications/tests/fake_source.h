// What the messages' tests put in place of scheduling and tenants (the appointments as they
// are now, and one desk in Capannori, on Rome's clock) and of the SMTP server.
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_TESTS_FAKE_SOURCE_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_TESTS_FAKE_SOURCE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "services/notifications/appointment_source.h"
#include "services/notifications/email_sender.h"
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

// What the SMTP server was handed, and what it answers next.
class RecordingEmail final : public EmailSender {
 public:
  SendResult Send(const Email& email) override {
    if (!answers.empty()) {
      SendResult next = answers.front();
      answers.erase(answers.begin());
      if (next.outcome != SendOutcome::kAccepted) return next;
    }
    sent.push_back(email);
    return {SendOutcome::kAccepted, ""};
  }
  std::vector<Email> sent;
  std::vector<SendResult> answers;
};

}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_TESTS_FAKE_SOURCE_H_
