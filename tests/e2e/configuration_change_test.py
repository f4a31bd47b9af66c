"""A desk manager closes a desk for a day through the tenants API, with the running tenants and
scheduling services (their outbox relays, Redis streams and the directory stream's tail): a
booking on that day is refused and its slots leave the listings at once, an appointment already
booked on it is listed as affected, and deleting the closure brings the slots back.

The caches' TTLs are set to an hour here, so only the change events can explain what the test
sees. The figures printed are the time from the closure's commit (the reply to CreateClosure) to
the first refusal; their distribution, against the 1 s goal, is measured by
bench/configuration_change.py (docs/benchmarks.md): a test asserts the behaviour, not timings.
"""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

STUBS = tempfile.mkdtemp(prefix="sportelli-stubs-")
harness.generate_stubs(harness.fail_without("SPORTELLI_PROTO_DIR"), STUBS)

from clients import DeskManager, wait_until  # noqa: E402
from sportelli.scheduling.v1 import scheduling_service_pb2 as spb  # noqa: E402

# Far beyond any run of this test: a refusal can only come from the change events.
LONG_TTLS = {"SPORTELLI_TENANTS_CACHE_TTL": "1h"}
# What the test waits for at most: well under every TTL (the availability values' is 5 minutes).
PATIENCE_SECONDS = 10


class ConfigurationChangeTest(unittest.TestCase):
    def setUp(self):
        self.stack = harness.Stack(services=("tenants", "scheduling"), environment=LONG_TTLS).__enter__()
        self.addCleanup(self.stack.__exit__, None, None, None)
        self.manager = DeskManager(self.stack)
        self.addCleanup(self.manager.close)

    def test_a_closure_stops_bookings_and_listings_and_its_removal_restores_them(self):
        days = self.manager.days_with_slots(minimum_slots=3, weeks=4)
        self.assertGreaterEqual(len(days), 2, "the seeded desk has not two days with free slots")
        (day, slots), (open_day, open_slots) = days[0], days[1]
        booked = self.manager.book(slots[0].start_time)
        self.assertIsInstance(booked, spb.Appointment, f"booking before the closure: {booked}")
        booked_elsewhere = self.manager.book(open_slots[0].start_time)
        self.assertIsInstance(booked_elsewhere, spb.Appointment)
        self.assertGreaterEqual(len(self.manager.slots(day, day)), 1)  # cached, as a portal sees it

        closure = self.manager.close_desk(day)
        refused_after = wait_until(lambda: self.manager.refused_as_closed(slots[1:]), PATIENCE_SECONDS)
        self.assertIsNotNone(refused_after, "bookings on the closed day were still accepted")
        unlisted_after = wait_until(lambda: self.manager.slots(day, day) == [], PATIENCE_SECONDS)
        self.assertIsNotNone(unlisted_after, "the closed day's slots were still listed")
        print(f"\nclosure -> booking refused after {refused_after * 1000:.0f} ms", file=sys.stderr)

        affected = self.manager.affected(day)
        self.assertIn(booked.name, [appointment.name for appointment in affected])
        self.assertTrue(all(a.state == spb.APPOINTMENT_STATE_BOOKED for a in affected))
        # A booking on a day the desk is still open for is not affected.
        self.assertEqual(self.manager.affected(open_day), [])

        self.manager.reopen_desk(closure)
        listed_after = wait_until(lambda: len(self.manager.slots(day, day)) > 0, PATIENCE_SECONDS)
        self.assertIsNotNone(listed_after, "the slots did not come back after the closure was deleted")
        print(f"closure deleted -> slots listed again after {listed_after * 1000:.0f} ms", file=sys.stderr)
        rebooked = self.manager.book(self.manager.slots(day, day)[-1].start_time)
        self.assertIsInstance(rebooked, spb.Appointment, f"booking after the reopening: {rebooked}")
        self.assertEqual(self.manager.affected(day), [])  # open again: nobody to call


if __name__ == "__main__":
    unittest.main(verbosity=2)
