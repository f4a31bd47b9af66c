"""Runs a real sportelli-tenants process for end-to-end tests written in Python.

A fresh database and application role on the throwaway PostgreSQL of scripts/test
(SPORTELLI_TEST_PG_ADMIN_DSN), a fresh ES256 key pair made with the openssl CLI, then
`migrate`, `seed` and `serve` on free ports, exactly as an operator would run them. Tokens are
minted with PyJWT, a second JWT implementation, so the tests also prove the service accepts
standard ES256 tokens and not only the ones our own C++ signer makes.
"""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import jwt  # PyJWT, Debian's python3-jwt

ISSUER = "https://idp.e2e.invalid"
AUDIENCE = "sportelli-e2e"



def fail_without(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"{name} is not set: run through scripts/test (a missing variable fails, never skips)")
    return value


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(admin_dsn, sql, dbname=None):
    dsn = admin_dsn if dbname is None else admin_dsn.replace("dbname=postgres", f"dbname={dbname}")
    subprocess.run(["psql", dsn, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], check=True)


def generate_stubs(proto_dir, out_dir):
    protos = ["sportelli/tenants/v1/tenants_service.proto", "grpc/health/v1/health.proto",
              "google/type/date.proto", "google/type/dayofweek.proto", "google/type/timeofday.proto",
              "google/rpc/status.proto", "google/rpc/error_details.proto"]
    subprocess.run(["protoc", f"-I{proto_dir}", "-I/usr/include", f"--python_out={out_dir}",
                    f"--grpc_python_out={out_dir}",
                    "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin", *protos], check=True)
    sys.path.insert(0, out_dir)


class TenantsProcess:
    """The service under test, with its database; a context manager that cleans up."""

    def __init__(self):
        self.admin_dsn = fail_without("SPORTELLI_TEST_PG_ADMIN_DSN")
        build_dir = fail_without("SPORTELLI_BUILD_DIR")
        self.binary = os.path.join(build_dir, "services/tenants/sportelli-tenants")
        self.workdir = tempfile.mkdtemp(prefix="sportelli-e2e-")
        suffix = secrets.token_hex(4)
        self.database = f"e2e_{suffix}"
        self.role = f"e2e_tenants_{suffix}"
        self.grpc_port = free_port()
        self.metrics_port = free_port()
        self.process = None
        self.log = None
        self.exit_code = None

    def __enter__(self):
        try:
            return self._start()
        except BaseException:
            self.__exit__(None, None, None)  # no orphaned server, database or key left behind
            raise

    def _start(self):
        psql(self.admin_dsn, f"CREATE DATABASE {self.database}")
        psql(self.admin_dsn, f"CREATE ROLE {self.role} LOGIN NOSUPERUSER NOBYPASSRLS")
        psql(self.admin_dsn, f"CREATE SCHEMA tenants AUTHORIZATION {self.role}", dbname=self.database)
        psql(self.admin_dsn, f"GRANT CREATE ON DATABASE {self.database} TO {self.role}")

        private_key = os.path.join(self.workdir, "private.pem")
        public_key = os.path.join(self.workdir, "public.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-out", private_key], check=True, capture_output=True)
        subprocess.run(["openssl", "pkey", "-in", private_key, "-pubout", "-out", public_key], check=True)
        with open(private_key) as f:
            self.private_key = f.read()

        dsn = self.admin_dsn.replace("dbname=postgres", f"dbname={self.database}").replace(
            "user=postgres", f"user={self.role}")
        self.env = dict(os.environ, SPORTELLI_PG_DSN=dsn, SPORTELLI_JWT_PUBLIC_KEY_FILE=public_key,
                        SPORTELLI_JWT_ISSUER=ISSUER, SPORTELLI_JWT_AUDIENCE=AUDIENCE,
                        SPORTELLI_GRPC_PORT=str(self.grpc_port), SPORTELLI_METRICS_PORT=str(self.metrics_port),
                        SPORTELLI_SHUTDOWN_GRACE="0s")
        for command in ("migrate", "seed"):
            subprocess.run([self.binary, command], env=self.env, check=True, capture_output=True)
        self.log = open(os.path.join(self.workdir, "tenants.log"), "w")
        self.process = subprocess.Popen([self.binary, "serve"], env=self.env, stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.grpc_port)) == 0:
                    return self
            if self.process.poll() is not None:
                raise RuntimeError(f"sportelli-tenants exited with {self.process.returncode}")
            time.sleep(0.1)
        raise RuntimeError("sportelli-tenants did not start listening")

    def __exit__(self, *exc):
        if self.process:
            self.exit_code = self.process.poll()  # set if it already died: the test then says so
            if self.exit_code is None:
                self.process.terminate()
                try:
                    self.exit_code = self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        if self.log:
            self.log.close()
        psql(self.admin_dsn, f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
        psql(self.admin_dsn, f"DROP ROLE IF EXISTS {self.role}")
        shutil.rmtree(self.workdir, ignore_errors=True)
        return False

    def token(self, tenant, roles, **overrides):
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "e2e", "tenant": tenant, "roles": roles,
                  "iat": now, "exp": now + 600}
        claims.update(overrides)
        return jwt.encode(claims, self.private_key, algorithm="ES256")
