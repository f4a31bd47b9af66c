"""A client in another language — Python with Debian's grpcio — calls the running tenants
service over the network: health (liveness and readiness), reflection-free typed stubs generated
from our protos, ListDesks with an ES256 token minted by PyJWT, and the error model (status code
plus google.rpc.ErrorInfo in the details) as a Python client sees it."""

import os
import sys
import tempfile
import time
import unittest

import grpc

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402

STUBS = tempfile.mkdtemp(prefix="sportelli-stubs-")
harness.generate_stubs(harness.fail_without("SPORTELLI_PROTO_DIR"), STUBS)

from sportelli.tenants.v1 import tenants_service_pb2 as pb  # noqa: E402
from sportelli.tenants.v1 import tenants_service_pb2_grpc as pb_grpc  # noqa: E402


class PythonClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.service = harness.TenantsProcess().__enter__()
        cls.channel = grpc.insecure_channel(f"127.0.0.1:{cls.service.grpc_port}")
        cls.stub = pb_grpc.TenantsServiceStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.service.__exit__(None, None, None)
        # SIGTERM: NOT_SERVING, grace, Shutdown(deadline), exit 0.
        assert cls.service.exit_code == 0, f"exit code {cls.service.exit_code}"

    def metadata(self, tenant="capannori", roles=("operator",)):
        return (("authorization", "Bearer " + self.service.token(tenant, list(roles))),)

    def test_health_liveness_and_readiness(self):
        self.assertEqual(harness.health(self.channel), "SERVING")
        # Readiness turns SERVING once PostgreSQL answers: poll as a Kubernetes probe would.
        deadline = time.time() + 15
        while True:
            ready = harness.health(self.channel, "sportelli.tenants.v1.TenantsService")
            if ready == "SERVING" or time.time() > deadline:
                break
            self.assertEqual(ready, "NOT_SERVING")
            time.sleep(0.1)
        self.assertEqual(ready, "SERVING")

    def test_list_desks_with_a_token(self):
        response = self.stub.ListDesks(pb.ListDesksRequest(parent="tenants/capannori"),
                                       metadata=self.metadata(), timeout=5)
        names = [desk.name for desk in response.desks]
        self.assertEqual(names, ["tenants/capannori/desks/casa-salute-marlia",
                                 "tenants/capannori/desks/san-leonardo-in-treponzio",
                                 "tenants/capannori/desks/sede-centrale"])
        marlia = response.desks[0]
        self.assertEqual(marlia.booking_mode, pb.BOOKING_MODE_APPOINTMENT_ONLY)
        self.assertTrue(len(marlia.opening_hours) > 0)

    def test_missing_token_is_unauthenticated(self):
        with self.assertRaises(grpc.RpcError) as caught:
            self.stub.ListDesks(pb.ListDesksRequest(parent="tenants/capannori"), timeout=5)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAUTHENTICATED)

    def test_hs256_token_is_unauthenticated(self):
        forged = harness.jwt.encode({"iss": harness.ISSUER, "aud": harness.AUDIENCE, "sub": "x", "tenant": "capannori",
                                     "roles": ["tenant_admin"], "exp": 4102444800}, "secret", algorithm="HS256")
        with self.assertRaises(grpc.RpcError) as caught:
            self.stub.ListDesks(pb.ListDesksRequest(parent="tenants/capannori"),
                                metadata=(("authorization", "Bearer " + forged),), timeout=5)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAUTHENTICATED)

    def test_other_tenant_is_denied_with_a_reason(self):
        with self.assertRaises(grpc.RpcError) as caught:
            self.stub.ListDesks(pb.ListDesksRequest(parent="tenants/capannori"),
                                metadata=self.metadata(tenant="lucca"), timeout=5)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.PERMISSION_DENIED)
        self.assertEqual(harness.error_reason(caught.exception), "TENANT_MISMATCH")


if __name__ == "__main__":
    unittest.main(verbosity=2)
