"""The operator's live feed across the running services: a booking committed by scheduling goes
through its outbox, the relay and Redis to the notifications service, and appears in
`sportelli-ctl watch` as it would on the operator app; when the notifications service is stopped
(SIGTERM) and started again, the watch resumes after the last event it printed: nothing lost,
nothing twice.
"""

import os
import queue
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

STUBS = tempfile.mkdtemp(prefix="sportelli-stubs-")
harness.generate_stubs(harness.fail_without("SPORTELLI_PROTO_DIR"), STUBS)

from clients import DESK, ROME, TENANT, DeskManager  # noqa: E402
from sportelli.scheduling.v1 import scheduling_service_pb2 as spb  # noqa: E402


class Watch:
    """`sportelli-ctl watch` running, its output lines queued as they come."""

    def __init__(self, stack, *args):
        ctl = os.path.join(stack.build_dir, "tools/ctl/sportelli-ctl")
        env = dict(os.environ,
                   SPORTELLI_NOTIFICATIONS_ADDR=f"127.0.0.1:{stack['notifications'].grpc_port}",
                   SPORTELLI_TOKEN=stack.token(TENANT, ["operator"]))
        self.process = subprocess.Popen([ctl, "watch", TENANT, "--heartbeats", *args], env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def next_line(self, containing, timeout=20):
        """The next line with `containing`; the lines skipped on the way are returned too."""
        skipped = []
        while True:
            line = self.lines.get(timeout=timeout)
            if line is None:
                raise AssertionError(f"watch ended before {containing!r}: {skipped}")
            if containing in line:
                return line, skipped
            skipped.append(line)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


class LiveFeedTest(unittest.TestCase):
    def setUp(self):
        self.stack = harness.Stack(services=("tenants", "scheduling", "notifications")).__enter__()
        self.addCleanup(self.stack.__exit__, None, None, None)
        self.manager = DeskManager(self.stack)
        self.addCleanup(self.manager.close)

    def test_a_booking_appears_in_the_watch_and_survives_a_restart(self):
        (day, slots), = self.manager.days_with_slots(3)[:1]
        watch = Watch(self.stack, "--desk", DESK.split("/")[-1])
        self.addCleanup(watch.stop)
        watch.next_line("(live)")

        booked = self.manager.book(slots[0].start_time)
        self.assertIsInstance(booked, spb.Appointment, booked)
        line, _ = watch.next_line(booked.name)
        self.assertIn("AppointmentBooked", line)
        self.assertIn("desk sede-centrale", line)
        # Its local start time, as the desk reads it.
        start = slots[0].start_time.ToDatetime(tzinfo=ROME).strftime("%Y-%m-%d %H:%M")
        self.assertIn(f"at {start}", line)

        # The replica stops (streams end with UNAVAILABLE), a booking commits meanwhile, and a
        # replica comes back: the watch resumes after its last event and prints the booking once.
        notifications = self.stack["notifications"]
        notifications.stop()
        self.assertEqual(notifications.exit_code, 0)
        second = self.manager.book(slots[1].start_time)
        self.assertIsInstance(second, spb.Appointment, second)
        notifications.start()
        line, skipped = watch.next_line(second.name, timeout=30)
        self.assertIn("AppointmentBooked", line)
        self.assertTrue(any("resuming" in s for s in skipped), skipped)
        self.assertFalse(any(booked.name in s for s in skipped), skipped)
        third = self.manager.book(slots[2].start_time)
        line, skipped = watch.next_line(third.name)
        self.assertFalse(any(second.name in s for s in skipped), skipped)


if __name__ == "__main__":
    unittest.main()
