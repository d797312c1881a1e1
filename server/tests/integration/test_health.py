"""Health, metrics, the API contract and the CLI, on the engine named by VEZA_TEST_ENGINE."""

import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import BIN, ENGINE, REPO, ServerTestCase, VezaServer


class Health(ServerTestCase):
    def test_liveness(self):
        r = self.server.get("/health")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json(), {"status": "ok"})

    def test_deep_names_every_check(self):
        r = self.server.get("/health/deep")
        self.assertEqual(r.status, 200, r.body)
        doc = r.json()
        self.assertEqual(doc["status"], "ok")
        for name in ("database", "migrations", "object_storage", "disk"):
            self.assertEqual(doc["checks"][name]["status"], "ok", name)
        self.assertEqual(doc["checks"]["migrations"]["applied_version"],
                         doc["checks"]["migrations"]["embedded_version"])
        self.assertEqual(doc["config"]["database"].split(":")[0], "sqlite" if ENGINE == "sqlite" else "postgresql")
        self.assertNotIn("password", r.body.decode().lower())

    def test_metrics_exposition(self):
        self.server.get("/api/v1/instance")
        text = self.server.get("/metrics").body.decode()
        self.assertRegex(text, r'veza_http_requests_total\{[^}]*route="/api/v1/instance"[^}]*status="200"[^}]*\} \d+')
        self.assertIn("veza_http_request_duration_seconds_bucket", text)
        self.assertIn("veza_http_requests_in_flight", text)
        self.assertIn("veza_http_open_connections", text)
        self.assertIn("veza_db_pool_connections", text)
        self.assertIn("process_resident_memory_bytes", text)
        self.assertIn("process_open_fds", text)
        self.assertIn("process_cpu_seconds_total", text)
        # Raw paths never become labels: cardinality stays bounded.
        self.server.get("/api/v1/no/such/path/12345")
        self.assertNotIn("12345", self.server.get("/metrics").body.decode())

    def test_openapi_is_served(self):
        r = self.server.get("/api/v1/openapi.yaml")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.body.startswith(b"openapi: 3.1"))
        with open(os.path.join(REPO, "docs", "openapi.yaml"), "rb") as f:
            self.assertEqual(r.body, f.read())

    def test_instance(self):
        doc = self.server.get("/api/v1/instance").json()
        self.assertEqual(doc["name"], "veza")
        self.assertEqual(doc["database"], "sqlite" if ENGINE == "sqlite" else "postgresql")
        self.assertRegex(doc["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

    def test_access_log_is_json_lines_with_route_template(self):
        self.server.get("/api/v1/instance", headers={"X-Request-Id": "trace-me-1"})
        time.sleep(0.2)
        lines = [l for l in self.server.json_logs() if l.get("request_id") == "trace-me-1"]
        self.assertTrue(lines, "no access log line for the request")
        line = lines[-1]
        self.assertEqual(line["route"], "/api/v1/instance")
        self.assertEqual(line["status"], 200)
        self.assertEqual(line["method"], "GET")
        self.assertIn("duration_ms", line)


@unittest.skipUnless(ENGINE == "sqlite", "SQLite file fault")
class SqliteFault(unittest.TestCase):
    def test_unreadable_database_file_fails_deep_health_and_recovers(self):
        with VezaServer() as server:
            db = os.path.join(server.data_dir, "veza.db")
            self.assertEqual(server.get("/health/deep").status, 200)
            os.chmod(db, 0)
            try:
                r = server.get("/health/deep")
                self.assertEqual(r.status, 503, r.body)
                doc = r.json()
                self.assertIn("database", doc["failed"])
                self.assertIn("database", doc["error"]["message"])
                self.assertEqual(server.get("/health").status, 200)
            finally:
                os.chmod(db, 0o644)
            self.assertEqual(server.get("/health/deep").status, 200)


@unittest.skipUnless(ENGINE == "postgres", "PostgreSQL outage")
class PostgresOutage(unittest.TestCase):
    def test_stopped_postgres_fails_deep_health_and_recovers(self):
        work = tempfile.mkdtemp(prefix="veza-pg-outage-")
        os.chmod(work, 0o755)
        cluster = os.path.join(work, "pg")
        script = os.path.join(REPO, "scripts", "pg-test-cluster")
        url = subprocess.run([script, "start", cluster], check=True, capture_output=True, text=True,
                             timeout=120).stdout.strip().splitlines()[-1]
        try:
            with VezaServer(database_url=url) as server:
                self.assertEqual(server.get("/health/deep").status, 200)
                subprocess.run([script, "halt", cluster], check=True, timeout=60)
                r = server.get("/health/deep", timeout=30)
                self.assertEqual(r.status, 503, r.body)
                self.assertIn("database", r.json()["failed"])
                self.assertEqual(server.get("/health").status, 200)
                subprocess.run([script, "start", cluster], check=True, timeout=60)
                deadline = time.time() + 20
                status = None
                while time.time() < deadline:
                    status = server.get("/health/deep", timeout=30).status
                    if status == 200:
                        break
                    time.sleep(0.5)
                self.assertEqual(status, 200)
        finally:
            subprocess.run([script, "stop", cluster], timeout=60)
            shutil.rmtree(work, ignore_errors=True)


class Cli(unittest.TestCase):
    def run_veza(self, *args, env=None):
        e = dict(os.environ)
        e.update(env or {})
        return subprocess.run([BIN, *args], capture_output=True, text=True, env=e, timeout=60)

    def test_config_check_redacts_and_reports(self):
        r = self.run_veza("config", "check", "--database", "postgresql://u:hunter2@127.0.0.1:1/x")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("hunter2", r.stdout)
        self.assertIn("http.max_connections", r.stdout)

    def test_production_refuses_insecure_defaults_by_name(self):
        r = self.run_veza("serve", "--listen", "127.0.0.1:0", env={"VEZA_ENV": "production"})
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("secrets.jwt", r.stderr)
        self.assertIn("public_url", r.stderr)

    def test_migrate_then_status(self):
        data = tempfile.mkdtemp(prefix="veza-cli-")
        try:
            r = self.run_veza("migrate", "--data", data)
            self.assertEqual(r.returncode, 0, r.stderr)
            r = self.run_veza("migrate", "--status", "--data", data)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertRegex(r.stdout, r"schema version (\d+) \(binary knows \1\), 0 pending")
        finally:
            shutil.rmtree(data, ignore_errors=True)

    def test_changed_migration_stops_the_server_with_a_clear_message(self):
        data = tempfile.mkdtemp(prefix="veza-cli-")
        try:
            self.assertEqual(self.run_veza("migrate", "--data", data).returncode, 0)
            subprocess.run(["sqlite3", os.path.join(data, "veza.db"),
                            "UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 1"], check=True)
            r = self.run_veza("serve", "--listen", "127.0.0.1:0", "--data", data)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("changed after it was applied", r.stderr)
        finally:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
