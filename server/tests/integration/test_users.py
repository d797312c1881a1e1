"""Profiles: GET /users/{username}, GET/PATCH /users/me with validation and private profiles."""

import unittest

from auth_helpers import IdentityTestCase


class Profiles(IdentityTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tokens = {}
        for name in ("owner", "viewer"):
            r = cls.server.request("POST", "/api/v1/auth/register",
                                   body={"email": f"{name}@example.com", "username": name,
                                         "password": "tangerine-koala-88"})
            cls.tokens[name] = r.json()["access_token"]

    def patch(self, body, who="owner"):
        return self.authed("PATCH", "/api/v1/users/me", self.tokens[who], body=body)

    def test_me_shows_account_fields(self):
        r = self.authed("GET", "/api/v1/users/me", self.tokens["owner"])
        self.assertEqual(r.status, 200)
        me = r.json()
        for key in ("id", "username", "email", "email_verified", "language", "role", "bio", "social_links",
                    "is_private", "avatar_url", "banner_url", "created_at"):
            self.assertIn(key, me)
        self.assertIsNone(me["avatar_url"])

    def test_patch_every_field_and_read_back(self):
        body = {"display_name": "Owner Name", "bio": "b" * 1000, "location": "Lyon", "website": "https://owner.example",
                "social_links": [{"platform": "spotify", "url": "https://open.spotify.com/artist/1"},
                                 {"platform": "bandcamp", "url": "https://owner.bandcamp.com"},
                                 {"platform": "x", "url": "https://x.com/owner"}],
                "language": "fr"}
        r = self.patch(body)
        self.assertEqual(r.status, 200, r.body)
        doc = r.json()
        for key, value in body.items():
            self.assertEqual(doc[key], value, key)
        public = self.server.get("/api/v1/users/OWNER").json()
        self.assertEqual(public["bio"], "b" * 1000)
        self.assertEqual(len(public["social_links"]), 3)
        self.assertNotIn("email", public)
        self.assertNotIn("language", public)
        # Partial updates leave the rest alone.
        self.assertEqual(self.patch({"location": "Paris"}).json()["bio"], "b" * 1000)

    def test_validation(self):
        cases = [
            ({"bio": "b" * 1001}, "bio"),
            ({"display_name": "d" * 51}, "display_name"),
            ({"display_name": ""}, "display_name"),
            ({"location": "l" * 101}, "location"),
            ({"website": "http://owner.example"}, "website"),
            ({"website": "javascript:alert(1)"}, "website"),
            ({"language": "de"}, "language"),
            ({"is_private": "yes"}, "is_private"),
            ({"social_links": [{"platform": "spotify", "url": "http://open.spotify.com/a"}]}, "social_links[0]"),
            ({"social_links": [{"platform": "myspace", "url": "https://myspace.com/a"}]}, "social_links[0]"),
            ({"social_links": [{"platform": "spotify", "url": "https://evil.example/x"}]}, "social_links[0]"),
            ({"social_links": [{"platform": "x"}]}, "social_links[0].url"),
            ({"social_links": ["https://x.com/a"]}, "social_links[0]"),
            ({"social_links": [{"platform": "x", "url": "https://x.com/a"}] * 11}, "social_links"),
            ({"email": "new@example.com"}, "email"),
            ({"role": "admin"}, "role"),
        ]
        for body, field in cases:
            err = self.assertEnvelope(self.patch(body), 422)
            self.assertIn(field, err["fields"], (body, err))
        self.assertEqual(self.authed("GET", "/api/v1/users/me", self.tokens["owner"]).json()["role"], "admin")

    def test_private_profile_shows_strangers_only_name_avatar_banner(self):
        self.assertEqual(self.patch({"is_private": True, "bio": "secret bio"}, who="viewer").status, 200)
        anon = self.server.get("/api/v1/users/viewer").json()
        self.assertEqual(set(anon), {"id", "username", "display_name", "avatar_url", "banner_url", "is_private"})
        other = self.authed("GET", "/api/v1/users/viewer", self.tokens["owner"]).json()
        self.assertNotIn("bio", other)
        self_view = self.authed("GET", "/api/v1/users/viewer", self.tokens["viewer"]).json()
        self.assertEqual(self_view["bio"], "secret bio")
        self.assertEqual(self.patch({"is_private": False}, who="viewer").status, 200)
        self.assertEqual(self.server.get("/api/v1/users/viewer").json()["bio"], "secret bio")

    def test_unknown_user_404_and_anonymous_me_401(self):
        self.assertEnvelope(self.server.get("/api/v1/users/nobody-at-all"), 404)
        self.assertEnvelope(self.server.get("/api/v1/users/me"), 401)
        self.assertEnvelope(self.server.request("PATCH", "/api/v1/users/me", body={"bio": "x"}), 401)


if __name__ == "__main__":
    unittest.main()
