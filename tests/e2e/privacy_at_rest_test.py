"""A citizen books through the running services, is read back, listed and the booking retried;
then registered at the desk (intake) with a contact telling what they said; then neither a
pg_dump of the whole database nor any service's log holds the citizen's name, codice fiscale,
phone number, e-mail or words in clear (ARCHITECTURE.md §4.6, issue 8 §4, issue 9).

The dump is what a stolen backup would be: only the key-encryption key, which never enters the
database, opens it.
"""

import os
import subprocess
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

from clients import DeskManager, local_day  # noqa: E402
from google.type import date_pb2  # noqa: E402
from sportelli.intake.v1 import intake_service_pb2 as ipb  # noqa: E402
from sportelli.intake.v1 import intake_service_pb2_grpc as ipb_grpc  # noqa: E402
from sportelli.scheduling.v1 import scheduling_service_pb2 as spb  # noqa: E402

CITIZEN = spb.Citizen(given_name="Ottavia", family_name="Zanobini",
                      codice_fiscale=harness.codice_fiscale(4242),
                      phone_number="+393339876543", email="ottavia.zanobini@example.it",
                      preferred_contact=spb.CONTACT_CHANNEL_EMAIL,
                      privacy_notice_acknowledged=True)
WHAT_THEY_SAID = "Sfratto esecutivo a gennaio, tre figli minori"
PERSONAL = {"given name": CITIZEN.given_name, "family name": CITIZEN.family_name,
            "codice fiscale": CITIZEN.codice_fiscale, "phone number": CITIZEN.phone_number,
            "e-mail": CITIZEN.email, "contact's words": WHAT_THEY_SAID}


def found_in(text, value):
    """`value` in `text` as it is, in any case, or as the hex of its bytes (how pg_dump writes
    a bytea: a value serialized inside a bytea column would show that way)."""
    return value.lower() in text.lower() or value.encode().hex() in text.lower()


class PrivacyAtRestTest(unittest.TestCase):
    def setUp(self):
        self.stack = harness.Stack(services=("tenants", "scheduling", "intake"),
                                   environment={"SPORTELLI_LOG_LEVEL": "debug"}).__enter__()
        self.addCleanup(self.stack.__exit__, None, None, None)
        self.manager = DeskManager(self.stack)
        self.addCleanup(self.manager.close)

    def register_at_the_desk(self):
        """The operator registers the citizen in intake and records what they said."""
        channel = grpc.insecure_channel(f"127.0.0.1:{self.stack['intake'].grpc_port}")
        self.addCleanup(channel.close)
        intake = ipb_grpc.IntakeServiceStub(channel)
        operator = self.stack.metadata("capannori", ["operator"])
        person = intake.CreatePerson(ipb.CreatePersonRequest(
            parent="tenants/capannori", request_id=str(uuid.uuid4()),
            person=ipb.Person(given_name=CITIZEN.given_name, family_name=CITIZEN.family_name,
                              codice_fiscale=CITIZEN.codice_fiscale,
                              birth_date=date_pb2.Date(year=1980, month=1, day=1),
                              sex=ipb.SEX_MALE,  # as harness.codice_fiscale says
                              phone_number=CITIZEN.phone_number,
                              email=CITIZEN.email, privacy_notice_version="2026-01")),
            metadata=operator, timeout=10)
        contact = intake.CreateContact(ipb.CreateContactRequest(
            parent="tenants/capannori", request_id=str(uuid.uuid4()),
            contact=ipb.Contact(person=person.name, desk="tenants/capannori/desks/sede-centrale",
                                channel=ipb.CONTACT_CHANNEL_WALK_IN,
                                contact_time=timestamp_pb2.Timestamp(seconds=int(time.time())),
                                need_areas=[ipb.NEED_AREA_HOUSING],
                                information_given=WHAT_THEY_SAID,
                                outcome=ipb.CONTACT_OUTCOME_CASE_OPENED)),
            metadata=operator, timeout=10)
        read = intake.GetContact(ipb.GetContactRequest(name=contact.name), metadata=operator,
                                 timeout=10)
        self.assertEqual(read.information_given, WHAT_THEY_SAID)
        return person

    def dump(self):
        dsn = harness.with_options(self.stack.admin_dsn, dbname=self.stack.database)
        done = subprocess.run(["pg_dump", "--data-only", "--inserts", "-d", dsn],
                              capture_output=True, text=True, check=True)
        return done.stdout

    def test_neither_a_dump_nor_the_logs_hold_the_citizen_in_clear(self):
        day, slots = self.manager.days_with_slots(minimum_slots=1)[0]
        request_id = str(uuid.uuid4())
        booked = self.manager.book(slots[0].start_time, citizen=CITIZEN, request_id=request_id)
        self.assertIsInstance(booked, spb.Appointment, f"booking: {booked}")
        retried = self.manager.book(slots[0].start_time, citizen=CITIZEN, request_id=request_id)
        self.assertEqual(retried.SerializeToString(), booked.SerializeToString())
        self.assertEqual(self.manager.appointment(booked.name).citizen, CITIZEN)
        listed = self.manager.appointments(local_day(slots[0].start_time))
        self.assertIn(CITIZEN, [appointment.citizen for appointment in listed])

        person = self.register_at_the_desk()

        dump = self.dump()
        appointment_id = booked.name.rsplit("/", 1)[1]
        self.assertIn(appointment_id, dump, "the dump does not hold the booking at all")
        self.assertIn(person.name.rsplit("/", 1)[1], dump, "the dump does not hold the person")
        for what, value in PERSONAL.items():
            self.assertFalse(found_in(dump, value), f"the database dump holds the {what} in clear")
        for name in ("tenants", "scheduling", "intake"):
            log = self.stack[name].log_text()
            if name == "scheduling":  # the log is the access log: it did see the calls
                self.assertIn("CreateAppointment", log)
            if name == "intake":
                self.assertIn("CreateContact", log)
            for what, value in PERSONAL.items():
                self.assertFalse(found_in(log, value), f"{name}'s log holds the {what}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
