"""A desk manager closes a desk for a day through the tenants API, with the running tenants and
scheduling services (their outbox relays, Redis streams and the directory stream's tail): a
booking on that day is refused and its slots leave the listings at once, an appointment already
booked on it is listed as affected, and deleting the closure brings the slots back.

The caches' TTLs are set to an hour here, so only the change events can explain what the test
sees. The figures printed are the time from the closure's commit (the reply to CreateClosure) to
the first refusal; their distribution, against the 1 s goal, is measured by
bench/configuration_change.py (docs/benchmarks.md): a test asserts the behaviour, not timings.
"""

import datetime
import os
import sys
import tempfile
import time
import unittest
import uuid
import zoneinfo

import grpc

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

STUBS = tempfile.mkdtemp(prefix="sportelli-stubs-")
harness.generate_stubs(harness.fail_without("SPORTELLI_PROTO_DIR"), STUBS)

from google.type import date_pb2  # noqa: E402
from sportelli.scheduling.v1 import scheduling_service_pb2 as spb  # noqa: E402
from sportelli.scheduling.v1 import scheduling_service_pb2_grpc as spb_grpc  # noqa: E402
from sportelli.tenants.v1 import tenants_service_pb2 as tpb  # noqa: E402
from sportelli.tenants.v1 import tenants_service_pb2_grpc as tpb_grpc  # noqa: E402

ROME = zoneinfo.ZoneInfo("Europe/Rome")
TENANT = "capannori"
DESK = "tenants/capannori/desks/sede-centrale"
SERVICE = "tenants/capannori/services/ascolto-accoglienza"
# Far beyond any run of this test: a refusal can only come from the change events.
LONG_TTLS = {"SPORTELLI_TENANTS_CACHE_TTL": "1h"}
# What the test waits for at most: well under every TTL (the availability values' is 5 minutes).
PATIENCE_SECONDS = 10


def to_date(day):
    return date_pb2.Date(year=day.year, month=day.month, day=day.day)


class Scheduling:
    """The calls a desk manager's and an operator's screens make."""

    def __init__(self, stack):
        self.stack = stack
        self.tenants_channel = grpc.insecure_channel(f"127.0.0.1:{stack['tenants'].grpc_port}")
        self.scheduling_channel = grpc.insecure_channel(f"127.0.0.1:{stack['scheduling'].grpc_port}")
        self.tenants = tpb_grpc.TenantsServiceStub(self.tenants_channel)
        self.scheduling = spb_grpc.SchedulingServiceStub(self.scheduling_channel)
        self.citizens = 0

    def close(self):
        self.tenants_channel.close()
        self.scheduling_channel.close()

    def operator(self):
        return self.stack.metadata(TENANT, ["operator"])

    def admin(self):
        return self.stack.metadata(TENANT, ["tenant_admin"])

    def slots(self, first, last):
        return list(self.scheduling.ListAvailableSlots(
            spb.ListAvailableSlotsRequest(desk=DESK, service=SERVICE, start_date=to_date(first),
                                          end_date=to_date(last), channel=spb.CHANNEL_PHONE),
            metadata=self.operator(), timeout=10).slots)

    def book(self, start_time):
        """The appointment, or the grpc.RpcError that refused it."""
        self.citizens += 1
        appointment = spb.Appointment(
            desk=DESK, service=SERVICE, channel=spb.CHANNEL_PHONE,
            citizen=spb.Citizen(given_name="Maria", family_name="Rossi",
                                codice_fiscale=harness.codice_fiscale(self.citizens),
                                phone_number="+393331234567",
                                preferred_contact=spb.CONTACT_CHANNEL_SMS,
                                privacy_notice_acknowledged=True))
        appointment.start_time.CopyFrom(start_time)
        try:
            return self.scheduling.CreateAppointment(
                spb.CreateAppointmentRequest(parent=f"tenants/{TENANT}", appointment=appointment,
                                             request_id=str(uuid.uuid4())),
                metadata=self.operator(), timeout=10)
        except grpc.RpcError as error:
            return error

    def close_desk(self, day):
        closure = tpb.Closure(start_date=to_date(day), end_date=to_date(day), reason="Disinfestazione")
        return self.tenants.CreateClosure(
            tpb.CreateClosureRequest(parent=DESK, closure_id=f"e2e-{uuid.uuid4().hex[:8]}", closure=closure,
                                     request_id=str(uuid.uuid4())),
            metadata=self.admin(), timeout=10)

    def reopen_desk(self, closure):
        self.tenants.DeleteClosure(tpb.DeleteClosureRequest(name=closure.name), metadata=self.admin(),
                                   timeout=10)

    def affected(self, day):
        return list(self.scheduling.ListAffectedAppointments(
            spb.ListAffectedAppointmentsRequest(desk=DESK, start_date=to_date(day),
                                                end_date=to_date(day)),
            metadata=self.operator(), timeout=10).appointments)


