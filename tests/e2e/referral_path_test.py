"""The path the desks exist for, through the three running services (issue 9 §2): a citizen
books (scheduling), is checked in at the desk, is listened to (intake: person and contact from
the appointment), taken in charge (case), the interview written down (note) and referred to the
comune's Punto Insieme; the Punto Insieme (a `partner` token) sees only what was shared and
accepts; the DPO then finds every one of those accesses in the audit trails and exports the
person's data.

Checking in needs the service's "now" inside the appointment's check-in window, hours or days
after a booking made with the minimum notice: scheduling is restarted with its clock moved to
ten minutes before the appointment (libfaketime, as scripts/test's SPORTELLI_TEST_FAKETIME;
monotonic clocks left alone), and the token it is shown then is minted for that moment; then it
is restarted on the real clock, for intake to read the appointment with the operator's token.
"""

import json
import os
import sys
import tempfile
import time
import unittest
import uuid

import grpc
from google.protobuf import timestamp_pb2

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

STUBS = tempfile.mkdtemp(prefix="sportelli-stubs-")
harness.generate_stubs(harness.fail_without("SPORTELLI_PROTO_DIR"), STUBS)

from clients import DESK, TENANT, DeskManager  # noqa: E402
from google.type import date_pb2  # noqa: E402
from sportelli.audit.v1 import audit_service_pb2 as apb  # noqa: E402
from sportelli.audit.v1 import audit_service_pb2_grpc as apb_grpc  # noqa: E402
from sportelli.intake.v1 import intake_service_pb2 as ipb  # noqa: E402
from sportelli.intake.v1 import intake_service_pb2_grpc as ipb_grpc  # noqa: E402
from sportelli.scheduling.v1 import scheduling_service_pb2 as spb  # noqa: E402
from sportelli.scheduling.v1 import scheduling_service_pb2_grpc as spb_grpc  # noqa: E402
from sportelli.tenants.v1 import tenants_service_pb2 as tpb  # noqa: E402
from sportelli.tenants.v1 import tenants_service_pb2_grpc as tpb_grpc  # noqa: E402

LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
OPERATOR = "operatrice-e2e"  # serves the desk (tenants' operators)
PARTNER = "punto-insieme-e2e"
PUNTO_INSIEME = f"tenants/{TENANT}/destinations/punto-insieme"  # seeded
CITIZEN = spb.Citizen(given_name="Ottavia", family_name="Zanobini",
                      codice_fiscale=harness.codice_fiscale(777), phone_number="+393339876543",
                      preferred_contact=spb.CONTACT_CHANNEL_SMS, privacy_notice_acknowledged=True)
LISTENING = "Ha perso il lavoro a settembre; affitto arretrato di tre mesi."
MESSAGE = "Disponibile il martedi mattina; preferisce essere chiamata."


