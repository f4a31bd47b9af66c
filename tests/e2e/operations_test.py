"""The operators' subcommands against a running stack, as a CronJob or a person runs them:
`maintain` (retention, its counts pushed to a Pushgateway) and `keys` (rotation, rewrap,
retirement, erasure of one citizen), with the service serving throughout.

The Pushgateway here is a plain HTTP server that records what it is sent: the test checks what
`maintain` pushes, not Prometheus's handling of it.
"""

import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

STUBS = tempfile.mkdtemp(prefix="sportelli-stubs-")
harness.generate_stubs(harness.fail_without("SPORTELLI_PROTO_DIR"), STUBS)

from clients import DeskManager  # noqa: E402
from sportelli.scheduling.v1 import scheduling_service_pb2 as spb  # noqa: E402


class Pushgateway(http.server.ThreadingHTTPServer):
    """Records (method, path, body) of every request and answers 200."""

    def __init__(self):
        self.received = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self):
                length = int(self.headers.get("Content-Length", 0))
                recorder.received.append((self.command, self.path, self.rfile.read(length).decode()))
                self.send_response(200)
                self.end_headers()

            do_PUT = do_POST = _record

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


class OperationsTest(unittest.TestCase):
    def setUp(self):
        self.stack = harness.Stack(services=("tenants", "scheduling")).__enter__()
        self.addCleanup(self.stack.__exit__, None, None, None)
        self.manager = DeskManager(self.stack)
        self.addCleanup(self.manager.close)

    def run_scheduling(self, *args, **env):
        service = self.stack["scheduling"]
        return subprocess.run([service.binary, *args], env=dict(service.env, **env),
                              capture_output=True, text=True, timeout=60)

    def log_lines(self, done):
        return [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]

    def test_maintain_reports_every_data_class_and_pushes_its_counts(self):
        day, slots = self.manager.days_with_slots(minimum_slots=1)[0]
        self.assertIsInstance(self.manager.book(slots[0].start_time), spb.Appointment)
        gateway = Pushgateway()
        self.addCleanup(gateway.shutdown)
        done = self.run_scheduling("maintain", "capannori", "lucca",
                                   SPORTELLI_PUSHGATEWAY_URL=f"http://127.0.0.1:{gateway.server_port}")
        self.assertEqual(done.returncode, 0, done.stderr)
        reported = {(line["tenant"], line["data_class"]) for line in self.log_lines(done)
                    if line.get("message") == "retention"}
        for tenant in ("capannori", "lucca"):
            for data_class in ("request_ids", "outbox", "holds", "capacity_locks", "appointments",
                               "citizen_keys", "audit_events"):
                self.assertIn((tenant, data_class), reported)
        self.assertEqual(len(gateway.received), 1)
        method, path, body = gateway.received[0]
        self.assertIn("/job/sportelli-maintain", path)
        self.assertIn("# TYPE sportelli_retention_rows_total counter", body)
        self.assertIn('sportelli_retention_rows_total{service="scheduling",data_class="appointments"} 0', body)
        # Nothing was due in a fresh stack, and the booking is still there.
        self.assertEqual(len(self.manager.appointments(day)), 1)

        # No comune named anywhere: refused before touching the database.
        refused = self.run_scheduling("maintain", SPORTELLI_COMUNI="")
        self.assertEqual(refused.returncode, 2)
        self.assertIn("SPORTELLI_COMUNI", refused.stderr)

    def test_keys_rotate_rewrap_retire_and_shred_one_citizen_while_serving(self):
        days = self.manager.days_with_slots(minimum_slots=2)
        _, slots = days[0]
        first = self.manager.book(slots[0].start_time)
        self.assertIsInstance(first, spb.Appointment)
        for args in (("keys", "rotate", "capannori"), ("keys", "rewrap", "capannori"),
                     ("keys", "retire", "capannori", "1")):
            done = self.run_scheduling(*args)
            self.assertEqual(done.returncode, 0, f"{args}: {done.stderr}")
        # The running service still reads the booking sealed before the rotation, and books.
        self.assertEqual(self.manager.appointment(first.name).citizen.family_name, "Rossi")
        second = self.manager.book(slots[1].start_time)
        self.assertIsInstance(second, spb.Appointment)

        code = self.manager.appointment(first.name).citizen.codice_fiscale
        done = self.run_scheduling("keys", "shred-citizen", "capannori", code)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertNotIn(code, done.stderr)  # never in a log
        self.assertFalse(self.manager.appointment(first.name).HasField("citizen"))
        self.assertEqual(self.manager.appointment(second.name).citizen.family_name, "Rossi")


if __name__ == "__main__":
    unittest.main(verbosity=2)
