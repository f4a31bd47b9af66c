#include "services/intake/outbox_events.h"

#include "sportelli/api/names.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/events/outbox.h"

namespace sportelli::intake {

events::v1::Event ContactRecordedEvent(const Contact& contact) {
  events::v1::Event event = events::NewEvent(
      contact.tenant_id, api::ContactName{contact.tenant_id, contact.id}.ToString(),
      contact.create_time);
  events::v1::ContactRecorded* recorded = event.mutable_contact_recorded();
  recorded->set_desk(api::DeskName{contact.tenant_id, contact.desk_id}.ToString());
  api::ToTimestamp(contact.contact_time, recorded->mutable_contact_time());
  if (!contact.person_id.empty()) {
    recorded->set_person(api::PersonName{contact.tenant_id, contact.person_id}.ToString());
  }
  return event;
}

namespace {

events::v1::CaseState ToEventState(CaseState state) {
  // The events' enumerators are intake's in the same order, shifted by UNSPECIFIED.
  return static_cast<events::v1::CaseState>(static_cast<int>(state) + 1);
}

events::v1::Event CaseEnvelope(const Case& c, absl::Time time) {
  return events::NewEvent(c.tenant_id, api::CaseName{c.tenant_id, c.id}.ToString(), time);
}

std::string DeskOf(const Case& c) { return api::DeskName{c.tenant_id, c.desk_id}.ToString(); }

}  // namespace

events::v1::Event CaseOpenedEvent(const Case& opened) {
  events::v1::Event event = CaseEnvelope(opened, opened.create_time);
  events::v1::CaseOpened* payload = event.mutable_case_opened();
  payload->set_desk(DeskOf(opened));
  payload->set_person(api::PersonName{opened.tenant_id, opened.person_id}.ToString());
  return event;
}

events::v1::Event CaseAssignedEvent(const Case& assigned, absl::Time now) {
  events::v1::Event event = CaseEnvelope(assigned, now);
  events::v1::CaseAssigned* payload = event.mutable_case_assigned();
  payload->set_desk(DeskOf(assigned));
  payload->set_assignee(assigned.assignee);
  return event;
}

events::v1::Event CaseStateChangedEvent(const Case& moved, CaseState from, absl::Time now) {
  events::v1::Event event = CaseEnvelope(moved, now);
  events::v1::CaseStateChanged* payload = event.mutable_case_state_changed();
  payload->set_desk(DeskOf(moved));
  payload->set_from_state(ToEventState(from));
  payload->set_to_state(ToEventState(moved.state));
  return event;
}

namespace {

events::v1::Event ReferralEnvelope(const Referral& r, absl::Time time) {
  return events::NewEvent(r.tenant_id, api::ReferralName{r.tenant_id, r.id}.ToString(), time);
}

template <typename Payload>
void NameCaseAndDestination(const Referral& r, Payload* payload) {
  payload->set_case_(api::CaseName{r.tenant_id, r.case_id}.ToString());
  payload->set_destination(api::DestinationName{r.tenant_id, r.destination_id}.ToString());
}

events::v1::ReferralState ToEventState(ReferralState state) {
  return static_cast<events::v1::ReferralState>(static_cast<int>(state) + 1);
}

}  // namespace

events::v1::Event ReferralSentEvent(const Referral& sent) {
  events::v1::Event event = ReferralEnvelope(sent, sent.create_time);
  NameCaseAndDestination(sent, event.mutable_referral_sent());
  return event;
}

events::v1::Event ReferralStateChangedEvent(const Referral& moved, ReferralState from,
                                            absl::Time now) {
  events::v1::Event event = ReferralEnvelope(moved, now);
  events::v1::ReferralStateChanged* payload = event.mutable_referral_state_changed();
  NameCaseAndDestination(moved, payload);
  payload->set_from_state(ToEventState(from));
  payload->set_to_state(ToEventState(moved.state));
  return event;
}

}  // namespace sportelli::intake
