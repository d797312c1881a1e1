"""Two `veza serve` nodes on one database and one Redis: sign-in failures counted on node A slow
sign-in on node B, the owner gets one mail per burst (in their language), and rate-limit buckets are
shared. Runs on PostgreSQL, and on one SQLite file shared by both processes."""

import os
import secrets
import shutil
import tempfile
import time
import unittest

from auth_helpers import FAST_FLAGS, JWT_SECRET, PASSWORD, outbox_entries
from harness import ENGINE, PG_URL, VezaServer, psql, with_database
from redis_helpers import RedisServer

# Default sign-in guard (5 free failures, then 1 s doubling), roomy per-request rate limits except a
# default-class bucket with almost no refill, so its remaining count shows who drew from it.
FLAGS = FAST_FLAGS + ("--set", "rate_limit.default.ip_burst=1000", "--set", "rate_limit.default.ip_per_second=0.001")


class TwoNodes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.redis = RedisServer().start()
        if cls.redis is None:
            raise unittest.SkipTest("redis-server is not installed (scripts/setup --test installs it)")
        cls.tmp = tempfile.mkdtemp(prefix="veza-it-cluster-")
        cls.pg_database = None
        try:
            cls.start_nodes()
        except Exception:
            cls.tearDownClass()  # unittest skips it when setUpClass fails: nothing may outlive the test
            raise

    @classmethod
    def start_nodes(cls):
        if ENGINE == "postgres":
            cls.pg_database = "veza_it_" + secrets.token_hex(6)
            psql(PG_URL, f"CREATE DATABASE {cls.pg_database}")
            url = with_database(PG_URL, cls.pg_database)
        else:
            url = "sqlite:" + os.path.join(cls.tmp, "shared.db")
        flags = FLAGS + ("--set", f"redis.url={cls.redis.url}")
        env = {"VEZA_SECRETS_JWT": JWT_SECRET}
        cls.a = VezaServer(flags=flags, env=env, database_url=url).start()  # migrates first
        cls.b = VezaServer(flags=flags, env=env, database_url=url).start()

    @classmethod
    def tearDownClass(cls):
        try:
            for node in ("b", "a"):
                if hasattr(cls, node):
                    getattr(cls, node).stop()
            if cls.pg_database:
                psql(PG_URL, f"DROP DATABASE IF EXISTS {cls.pg_database} WITH (FORCE)")
        finally:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            cls.redis.stop()

    def register(self, node, name, **extra):
        body = {"email": f"{name}@example.com", "username": name, "password": PASSWORD, **extra}
        r = node.request("POST", "/api/v1/auth/register", body=body)
        self.assertEqual(r.status, 201, r.body)

    def login(self, node, name, password=PASSWORD, ip="198.51.100.1"):
        return node.request("POST", "/api/v1/auth/login", body={"login": name, "password": password},
                            headers={"X-Forwarded-For": ip})

    def failure_mails(self, to):
        # The outbox is read through node A's admin CLI view of the shared database.
        return [e for e in outbox_entries(self.a) if e["to"] == to and "connexion" in e["subject"]]

    def test_failures_on_a_slow_sign_in_on_b_and_mail_once_per_burst(self):
        self.register(self.a, "guarded", language="fr")
        self.register(self.a, "bystander")
        for i in range(6):
            self.assertEqual(self.login(self.a, "guarded", "wrong-password-000", ip=f"198.51.100.{i + 1}").status, 401)
        blocked = self.login(self.b, "guarded", ip="203.0.113.50")
        self.assertEqual(blocked.status, 429, blocked.body)
        self.assertEqual(blocked.json()["error"]["code"], "too_many_attempts")
        self.assertEqual(self.login(self.b, "bystander", ip="198.51.100.1").status, 200)

        mails = self.failure_mails("guarded@example.com")
        self.assertEqual(len(mails), 1, mails)
        self.assertIn("Échecs de connexion", mails[0]["subject"])  # the user's language

        # More failures in the same burst, on B this time: no second mail.
        time.sleep(1.1)
        self.assertEqual(self.login(self.b, "guarded", "wrong-password-000").status, 401)
        self.assertEqual(len(self.failure_mails("guarded@example.com")), 1)

        # A success ends the burst; the next run of failures mails again.
        time.sleep(2.1)
        self.assertEqual(self.login(self.b, "guarded").status, 200)
        for _ in range(6):
            self.assertEqual(self.login(self.a, "guarded", "wrong-password-000").status, 401)
        self.assertEqual(len(self.failure_mails("guarded@example.com")), 2)

    def test_rate_limit_buckets_are_shared(self):
        headers = {"X-Forwarded-For": "203.0.113.77"}
        first = self.a.get("/api/v1/users/nobody-here", headers=headers)
        second = self.b.get("/api/v1/users/nobody-here", headers=headers)
        third = self.a.get("/api/v1/users/nobody-here", headers=headers)
        remaining = [int(r.header("ratelimit-remaining")) for r in (first, second, third)]
        self.assertEqual(remaining, [999, 998, 997])


if __name__ == "__main__":
    unittest.main()
