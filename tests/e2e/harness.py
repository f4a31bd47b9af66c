"""Runs real service processes for end-to-end tests written in Python.

A Stack is what an operator runs, made fresh for one test: a database on the throwaway
PostgreSQL of scripts/test (SPORTELLI_TEST_PG_ADMIN_DSN) with, per service, its two roles (the
owner, used only by `migrate`, and the runtime role `serve` logs in as); a Redis server of its
own (streams and cache keys are named by comune, so two stacks sharing one Redis would see each
other's events); a fresh ES256 key pair and, with tls=True, a throwaway certificate authority
made with the openssl CLI; then `migrate`, `seed` (tenants), `seed-destinations` (intake) and
`serve` on free ports. Tokens are
minted with PyJWT, a second JWT implementation, so the tests also prove the services accept
standard ES256 tokens and not only the ones our own C++ signer makes.
"""

import base64
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
LEAD_TENANT = "capannori"


def fail_without(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"{name} is not set: run through scripts/test (a missing variable fails, never skips)")
    return value


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, process, name, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}")
        time.sleep(0.05)
    raise RuntimeError(f"{name} did not start listening on {port}")


def psql(dsn, sql):
    subprocess.run(["psql", dsn, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], check=True)


def with_options(dsn, **options):
    """`dsn` (libpq key=value) with some of its keys replaced."""
    pairs = dict(item.split("=", 1) for item in dsn.split())
    pairs.update(options)
    return " ".join(f"{key}={value}" for key, value in pairs.items())


_stubs_dir = None


def generate_stubs(proto_dir, out_dir):
    protos = ["sportelli/tenants/v1/tenants_service.proto",
              "sportelli/scheduling/v1/scheduling_service.proto",
              "sportelli/intake/v1/intake_service.proto", "sportelli/audit/v1/audit_service.proto",
              "sportelli/events/v1/events.proto",
              "sportelli/notifications/v1/notifications_service.proto",
              "grpc/health/v1/health.proto",
              "google/type/date.proto", "google/type/dayofweek.proto", "google/type/timeofday.proto",
              "google/rpc/status.proto", "google/rpc/error_details.proto"]
    subprocess.run(["protoc", f"-I{proto_dir}", "-I/usr/include", f"--python_out={out_dir}",
                    f"--grpc_python_out={out_dir}",
                    "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin", *protos], check=True)
    sys.path.insert(0, out_dir)
    global _stubs_dir
    _stubs_dir = out_dir


