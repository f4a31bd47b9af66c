#!/usr/bin/python3
"""A fake SMS provider over real HTTP, for the SMS channel's tests and the local stack.

    /usr/bin/python3 sms_provider.py --api-key KEY --secret SECRET [--port 0] [--log FILE]
        [--ignore-stdin]

It speaks the request/response shape that HttpSmsSender documents (sms_sender.h, docs/api.md):
POST /messages with a bearer key and JSON {to, from, text, reference, callback_url}; 202 with
{"id", "segments"}. A reference seen before is answered with its first id and not counted again
(an Idempotency-Key, as real providers do). After accepting, it posts a delivery receipt to the
message's callback_url, signed as sms_receipts.h documents (HMAC-SHA256 of "<timestamp>.<body>"
with --secret, written here independently of the service's code).

Prints the port it listens on as the first line of stdout (0: the kernel picks a free one), then
serves until stdin closes (the test went away) or SIGTERM. With --log, each accepted text is
also appended to FILE as one JSON line (scripts/up: the local stack's SMS land there).

The number's last four digits choose a behaviour, so that one provider serves every case:
    ...0400, ...0422   that HTTP status (a permanent failure)
    ...0429, ...0503   that HTTP status (a temporary failure)
    ...9999            no answer for --hang-seconds (the client times out)
    ...9998            the connection closed without an answer
    anything else      accepted
Control, for the tests:
    POST /control {"fail_next": [503, 503]}   the next requests answered with these statuses
                  {"receipt": "DELIVERED" | "FAILED" | "EXPIRED" | "none", "code": "30003",
                   "sign_secret": "...", "receipt_delay_ms": 0}
    GET /messages    what it accepted (JSON list), in order
    GET /receipts    the receipts it posted and the HTTP status each got back
"""

import argparse
import hashlib
import hmac
import http.server
import json
import os
import secrets
import signal
import socket
import sys
import threading
import time
import urllib.request


class Provider:
    def __init__(self, api_key, secret, hang_seconds, log):
        self.log = log
        self.api_key = api_key
        self.secret = secret
        self.hang_seconds = hang_seconds
        self.lock = threading.Lock()
        self.messages = []
        self.by_reference = {}
        self.receipts = []
        self.fail_next = []
        self.receipt = "DELIVERED"
        self.code = ""
        self.sign_secret = secret
        self.receipt_delay = 0.0

    def post_receipt(self, url, reference, provider_id, status, code, sign_secret, delay):
        time.sleep(delay)
        body = {"reference": reference, "id": provider_id, "status": status}
        if code:
            body["code"] = code
        data = json.dumps(body).encode()
        timestamp = str(int(time.time()))
        digest = hmac.new(sign_secret.encode(), timestamp.encode() + b"." + data,
                          hashlib.sha256).hexdigest()
        request = urllib.request.Request(url, data=data, method="POST", headers={
            "Content-Type": "application/json",
            "X-Sportelli-Timestamp": timestamp,
            "X-Sportelli-Signature": "v1=" + digest,
        })
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                answer = response.status
        except urllib.error.HTTPError as error:
            answer = error.code
        except OSError:
            answer = 0
        with self.lock:
            self.receipts.append({"reference": reference, "status": status, "http_status": answer})


def handler_for(provider):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, body=None):
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def read_json(self):
            length = int(self.headers.get("Content-Length", "0"))
            try:
                return json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                return None

        def do_GET(self):
            with provider.lock:
                if self.path == "/messages":
                    return self.reply(200, provider.messages)
                if self.path == "/receipts":
                    return self.reply(200, provider.receipts)
            self.reply(404, {"error": "not found"})

        def do_POST(self):
            body = self.read_json()
            if self.path == "/control":
                with provider.lock:
                    provider.fail_next = list(body.get("fail_next", provider.fail_next))
                    provider.receipt = body.get("receipt", provider.receipt)
                    provider.code = body.get("code", provider.code)
                    provider.sign_secret = body.get("sign_secret", provider.sign_secret)
                    provider.receipt_delay = body.get("receipt_delay_ms", 0) / 1000.0
                return self.reply(204)
            if self.path != "/messages":
                return self.reply(404, {"error": "not found"})
            if self.headers.get("Authorization") != "Bearer " + provider.api_key:
                return self.reply(401, {"error": "unauthorized"})
            if body is None or self.headers.get("Content-Type") != "application/json":
                return self.reply(400, {"error": "not JSON"})
            to = str(body.get("to", ""))
            if to.endswith("9999"):
                time.sleep(provider.hang_seconds)
                return self.reply(503, {"error": "too late"})
            if to.endswith("9998"):
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return None
            for suffix in ("0400", "0422", "0429", "0503"):
                if to.endswith(suffix):
                    return self.reply(int(suffix), {"error": "as asked"})
            with provider.lock:
                if provider.fail_next:
                    return self.reply(provider.fail_next.pop(0), {"error": "as asked"})
                reference = body.get("reference", "")
                if self.headers.get("Idempotency-Key") != reference:
                    return self.reply(400, {"error": "Idempotency-Key differs from reference"})
                if reference in provider.by_reference:
                    return self.reply(200, {"id": provider.by_reference[reference], "segments": 1})
                provider_id = "fake-" + secrets.token_hex(8)
                provider.by_reference[reference] = provider_id
                accepted = {
                    "to": to, "from": body.get("from"), "text": body.get("text"),
                    "reference": reference, "callback_url": body.get("callback_url"),
                    "id": provider_id,
                }
                provider.messages.append(accepted)
                if provider.log:
                    with open(provider.log, "a", encoding="utf-8") as log:
                        log.write(json.dumps(accepted, ensure_ascii=False) + "\n")
                receipt = (provider.receipt, provider.code, provider.sign_secret,
                           provider.receipt_delay)
            callback = body.get("callback_url")
            if callback and receipt[0] != "none":
                threading.Thread(target=provider.post_receipt, daemon=True,
                                 args=(callback, reference, provider_id) + receipt).start()
            self.reply(202, {"id": provider_id, "segments": 1})

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--hang-seconds", type=float, default=30)
    parser.add_argument("--log")
    # scripts/up: a background service, whose stdin is /dev/null; it stops on SIGTERM.
    parser.add_argument("--ignore-stdin", action="store_true")
    args = parser.parse_args()

    provider = Provider(args.api_key, args.secret, args.hang_seconds, args.log)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(provider))
    server.daemon_threads = True
    print(server.server_address[1], flush=True)

    def leave(*_):
        os._exit(0)

    signal.signal(signal.SIGTERM, leave)

    def watch_stdin():
        sys.stdin.buffer.read()
        os._exit(0)

    if not args.ignore_stdin:
        threading.Thread(target=watch_stdin, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
