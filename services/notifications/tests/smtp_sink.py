#!/usr/bin/python3
"""A real SMTP server on loopback for the e-mail channel's tests (Debian's python3-aiosmtpd).

    /usr/bin/python3 smtp_sink.py --dir DIR [--port 0] [--tls CERT KEY] [--slow-seconds 5]

Prints the port it listens on as the first line of stdout (choose 0: the kernel picks a free one,
so parallel tests never collide), then serves until stdin closes (the test, or the test process,
went away) or SIGTERM. Each accepted message is stored as DIR/<n>.eml (the bytes as received
after DATA, dot-unstuffed) and DIR/<n>.json: the envelope (mail_from, rcpt_tos), whether the
session was under TLS, and the subject and body as Python's email package decodes them (a
second, independent decoder next to the test's own).

The recipient's local part chooses the server's behaviour:
    temp-fail...  451 at RCPT TO         perm-fail...  550 at RCPT TO
    slow...       the reply to the end of DATA comes after --slow-seconds
With --tls, STARTTLS is offered with that certificate and required before MAIL FROM.

aiosmtpd's Controller is not used: its readiness probe connects to the configured port, which
fails for port 0; the server here is created on a socket bound before the port is printed.
"""

import argparse
import asyncio
import email
import email.policy
import json
import logging
import os
import signal
import socket
import ssl
import sys

from aiosmtpd.smtp import SMTP, TLSSetupException


class Sink:
    def __init__(self, directory, slow_seconds):
        self.directory = directory
        self.slow_seconds = slow_seconds
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("temp-fail"):
            return "451 4.3.0 Temporary failure, try again later"
        if local.startswith("perm-fail"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(r.split("@", 1)[0].lower().startswith("slow") for r in envelope.rcpt_tos):
            await asyncio.sleep(self.slow_seconds)
        raw = envelope.original_content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        try:
            body = parsed.get_content()
        except Exception as error:  # recorded for the test to fail on, not hidden
            body = None
            parsed.defects.append(error)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "parsed": {
                "subject": str(parsed["subject"]) if parsed["subject"] is not None else None,
                "body": body,
                "defects": [repr(d) for d in parsed.defects],
            },
        }
        self.count += 1
        base = os.path.join(self.directory, str(self.count))
        # The JSON last, by rename: the test waits for it and then finds the message complete.
        with open(base + ".eml", "wb") as f:
            f.write(raw)
        with open(base + ".json.tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(base + ".json.tmp", base + ".json")
        return "250 2.0.0 Message accepted for delivery"


class _QuietTlsRefusals(logging.Filter):
    """A client refusing the certificate is what some tests want: no traceback for it."""

    def filter(self, record):
        return not (record.exc_info and isinstance(record.exc_info[1], TLSSetupException))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--slow-seconds", type=float, default=5.0)
    args = parser.parse_args()
    logging.getLogger("mail.log").addFilter(_QuietTlsRefusals())

    tls_context = None
    if args.tls:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(*args.tls)

    sink = Sink(args.dir, args.slow_seconds)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))

    def session():
        return SMTP(
            sink,
            hostname="sink.test",
            tls_context=tls_context,
            require_starttls=tls_context is not None,
        )

    server = loop.run_until_complete(loop.create_server(session, sock=listener))
    print(listener.getsockname()[1], flush=True)

    stop = loop.create_future()

    def finish():
        if not stop.done():
            stop.set_result(None)

    loop.add_signal_handler(signal.SIGTERM, finish)
    loop.add_signal_handler(signal.SIGINT, finish)
    def read_stdin():
        # EOF: whoever started the sink is gone.
        if not os.read(sys.stdin.fileno(), 4096):
            finish()

    loop.add_reader(sys.stdin.fileno(), read_stdin)

    loop.run_until_complete(stop)
    server.close()
    # Sessions still open (a slow one sleeping) would keep the loop busy: leave without them.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
