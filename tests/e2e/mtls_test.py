"""Tenants and scheduling run with mutual TLS from certificate files signed by a throwaway CA
(made with the openssl CLI), as the prod overlay runs them: a client with a certificate of that
CA is served, including a call that makes scheduling call tenants over mTLS; a client without a
certificate, one with a certificate of another CA and a plaintext client are refused; the health
port stays plaintext for the kubelet's probes."""

import datetime
import os
import shutil
import sys
import tempfile
import unittest
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



def read(path):
    with open(path, "rb") as f:
        return f.read()


class MutualTlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = harness.Stack(services=("tenants", "scheduling"), tls=True).__enter__()
        cls.ca = read(cls.stack.ca.ca_file)
        cert, key = cls.stack.client_certificate
        cls.client_credentials = grpc.ssl_channel_credentials(
            root_certificates=cls.ca, private_key=read(key), certificate_chain=read(cert))
        # Another CA's certificate: well-formed, but not one the services trust.
        cls.stranger_dir = tempfile.mkdtemp(prefix="sportelli-stranger-ca-")
        stranger_cert, stranger_key = harness.CertificateAuthority(cls.stranger_dir).issue("stranger")
        cls.stranger_credentials = grpc.ssl_channel_credentials(
            root_certificates=cls.ca, private_key=read(stranger_key),
            certificate_chain=read(stranger_cert))

    @classmethod
    def tearDownClass(cls):
        cls.stack.__exit__(None, None, None)
        shutil.rmtree(cls.stranger_dir, ignore_errors=True)
        for name in ("tenants", "scheduling"):
            assert cls.stack[name].exit_code == 0, f"{name} exit code {cls.stack[name].exit_code}"

    def address(self, service):
        return f"localhost:{self.stack[service].grpc_port}"

    def list_desks(self, credentials):
        with grpc.secure_channel(self.address("tenants"), credentials) as channel:
            stub = tpb_grpc.TenantsServiceStub(channel)
            return stub.ListDesks(tpb.ListDesksRequest(parent="tenants/capannori"),
                                  metadata=self.stack.metadata("capannori", ["operator"]), timeout=5)

    def test_a_client_with_a_certificate_of_the_ca_is_served_across_both_services(self):
        self.assertEqual(len(self.list_desks(self.client_credentials).desks), 3)
        # ListAvailableSlots makes scheduling ask tenants for the desk: service to service, mTLS.
        today = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Rome")).date()
        last = today + datetime.timedelta(days=13)
        with grpc.secure_channel(self.address("scheduling"), self.client_credentials) as channel:
            stub = spb_grpc.SchedulingServiceStub(channel)
            response = stub.ListAvailableSlots(
                spb.ListAvailableSlotsRequest(
                    desk="tenants/capannori/desks/sede-centrale",
                    service="tenants/capannori/services/ascolto-accoglienza",
                    start_date=date_pb2.Date(year=today.year, month=today.month, day=today.day),
                    end_date=date_pb2.Date(year=last.year, month=last.month, day=last.day),
                    channel=spb.CHANNEL_PHONE),
                metadata=self.stack.metadata("capannori", ["operator"]), timeout=10)
        self.assertGreater(len(response.slots), 0)  # two weeks of a desk open every weekday

    def test_a_client_without_a_certificate_is_refused(self):
        with self.assertRaises(grpc.RpcError) as caught:
            self.list_desks(grpc.ssl_channel_credentials(root_certificates=self.ca))
        self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAVAILABLE)

    def test_a_certificate_of_another_ca_is_refused(self):
        with self.assertRaises(grpc.RpcError) as caught:
            self.list_desks(self.stranger_credentials)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAVAILABLE)

    def test_a_plaintext_client_is_refused(self):
        with grpc.insecure_channel(self.address("tenants")) as channel:
            with self.assertRaises(grpc.RpcError) as caught:
                tpb_grpc.TenantsServiceStub(channel).ListDesks(
                    tpb.ListDesksRequest(parent="tenants/capannori"),
                    metadata=self.stack.metadata("capannori", ["operator"]), timeout=5)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAVAILABLE)

    def test_the_health_port_stays_plaintext_for_the_probes(self):
        for name in ("tenants", "scheduling"):
            with grpc.insecure_channel(f"127.0.0.1:{self.stack[name].health_port}") as channel:
                self.assertEqual(harness.health(channel), "SERVING", name)


if __name__ == "__main__":
    unittest.main(verbosity=2)