def health(channel, service=""):
    """The grpc.health.v1 status of `service` ("" is liveness) as its name, e.g. "SERVING".
    The generated grpc/health/v1 package would be shadowed by the grpc library itself: its
    message module is loaded from its file and the method called by its full name."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "health_pb2", os.path.join(_stubs_dir, "grpc/health/v1/health_pb2.py"))
    health_pb2 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(health_pb2)
    check = channel.unary_unary("/grpc.health.v1.Health/Check",
                                request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
                                response_deserializer=health_pb2.HealthCheckResponse.FromString)
    response = check(health_pb2.HealthCheckRequest(service=service), timeout=5)
    return health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)


class CertificateAuthority:
    """A throwaway CA and the certificates it signs (P-256, valid for a day)."""

    def __init__(self, directory):
        self.directory = directory
        self.ca_key = os.path.join(directory, "ca.key")
        self.ca_file = os.path.join(directory, "ca.pem")
        self._openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                      "-nodes", "-keyout", self.ca_key, "-out", self.ca_file, "-days", "1",
                      "-subj", "/CN=sportelli e2e CA")

    def issue(self, name):
        """(certificate file, key file) for `name`, good for a server on 127.0.0.1/localhost
        and for a client."""
        key = os.path.join(self.directory, f"{name}.key")
        request = os.path.join(self.directory, f"{name}.csr")
        cert = os.path.join(self.directory, f"{name}.pem")
        extensions = os.path.join(self.directory, f"{name}.ext")
        with open(extensions, "w") as f:
            f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                    "extendedKeyUsage=serverAuth,clientAuth\n")
        self._openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                      "-keyout", key, "-out", request, "-subj", f"/CN={name}")
        self._openssl("x509", "-req", "-in", request, "-CA", self.ca_file, "-CAkey", self.ca_key,
                      "-CAcreateserial", "-out", cert, "-days", "1", "-extfile", extensions)
        return cert, key

    @staticmethod
    def _openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True)


class ServiceProcess:
    """One `serve` process of the stack."""

    def __init__(self, name, binary, env, workdir):
        self.name = name
        self.binary = binary
        self.env = env
        self.grpc_port = int(env["SPORTELLI_GRPC_PORT"])
        self.metrics_port = int(env["SPORTELLI_METRICS_PORT"])
        self.health_port = int(env["SPORTELLI_HEALTH_PORT"])
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.log = None
        self.process = None
        self.exit_code = None

    def start(self):
        self.log = open(self.log_path, "a")
        self.process = subprocess.Popen([self.binary, "serve"], env=self.env, stdout=self.log,
                                        stderr=self.log)
        wait_for_port(self.grpc_port, self.process, f"sportelli-{self.name}")

    def stop(self):
        if self.process:
            self.exit_code = self.process.poll()  # set if it already died: the test then says so
            if self.exit_code is None:
                self.process.terminate()
                try:
                    self.exit_code = self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            self.process = None
        if self.log:
            self.log.close()
            self.log = None

    def log_text(self):
        with open(self.log_path) as f:
            return f.read()


class Stack:
    """The services named, with their database, Redis and keys; a context manager that cleans up.

    `environment` adds variables to every service's (the tests' tuning, e.g. cache TTLs)."""

    def __init__(self, services=("tenants",), tls=False, environment=None):
        self.admin_dsn = fail_without("SPORTELLI_TEST_PG_ADMIN_DSN")
        self.build_dir = fail_without("SPORTELLI_BUILD_DIR")
        self.service_names = list(services)
        self.tls = tls
        self.environment = dict(environment or {})
        self.workdir = tempfile.mkdtemp(prefix="sportelli-e2e-")
        self.database = f"e2e_{secrets.token_hex(4)}"
        self.roles = []
        self.services = {}
        self.redis = None
        self.redis_port = free_port()
        self.ca = None
        self.client_certificate = None  # (cert, key) for a test client, with tls=True

    def __enter__(self):
        try:
            self._start()
            return self
        except BaseException:
            self.__exit__(None, None, None)  # no orphaned server, database or key left behind
            raise

    def __getitem__(self, name):
        return self.services[name]

    def _start(self):
        psql(self.admin_dsn, f"CREATE DATABASE {self.database}")
        self._start_redis()
        common = self._common_environment()
        for name in self.service_names:
            owner_dsn, runtime_dsn = self._provision(name)
            binary = os.path.join(self.build_dir, f"services/{name}/sportelli-{name}")
            env = dict(common, SPORTELLI_GRPC_PORT=str(free_port()),
                       SPORTELLI_METRICS_PORT=str(free_port()),
                       SPORTELLI_HEALTH_PORT=str(free_port()))
            if self.tls:
                cert, key = self.ca.issue(name)
                env.update(SPORTELLI_TLS_CERT_FILE=cert, SPORTELLI_TLS_KEY_FILE=key,
                           SPORTELLI_TLS_CA_FILE=self.ca.ca_file)
            if name in ("scheduling", "intake"):  # personal data: its own two keys
                secret = os.path.join(self.workdir, f"{name}-secret.key")
                with open(secret, "wb") as f:
                    f.write(secrets.token_bytes(32))
                kek = os.path.join(self.workdir, f"{name}-kek")
                with open(kek, "w") as f:
                    f.write("1 " + base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
                env.update(SPORTELLI_SECRET_KEY_FILE=secret, SPORTELLI_KEK_FILE=kek,
                           SPORTELLI_TENANTS_ADDR=f"127.0.0.1:{self['tenants'].grpc_port}")
            if name == "notifications":  # desks named in a watch are looked up
                env["SPORTELLI_TENANTS_ADDR"] = f"127.0.0.1:{self['tenants'].grpc_port}"
                # Its identity towards scheduling (role notifier), signed with the key every
                # service of the stack trusts, as scripts/up does.
                env["SPORTELLI_SERVICE_KEY_FILE"] = os.path.join(self.workdir, "jwt-private.pem")
                if "scheduling" in self.services:
                    env["SPORTELLI_SCHEDULING_ADDR"] = f"127.0.0.1:{self['scheduling'].grpc_port}"
            if name == "intake" and "scheduling" in self.services:  # contacts from appointments
                env["SPORTELLI_SCHEDULING_ADDR"] = f"127.0.0.1:{self['scheduling'].grpc_port}"
            env.update(self.environment)
            # migrate as the owner, granting the runtime role; the rest as the runtime role.
            self._run(binary, "migrate", dict(env, SPORTELLI_PG_DSN=owner_dsn,
                                              SPORTELLI_PG_RUNTIME_ROLE=self._runtime_role(name)))
            env["SPORTELLI_PG_DSN"] = runtime_dsn
            if name == "tenants":
                self._run(binary, "seed", env)
            if name == "intake":  # each comune's referral catalog, as scripts/up seeds it
                self._run(binary, "seed-destinations", env, LEAD_TENANT)
            service = ServiceProcess(name, binary, env, self.workdir)
            self.services[name] = service
            service.start()

    def _common_environment(self):
        public_key = os.path.join(self.workdir, "jwt-public.pem")
        private_key = os.path.join(self.workdir, "jwt-private.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-out", private_key], check=True, capture_output=True)
        subprocess.run(["openssl", "pkey", "-in", private_key, "-pubout", "-out", public_key],
                       check=True)
        with open(private_key) as f:
            self.private_key = f.read()
        if self.tls:
            self.ca = CertificateAuthority(self.workdir)
            self.client_certificate = self.ca.issue("e2e-client")
        return dict(os.environ, SPORTELLI_JWT_PUBLIC_KEY_FILE=public_key, SPORTELLI_JWT_ISSUER=ISSUER,
                    SPORTELLI_JWT_AUDIENCE=AUDIENCE, SPORTELLI_LEAD_TENANT=LEAD_TENANT,
                    SPORTELLI_REDIS_ADDR=f"127.0.0.1:{self.redis_port}",
                    SPORTELLI_SHUTDOWN_GRACE="0s")

    def _runtime_role(self, service):
        return f"{self.database}_{service}"

    def _provision(self, service):
        """The service's two roles and its schema, as a DBA would make them; returns the DSNs."""
        runtime = self._runtime_role(service)
        owner = f"{runtime}_owner"
        for role in (runtime, owner):
            psql(self.admin_dsn, f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS")
            self.roles.append(role)
            psql(self.admin_dsn, f"GRANT CONNECT ON DATABASE {self.database} TO {role}")
        database_dsn = with_options(self.admin_dsn, dbname=self.database)
        psql(database_dsn, f"CREATE SCHEMA {service} AUTHORIZATION {owner}")
        return with_options(database_dsn, user=owner), with_options(database_dsn, user=runtime)

    def _run(self, binary, command, env, *args):
        done = subprocess.run([binary, command, *args], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{os.path.basename(binary)} {command} exited with {done.returncode}:\n"
                               f"{done.stdout}{done.stderr}")

    def _start_redis(self):
        redis_dir = os.path.join(self.workdir, "redis")
        os.mkdir(redis_dir)
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--dir", redis_dir,
             "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.redis_port, self.redis, "redis-server")

    def __exit__(self, *exc):
        for service in reversed(list(self.services.values())):
            service.stop()
        if self.redis:
            self.redis.terminate()
            self.redis.wait(timeout=20)
        psql(self.admin_dsn, f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
        for role in self.roles:
            psql(self.admin_dsn, f"DROP ROLE IF EXISTS {role}")
        shutil.rmtree(self.workdir, ignore_errors=True)
        return False

    def token(self, tenant, roles, **overrides):
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "e2e", "tenant": tenant, "roles": roles,
                  "iat": now, "exp": now + 600}
        claims.update(overrides)
        return jwt.encode(claims, self.private_key, algorithm="ES256")

    def query(self, sql):
        """The rows of `sql` in the stack's database, as the superuser (row-level security does
        not apply): one string per row, columns separated by '|'."""
        out = subprocess.run(["psql", with_options(self.admin_dsn, dbname=self.database), "-v",
                              "ON_ERROR_STOP=1", "-qAt", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [line for line in out.splitlines() if line]

    def metadata(self, tenant, roles):
        return (("authorization", "Bearer " + self.token(tenant, list(roles))),)


class TenantsProcess(Stack):
    """The tenants service alone, as the first end-to-end tests use it."""

    def __init__(self):
        super().__init__(services=("tenants",))

    @property
    def grpc_port(self):
        return self["tenants"].grpc_port

    @property
    def metrics_port(self):
        return self["tenants"].metrics_port

    @property
    def exit_code(self):
        return self["tenants"].exit_code


def error_reason(error):
    """The google.rpc.ErrorInfo reason of a grpc.RpcError, or None (needs generate_stubs)."""
    from google.rpc import error_details_pb2, status_pb2
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                info = error_details_pb2.ErrorInfo()
                if detail.Unpack(info):
                    return info.reason
    return None


_CF_ODD = dict(zip("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                   [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18,
                    20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]))


def codice_fiscale(n):
    """A distinct valid codice fiscale for each n (the surname letters vary, the rest is fixed)."""
    letters = "".join(chr(ord("A") + (n // 26 ** i) % 26) for i in range(3))
    code = letters + "MRA80A01H501"
    total = 0
    for position, char in enumerate(code):
        if position % 2 == 0:  # the 1st, 3rd, ... characters
            total += _CF_ODD[char]
        else:
            total += int(char) if char.isdigit() else ord(char) - ord("A")
    return code + chr(ord("A") + total % 26)
