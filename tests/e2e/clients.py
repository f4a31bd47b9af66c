"""What a desk manager's and an operator's screens do, against a running harness.Stack: shared
by the end-to-end tests and bench/configuration_change.py. Import after
harness.generate_stubs (it uses the generated modules)."""

import datetime
import time
import uuid
import zoneinfo

import grpc

import harness
from google.type import date_pb2
from sportelli.scheduling.v1 import scheduling_service_pb2 as spb
from sportelli.scheduling.v1 import scheduling_service_pb2_grpc as spb_grpc
from sportelli.tenants.v1 import tenants_service_pb2 as tpb
from sportelli.tenants.v1 import tenants_service_pb2_grpc as tpb_grpc

ROME = zoneinfo.ZoneInfo("Europe/Rome")
TENANT = "capannori"
# The seeded main office of Capannori: open every weekday morning, capacity 2.
DESK = "tenants/capannori/desks/sede-centrale"
SERVICE = "tenants/capannori/services/ascolto-accoglienza"


def to_date(day):
    return date_pb2.Date(year=day.year, month=day.month, day=day.day)


def local_day(timestamp):
    return timestamp.ToDatetime(tzinfo=ROME).date()


def wait_until(condition, patience_seconds):
    """Seconds until condition() held, polling; None if it never did within the patience."""
    start = time.monotonic()
    while time.monotonic() - start < patience_seconds:
        if condition():
            return time.monotonic() - start
        time.sleep(0.005)
    return None


class DeskManager:
    """Closes and reopens the desk (tenants) and books, lists and checks it (scheduling), as
    Capannori's staff: `tenant_admin` for the directory, `operator` for bookings (phone line)."""

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

    def days_with_slots(self, minimum_slots, weeks=8):
        """Future local days of the desk with at least `minimum_slots` free slots, whatever
        today is, each with its slots."""
        today = datetime.datetime.now(ROME).date()
        by_day = {}
        for week in range(weeks):
            first = today + datetime.timedelta(days=7 * week)
            for slot in self.slots(first, first + datetime.timedelta(days=6)):
                by_day.setdefault(local_day(slot.start_time), []).append(slot)
        return [(day, slots) for day, slots in sorted(by_day.items()) if len(slots) >= minimum_slots]

    def book(self, start_time, citizen=None, request_id=None):
        """The appointment, or the grpc.RpcError that refused it. Unless `citizen` is given, each
        booking is for another citizen, so the per-citizen limit never answers instead of the
        desk. The same `request_id` again is a retry."""
        self.citizens += 1
        if citizen is None:
            citizen = spb.Citizen(given_name="Maria", family_name="Rossi",
                                  codice_fiscale=harness.codice_fiscale(self.citizens),
                                  phone_number="+393331234567",
                                  preferred_contact=spb.CONTACT_CHANNEL_SMS,
                                  privacy_notice_acknowledged=True)
        appointment = spb.Appointment(desk=DESK, service=SERVICE, channel=spb.CHANNEL_PHONE,
                                      citizen=citizen)
        appointment.start_time.CopyFrom(start_time)
        try:
            return self.scheduling.CreateAppointment(
                spb.CreateAppointmentRequest(parent=f"tenants/{TENANT}", appointment=appointment,
                                             request_id=request_id or str(uuid.uuid4())),
                metadata=self.operator(), timeout=10)
        except grpc.RpcError as error:
            return error

    def appointment(self, name):
        return self.scheduling.GetAppointment(spb.GetAppointmentRequest(name=name),
                                              metadata=self.operator(), timeout=10)

    def appointments(self, day):
        return list(self.scheduling.ListAppointments(
            spb.ListAppointmentsRequest(desk=DESK, date=to_date(day)), metadata=self.operator(),
            timeout=10).appointments)

    def close_desk(self, day):
        closure = tpb.Closure(start_date=to_date(day), end_date=to_date(day), reason="Disinfestazione")
        return self.tenants.CreateClosure(
            tpb.CreateClosureRequest(parent=DESK, closure_id=f"chiusura-{uuid.uuid4().hex[:8]}",
                                     closure=closure, request_id=str(uuid.uuid4())),
            metadata=self.admin(), timeout=10)

    def reopen_desk(self, closure):
        self.tenants.DeleteClosure(tpb.DeleteClosureRequest(name=closure.name), metadata=self.admin(),
                                   timeout=10)

    def affected(self, day):
        return list(self.scheduling.ListAffectedAppointments(
            spb.ListAffectedAppointmentsRequest(desk=DESK, start_date=to_date(day),
                                                end_date=to_date(day)),
            metadata=self.operator(), timeout=10).appointments)

    def refused_as_closed(self, slots):
        """A probe: books the next of `slots` (round robin); True when refused because the desk
        is not open then (NOT_A_SLOT), False when booked or full (the change had not arrived);
        raises on any other answer."""
        self._probe = getattr(self, "_probe", -1) + 1
        outcome = self.book(slots[self._probe % len(slots)].start_time)
        if isinstance(outcome, spb.Appointment):
            return False
        reason = harness.error_reason(outcome)
        if reason == "SLOT_FULL":
            return False
        if outcome.code() == grpc.StatusCode.INVALID_ARGUMENT and reason == "NOT_A_SLOT":
            return True
        raise AssertionError(f"unexpected answer to a booking: {outcome.code()} {reason} {outcome.details()}")