class ReferralPathTest(unittest.TestCase):
    def setUp(self):
        self.stack = harness.Stack(services=("tenants", "scheduling", "intake")).__enter__()
        self.addCleanup(self.stack.__exit__, None, None, None)
        self.manager = DeskManager(self.stack)
        self.addCleanup(self.manager.close)
        self.channels = {}

    def stub(self, service, stub_class):
        if service not in self.channels:
            channel = grpc.insecure_channel(f"127.0.0.1:{self.stack[service].grpc_port}")
            self.addCleanup(channel.close)
            self.channels[service] = channel
        return stub_class(self.channels[service])

    def as_(self, roles, subject, at=None, **claims):
        """Metadata with a token of `subject`; `at`: the instant it is issued (a service whose
        clock was moved checks the token against that clock)."""
        now = int(at if at is not None else time.time())
        token = self.stack.token(TENANT, list(roles), sub=subject, iat=now, exp=now + 600, **claims)
        return (("authorization", "Bearer " + token),)

    def move_scheduling_clock_to(self, instant):
        """Restarts scheduling with its clock at `instant` (None: the real clock again)."""
        service = self.stack["scheduling"]
        service.stop()
        for variable in ("LD_PRELOAD", "FAKETIME", "FAKETIME_DONT_FAKE_MONOTONIC"):
            service.env.pop(variable, None)
        if instant is not None:
            service.env = dict(
                service.env, LD_PRELOAD=LIBFAKETIME,
                FAKETIME="@" + time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(instant)),
                FAKETIME_DONT_FAKE_MONOTONIC="1",
                ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")
        service.start()  # listening: its readiness (database, Redis) is checked by the call

    def test_book_check_in_listen_open_note_refer_accept_and_the_dpo_sees_it_all(self):
        tenants = self.stub("tenants", tpb_grpc.TenantsServiceStub)
        tenants.CreateOperator(tpb.CreateOperatorRequest(
            parent=f"tenants/{TENANT}", operator_id="operatrice-e2e", request_id=str(uuid.uuid4()),
            operator=tpb.Operator(display_name="Operatrice", subject=OPERATOR,
                                  roles=[tpb.OPERATOR_ROLE_OPERATOR], desks=[DESK])),
            metadata=self.manager.admin(), timeout=10)

        # 1. The citizen books by phone.
        _, slots = self.manager.days_with_slots(minimum_slots=1)[0]
        booked = self.manager.book(slots[0].start_time, citizen=CITIZEN)
        self.assertIsInstance(booked, spb.Appointment, f"booking: {booked}")

        # 2. Ten minutes before the appointment, the desk checks them in.
        at_the_desk = booked.start_time.seconds - 600
        self.move_scheduling_clock_to(at_the_desk)
        scheduling = self.stub("scheduling", spb_grpc.SchedulingServiceStub)
        checked_in = scheduling.CheckInAppointment(
            spb.CheckInAppointmentRequest(name=booked.name),
            metadata=self.as_(["operator"], OPERATOR, at=at_the_desk), timeout=10)
        self.assertEqual(checked_in.state, spb.APPOINTMENT_STATE_CHECKED_IN)
        self.move_scheduling_clock_to(None)  # intake reads it with tokens of the real clock

        # 3. The listening interview: person, contact from the appointment, case, note.
        intake = self.stub("intake", ipb_grpc.IntakeServiceStub)
        operator = self.as_(["operator"], OPERATOR)
        person = intake.CreatePerson(ipb.CreatePersonRequest(
            parent=f"tenants/{TENANT}", request_id=str(uuid.uuid4()),
            person=ipb.Person(
                given_name=CITIZEN.given_name, family_name=CITIZEN.family_name,
                codice_fiscale=CITIZEN.codice_fiscale,
                birth_date=date_pb2.Date(year=1980, month=1, day=1), sex=ipb.SEX_MALE,
                phone_number=CITIZEN.phone_number, privacy_notice_version="2026-01",
                consents=[ipb.Consent(kind=ipb.CONSENT_KIND_SHARE_WITH_REFERRAL_BODIES,
                                      granted=True)])),
            metadata=operator, timeout=10)
        # The contact opens pre-filled from the checked-in appointment (intake asks scheduling).
        draft = intake.PrefillContact(ipb.PrefillContactRequest(parent=f"tenants/{TENANT}",
                                                                appointment=booked.name),
                                      metadata=operator, timeout=10)
        self.assertEqual((draft.desk, draft.channel, draft.appointment, draft.person),
                         (DESK, ipb.CONTACT_CHANNEL_APPOINTMENT, booked.name, person.name))
        draft.need_areas.extend([ipb.NEED_AREA_WORK, ipb.NEED_AREA_HOUSING])
        draft.outcome = ipb.CONTACT_OUTCOME_CASE_OPENED
        contact = intake.CreateContact(ipb.CreateContactRequest(
            parent=f"tenants/{TENANT}", request_id=str(uuid.uuid4()), contact=draft),
            metadata=operator, timeout=10)
        self.assertEqual(contact.operator, OPERATOR)  # from the token
        case = intake.OpenCase(ipb.OpenCaseRequest(parent=f"tenants/{TENANT}", contact=contact.name,
                                                   request_id=str(uuid.uuid4())),
                               metadata=operator, timeout=10)
        note = intake.CreateNote(ipb.CreateNoteRequest(
            parent=case.name, request_id=str(uuid.uuid4()),
            note=ipb.Note(kind=ipb.NOTE_KIND_LISTENING, text=LISTENING)),
            metadata=operator, timeout=10)
        self.assertEqual(note.author, OPERATOR)

        # 4. The referral to the comune's Punto Insieme, sharing the name and the need areas.
        referral = intake.CreateReferral(ipb.CreateReferralRequest(
            parent=f"tenants/{TENANT}", request_id=str(uuid.uuid4()),
            referral=ipb.Referral(**{"case": case.name}, destination=PUNTO_INSIEME,
                                  shared_fields=[ipb.SHARED_FIELD_NAME, ipb.SHARED_FIELD_NEED_AREAS,
                                                 ipb.SHARED_FIELD_MESSAGE],
                                  message=MESSAGE)),
            metadata=operator, timeout=10)
        self.assertEqual(referral.state, ipb.REFERRAL_STATE_SENT)

        # 5. The Punto Insieme sees what was shared, nothing else, and accepts.
        partner = self.as_(["partner"], PARTNER, destination="punto-insieme")
        seen = intake.ListReferrals(ipb.ListReferralsRequest(parent=f"tenants/{TENANT}",
                                                             destination=PUNTO_INSIEME),
                                    metadata=partner, timeout=10).referrals
        self.assertEqual([r.name for r in seen], [referral.name])
        self.assertEqual(seen[0].shared.family_name, CITIZEN.family_name)
        self.assertEqual(list(seen[0].shared.need_areas),
                         [ipb.NEED_AREA_WORK, ipb.NEED_AREA_HOUSING])
        self.assertEqual(seen[0].shared.codice_fiscale, "")
        self.assertEqual(getattr(seen[0], "case"), "")
        with self.assertRaises(grpc.RpcError) as refused:
            intake.GetCase(ipb.GetCaseRequest(name=case.name), metadata=partner, timeout=10)
        self.assertEqual(refused.exception.code(), grpc.StatusCode.PERMISSION_DENIED)
        accepted = intake.AcceptReferral(ipb.AcceptReferralRequest(name=referral.name),
                                         metadata=partner, timeout=10)
        self.assertEqual(accepted.state, ipb.REFERRAL_STATE_ACCEPTED)

        # 6. The DPO: every access to this citizen, in each service's trail, and the export.
        dpo = self.as_(["dpo"], "dpo-e2e")
        audit = self.stub("intake", apb_grpc.AuditServiceStub)
        events = audit.ListAuditEvents(apb.ListAuditEventsRequest(
            parent=f"tenants/{TENANT}", codice_fiscale=CITIZEN.codice_fiscale, page_size=100),
            metadata=dpo, timeout=10).audit_events
        seen_accesses = {(e.subject, e.resource, e.data_class) for e in events}
        for expected in [(OPERATOR, person.name, "person.identity"),
                         (OPERATOR, contact.name, "contact.information"),
                         (OPERATOR, case.name, "case"),
                         (OPERATOR, note.name, "case.note"),
                         (OPERATOR, referral.name, "referral"),
                         (PARTNER, f"{PUNTO_INSIEME}/referrals", "referral.shared"),
                         (PARTNER, referral.name, "referral.shared")]:
            self.assertIn(expected, seen_accesses)
        booking_trail = self.stub("scheduling", apb_grpc.AuditServiceStub).ListAuditEvents(
            apb.ListAuditEventsRequest(parent=f"tenants/{TENANT}",
                                       codice_fiscale=CITIZEN.codice_fiscale, page_size=100),
            metadata=dpo, timeout=10).audit_events
        self.assertIn(booked.name, {e.resource for e in booking_trail})
        self.assertIn(OPERATOR, {e.subject for e in booking_trail})  # the check-in

        exported = json.loads(audit.ExportCitizenData(apb.ExportCitizenDataRequest(
            parent=f"tenants/{TENANT}", codice_fiscale=CITIZEN.codice_fiscale),
            metadata=dpo, timeout=10).json)
        [held] = exported["data"]["persons"]
        self.assertEqual(held["name"], person.name)
        self.assertEqual(held["contacts"][0]["appointment"], booked.name)
        self.assertEqual(held["cases"][0]["notes"][0]["text"], LISTENING)
        self.assertEqual(held["referrals"][0]["state"], "REFERRAL_STATE_ACCEPTED")
        self.assertEqual(held["referrals"][0]["shared"]["message"], MESSAGE)


if __name__ == "__main__":
    unittest.main(verbosity=2)
