// The events intake publishes through its outbox: identifiers and times, never personal data.
#ifndef SPORTELLI_SERVICES_INTAKE_OUTBOX_EVENTS_H_
#define SPORTELLI_SERVICES_INTAKE_OUTBOX_EVENTS_H_

#include "services/intake/domain/case.h"
#include "services/intake/domain/records.h"
#include "services/intake/domain/referral.h"
#include "sportelli/events/v1/events.pb.h"

namespace sportelli::intake {

// Stamped with the record's creation time, or `now` for a change.
events::v1::Event ContactRecordedEvent(const Contact& contact);
events::v1::Event CaseOpenedEvent(const Case& opened);
events::v1::Event CaseAssignedEvent(const Case& assigned, absl::Time now);
events::v1::Event CaseStateChangedEvent(const Case& moved, CaseState from, absl::Time now);
events::v1::Event ReferralSentEvent(const Referral& sent);
events::v1::Event ReferralStateChangedEvent(const Referral& moved, ReferralState from,
                                            absl::Time now);

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_OUTBOX_EVENTS_H_