def wait_until(condition):
    """Seconds until condition() held, polling; None if it never did within PATIENCE_SECONDS."""
    start = time.monotonic()
    while time.monotonic() - start < PATIENCE_SECONDS:
        if condition():
            return time.monotonic() - start
        time.sleep(0.01)
    return None


class ConfigurationChangeTest(unittest.TestCase):
    def setUp(self):
        self.stack = harness.Stack(services=("tenants", "scheduling"), environment=LONG_TTLS).__enter__()
        self.addCleanup(self.stack.__exit__, None, None, None)
        self.client = Scheduling(self.stack)
        self.addCleanup(self.client.close)

    def first_day_with_slots(self):
        """A future local day of the desk with at least three free slots, whatever today is."""
        today = datetime.datetime.now(ROME).date()
        for slot in self.client.slots(today, today + datetime.timedelta(days=27)):
            day = slot.start_time.ToDatetime(tzinfo=ROME).date()
            on_day = self.client.slots(day, day)
            if len(on_day) >= 3:
                return day, on_day
        self.fail("the seeded desk has no day with three free slots in the next four weeks")

    def test_a_closure_stops_bookings_and_listings_and_its_removal_restores_them(self):
        day, slots = self.first_day_with_slots()
        booked = self.client.book(slots[0].start_time)
        self.assertIsInstance(booked, spb.Appointment, f"booking before the closure: {booked}")
        self.assertGreaterEqual(len(self.client.slots(day, day)), 1)  # cached, as a portal sees it

        closure = self.client.close_desk(day)
        probes = iter(slots[1:] * 1000)

        def booking_refused():
            outcome = self.client.book(next(probes).start_time)
            if isinstance(outcome, spb.Appointment):
                return False  # the event had not arrived yet: a booking like any other
            if harness.error_reason(outcome) == "SLOT_FULL":
                return False  # the same, on a slot the earlier probes filled
            self.assertEqual(outcome.code(), grpc.StatusCode.INVALID_ARGUMENT, outcome.details())
            self.assertEqual(harness.error_reason(outcome), "NOT_A_SLOT")
            return True

        refused_after = wait_until(booking_refused)
        self.assertIsNotNone(refused_after, "bookings on the closed day were still accepted")
        unlisted_after = wait_until(lambda: self.client.slots(day, day) == [])
        self.assertIsNotNone(unlisted_after, "the closed day's slots were still listed")
        print(f"\nclosure -> booking refused after {refused_after * 1000:.0f} ms", file=sys.stderr)

        affected = self.client.affected(day)
        self.assertIn(booked.name, [appointment.name for appointment in affected])
        self.assertTrue(all(a.state == spb.APPOINTMENT_STATE_BOOKED for a in affected))
        # The desk's other days are not touched by this closure.
        other_day = day + datetime.timedelta(days=7)
        self.assertEqual(self.client.affected(other_day), [])

        self.client.reopen_desk(closure)
        listed_after = wait_until(lambda: len(self.client.slots(day, day)) > 0)
        self.assertIsNotNone(listed_after, "the slots did not come back after the closure was deleted")
        print(f"closure deleted -> slots listed again after {listed_after * 1000:.0f} ms", file=sys.stderr)
        rebooked = self.client.book(self.client.slots(day, day)[-1].start_time)
        self.assertIsInstance(rebooked, spb.Appointment, f"booking after the reopening: {rebooked}")
        self.assertEqual(self.client.affected(day), [])  # open again: nobody to call


if __name__ == "__main__":
    unittest.main(verbosity=2)
