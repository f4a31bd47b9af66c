"""A citizen's messages across the running services: a booking made through scheduling reaches
the notifications service through the outbox, the relay and Redis; its confirmation e-mail,
privacy-neutral and with the right local time, reaches a real SMTP server (Debian's aiosmtpd,
started here as scripts/up starts it), and its reminder is planned two days before the start.
A cancellation then sends its own message and drops the reminder.
"""

import datetime
import email
import email.policy
import mailbox
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

STUBS = tempfile.mkdtemp(prefix="sportelli-stubs-")
harness.generate_stubs(harness.fail_without("SPORTELLI_PROTO_DIR"), STUBS)

from clients import ROME, TENANT, DeskManager, wait_until  # noqa: E402
import grpc  # noqa: E402
from sportelli.notifications.v1 import notifications_service_pb2 as npb  # noqa: E402
from sportelli.notifications.v1 import notifications_service_pb2_grpc as npb_grpc  # noqa: E402
from sportelli.scheduling.v1 import scheduling_service_pb2 as spb  # noqa: E402

# Words that would tell whoever sees the citizen's screen what the appointment is about.
REVEALING = ("social", "assisten", "povert", "sussidi", "ascolto", "accoglienza")


class MailSink:
    """aiosmtpd keeping every message in a Maildir, as scripts/up runs it."""

    def __init__(self):
        # A path that does not exist yet: aiosmtpd makes the Maildir (new/, cur/, tmp/) there.
        self.directory = os.path.join(tempfile.mkdtemp(prefix="sportelli-mail-"), "mail")
        self.port = harness.free_port()
        self.process = subprocess.Popen(
            ["/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}",
             "-c", "aiosmtpd.handlers.Mailbox", self.directory],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        harness.wait_for_port(self.port, self.process, "aiosmtpd")

    def messages(self):
        return [email.message_from_bytes(bytes(m), policy=email.policy.default)
                for m in mailbox.Maildir(self.directory, create=False)]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


class CitizenMessagesTest(unittest.TestCase):
    def setUp(self):
        self.sink = MailSink()
        self.addCleanup(self.sink.stop)
        self.stack = harness.Stack(
            services=("tenants", "scheduling", "notifications"),
            environment={"SPORTELLI_COMUNI": TENANT,
                         "SPORTELLI_SMTP_URL": f"smtp://127.0.0.1:{self.sink.port}",
                         "SPORTELLI_SMTP_TLS": "none",
                         # At any hour the test runs (the quiet hours are the unit tests').
                         "SPORTELLI_QUIET_HOURS": "off",
                         "SPORTELLI_SMTP_FROM": "Comune di Capannori <noreply@capannori.invalid>",
                         "SPORTELLI_PORTAL_URL": "https://prenota.example.it"}).__enter__()
        self.addCleanup(self.stack.__exit__, None, None, None)
        self.manager = DeskManager(self.stack)
        self.addCleanup(self.manager.close)

    def messages_of(self, appointment):
        """"KIND STATE local-send-after" of the appointment's messages."""
        return self.stack.query(
            "SELECT kind || ' ' || state || ' ' || to_char(send_after AT TIME ZONE "
            "'Europe/Rome', 'YYYY-MM-DD HH24:MI') FROM notifications.messages WHERE "
            f"appointment_id = '{appointment.split('/')[-1]}' ORDER BY kind")

    def test_the_confirmation_arrives_and_the_reminder_is_planned(self):
        # At least three days ahead, so that the reminder has its two days.
        today = datetime.datetime.now(ROME).date()
        days = [d for d in self.manager.days_with_slots(1) if (d[0] - today).days >= 3]
        self.assertTrue(days, "no bookable day three or more days ahead")
        day, slots = days[0]
        citizen = spb.Citizen(given_name="Maria", family_name="Rossi",
                              codice_fiscale=harness.codice_fiscale(4242),
                              email="maria.rossi@example.it",
                              preferred_contact=spb.CONTACT_CHANNEL_EMAIL,
                              privacy_notice_acknowledged=True)
        booked = self.manager.book(slots[0].start_time, citizen=citizen)
        self.assertIsInstance(booked, spb.Appointment, booked)

        self.assertIsNotNone(wait_until(lambda: len(self.sink.messages()) == 1, 30),
                             (self.messages_of(booked.name),
                              self.stack["notifications"].log_text()[-3000:]))
        confirmation = self.sink.messages()[0]
        self.assertEqual(confirmation["To"], "maria.rossi@example.it")
        self.assertIn("Capannori", confirmation["Subject"])
        body = confirmation.get_content()
        start = slots[0].start_time.ToDatetime(tzinfo=ROME)
        self.assertIn(start.strftime("%H:%M"), body)
        self.assertIn(str(start.day), body)
        link = re.search(r"https://prenota\.example\.it/c/([a-z2-7]{10})\b", body)
        self.assertIsNotNone(link, body)
        text = (confirmation["Subject"] + " " + body).lower()
        for word in REVEALING:
            self.assertNotIn(word, text)
        self.assertNotIn("Rossi", body)  # nothing of the citizen but what they need

        # The reminder, two days before.
        reminder_at = (start - datetime.timedelta(hours=48)).astimezone(ROME)
        lines = self.messages_of(booked.name)
        self.assertEqual(len(lines), 2, lines)
        self.assertTrue(lines[0].startswith("CONFIRMATION DELIVERED "), lines)
        self.assertEqual(lines[1], "REMINDER CREATED " + reminder_at.strftime("%Y-%m-%d %H:%M"))
        # What the operator on the phone sees through the API.
        channel = grpc.insecure_channel(f"127.0.0.1:{self.stack['notifications'].grpc_port}")
        self.addCleanup(channel.close)
        notifications = npb_grpc.NotificationsServiceStub(channel)
        listed = notifications.ListNotifications(
            npb.ListNotificationsRequest(parent=f"tenants/{TENANT}", appointment=booked.name),
            metadata=self.manager.operator(), timeout=10).notifications
        self.assertEqual([(n.kind, n.state) for n in listed],
                         [(npb.NOTIFICATION_KIND_CONFIRMATION, npb.NOTIFICATION_STATE_DELIVERED),
                          (npb.NOTIFICATION_KIND_REMINDER, npb.NOTIFICATION_STATE_CREATED)])
        self.assertEqual(listed[1].send_time.ToDatetime(tzinfo=ROME), reminder_at)
        self.assertEqual(notifications.GetNotification(
            npb.GetNotificationRequest(name=listed[1].name), metadata=self.manager.operator(),
            timeout=10).name, listed[1].name)
        with self.assertRaises(grpc.RpcError) as denied:
            notifications.ListNotifications(
                npb.ListNotificationsRequest(parent=f"tenants/{TENANT}", appointment=booked.name),
                metadata=self.stack.metadata(TENANT, ["portal"]), timeout=10)
        self.assertEqual(denied.exception.code(), grpc.StatusCode.PERMISSION_DENIED)
        # The portal learns which appointment the message's short link names.
        resolved = notifications.GetCancelLink(
            npb.GetCancelLinkRequest(name=f"cancelLinks/{link.group(1)}"),
            metadata=self.stack.metadata(TENANT, ["portal"]), timeout=10)
        self.assertEqual(resolved.appointment, booked.name)

        # Cancelled: its own message, and the reminder will not go.
        self.manager.scheduling.CancelAppointment(
            spb.CancelAppointmentRequest(name=booked.name), metadata=self.manager.operator(),
            timeout=10)
        self.assertIsNotNone(wait_until(lambda: len(self.sink.messages()) == 2, 30))
        states = self.messages_of(booked.name)
        self.assertTrue(any(line.startswith("CANCELLATION DELIVERED") for line in states), states)
        self.assertTrue(any(line.startswith("REMINDER DROPPED") for line in states), states)


if __name__ == "__main__":
    unittest.main()
