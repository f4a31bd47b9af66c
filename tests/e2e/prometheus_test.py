"""A real Prometheus (Debian's) scrapes the running tenants service; the test reads, through
Prometheus' HTTP API, that the request counter rose after calls, and `promtool check metrics`
accepts the service's exposition."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

import grpc

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

STUBS = tempfile.mkdtemp(prefix="sportelli-stubs-")
harness.generate_stubs(harness.fail_without("SPORTELLI_PROTO_DIR"), STUBS)

from sportelli.tenants.v1 import tenants_service_pb2 as pb  # noqa: E402
from sportelli.tenants.v1 import tenants_service_pb2_grpc as pb_grpc  # noqa: E402

QUERY = 'sum(sportelli_grpc_server_handled_total{service="tenants",method="ListDesks",code="OK"})'


def http_get(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


class PrometheusTest(unittest.TestCase):
    def setUp(self):
        self.service = harness.TenantsProcess().__enter__()
        self.workdir = tempfile.mkdtemp(prefix="sportelli-prometheus-")
        self.prometheus_port = harness.free_port()
        config = os.path.join(self.workdir, "prometheus.yml")
        with open(config, "w") as f:
            f.write(f"""global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: tenants
    static_configs:
      - targets: ["127.0.0.1:{self.service.metrics_port}"]
""")
        self.log = open(os.path.join(self.workdir, "prometheus.log"), "w")
        self.prometheus = subprocess.Popen(
            ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={self.workdir}/data",
             f"--web.listen-address=127.0.0.1:{self.prometheus_port}"], stdout=self.log, stderr=self.log)

    def tearDown(self):
        self.prometheus.terminate()
        self.prometheus.wait(timeout=20)
        self.log.close()
        self.service.__exit__(None, None, None)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def query(self):
        url = f"http://127.0.0.1:{self.prometheus_port}/api/v1/query?" + urllib.parse.urlencode({"query": QUERY})
        try:
            result = json.loads(http_get(url))["data"]["result"]
        except OSError:
            return None
        return float(result[0]["value"][1]) if result else None

    def wait_for(self, predicate, timeout=40):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.5)
        return predicate()

    def call_list_desks(self, times):
        channel = grpc.insecure_channel(f"127.0.0.1:{self.service.grpc_port}")
        stub = pb_grpc.TenantsServiceStub(channel)
        metadata = (("authorization", "Bearer " + self.service.token("capannori", ["operator"])),)
        for _ in range(times):
            stub.ListDesks(pb.ListDesksRequest(parent="tenants/capannori"), metadata=metadata, timeout=5)
        channel.close()

    def test_counter_rises_after_calls_and_exposition_is_valid(self):
        self.call_list_desks(3)
        # A new target shows up after a few seconds: poll, never sleep a fixed time.
        before = self.wait_for(lambda: self.query() is not None and self.query())
        self.assertIsNotNone(before, "Prometheus never scraped the tenants service")
        self.assertGreaterEqual(before, 3)
        self.call_list_desks(5)
        after = self.wait_for(lambda: (self.query() or 0) >= before + 5 and self.query())
        self.assertGreaterEqual(after or 0, before + 5)

        exposition = http_get(f"http://127.0.0.1:{self.service.metrics_port}/metrics")
        checked = subprocess.run(["promtool", "check", "metrics"], input=exposition, capture_output=True)
        self.assertEqual(checked.returncode, 0, checked.stdout.decode() + checked.stderr.decode())


if __name__ == "__main__":
    unittest.main(verbosity=2)
