"""Avatars and banners (PUT/DELETE /users/me/{avatar,banner}, GET /users/{username}/{avatar,banner}),
the data export (GET /users/me/export) and account deletion (DELETE /users/me), through the real binary."""

import json
import os
import unittest

import image_helpers as img
from auth_helpers import PASSWORD, IdentityTestCase


class ProfileMediaCase(IdentityTestCase):
    def put_image(self, kind, token, data, content_type="image/jpeg"):
        return self.authed("PUT", f"/api/v1/users/me/{kind}", token, body=data,
                           headers={"Content-Type": content_type})


class Avatars(ProfileMediaCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tokens = {}
        for name in ("painter", "sculptor", "potter"):
            r = cls.server.request("POST", "/api/v1/auth/register",
                                   body={"email": f"{name}@example.com", "username": name, "password": PASSWORD})
            assert r.status == 201, r.body
            cls.tokens[name] = r.json()["access_token"]
        cls.photo = img.with_exif(img.red_blue_jpeg(800, 600), orientation=6)

    def test_avatar_upload_makes_two_clean_squares_at_cacheable_urls(self):
        self.assertTrue(img.jpeg_has_metadata(self.photo))
        r = self.put_image("avatar", self.tokens["painter"], self.photo)
        self.assertEqual(r.status, 200, r.body)
        url = r.json()["avatar_url"]
        self.assertRegex(url, r"^/api/v1/users/painter/avatar\?v=\d+$")
        self.assertEqual(self.server.get("/api/v1/users/painter").json()["avatar_url"], url)

        big = self.server.get(url)
        self.assertEqual(big.status, 200, big.body[:300])
        self.assertEqual(big.header("content-type"), "image/jpeg")
        self.assertEqual(img.jpeg_size(big.body), (512, 512))
        self.assertFalse(img.jpeg_has_metadata(big.body))
        self.assertNotIn(b"Exif", big.body)
        self.assertIn("immutable", big.header("cache-control"))
        self.assertIn("public", big.header("cache-control"))
        etag = big.header("etag")
        self.assertTrue(etag.startswith('"') and etag.endswith('"'))
        # EXIF orientation 6 was applied before the metadata went: red on top, blue at the bottom.
        px = img.rgb_pixels(big.body, 512, 512)
        self.assertTrue(img.is_red(px(256, 40)), px(256, 40))
        self.assertTrue(img.is_blue(px(256, 470)), px(256, 470))

        small = self.server.get(url + "&size=128")
        self.assertEqual(small.status, 200)
        self.assertEqual(img.jpeg_size(small.body), (128, 128))
        self.assertFalse(img.jpeg_has_metadata(small.body))
        self.assertNotEqual(small.header("etag"), etag)

        again = self.server.get(url, headers={"If-None-Match": etag})
        self.assertEqual(again.status, 304)
        self.assertEqual(again.body, b"")
        unversioned = self.server.get("/api/v1/users/painter/avatar")
        self.assertEqual(unversioned.status, 200)
        self.assertEqual(unversioned.body, big.body)
        self.assertNotIn("immutable", unversioned.header("cache-control"))
        self.assertIn("max-age=", unversioned.header("cache-control"))
        head = self.server.request("HEAD", url)
        self.assertEqual(head.status, 200)
        self.assertEqual(int(head.header("content-length")), len(big.body))
        self.assertEnvelope(self.server.get(url + "&size=300"), 422)

    def test_replacing_deletes_the_old_version(self):
        token = self.tokens["sculptor"]
        first = self.put_image("avatar", token, img.png(300, 200), "image/png").json()["avatar_url"]
        second = self.put_image("avatar", token, img.png(64, 64, (0, 0, 200)), "image/png").json()["avatar_url"]
        self.assertNotEqual(first, second)
        me = self.authed("GET", "/api/v1/users/me", token).json()
        folder = os.path.join(self.server.data_dir, "objects", "users", me["id"])
        version = second.split("v=")[1]
        self.assertEqual(sorted(os.listdir(folder)), [f"avatar-{version}-128.jpg", f"avatar-{version}-512.jpg"])
        # The old URL still answers, with the new image, but no longer as an immutable version.
        old = self.server.get(first)
        self.assertEqual(old.status, 200)
        self.assertNotIn("immutable", old.header("cache-control"))
        self.assertEqual(old.body, self.server.get(second).body)

        self.assertEqual(self.authed("DELETE", "/api/v1/users/me/avatar", token).status, 204)
        self.assertEqual(os.listdir(folder), [])
        self.assertIsNone(self.authed("GET", "/api/v1/users/me", token).json()["avatar_url"])
        self.assertEnvelope(self.server.get("/api/v1/users/sculptor/avatar"), 404)
        self.assertEqual(self.authed("DELETE", "/api/v1/users/me/avatar", token).status, 204)

    def test_banner_is_1500_by_500(self):
        token = self.tokens["potter"]
        r = self.put_image("banner", token, img.png(120, 120, (10, 180, 10)), "image/png")
        self.assertEqual(r.status, 200, r.body)
        url = r.json()["banner_url"]
        self.assertRegex(url, r"^/api/v1/users/potter/banner\?v=\d+$")
        self.assertIsNone(r.json()["avatar_url"])
        banner = self.server.get(url)
        self.assertEqual(banner.status, 200)
        self.assertEqual(img.jpeg_size(banner.body), (1500, 500))
        self.assertFalse(img.jpeg_has_metadata(banner.body))
        own = self.authed("GET", "/api/v1/users/me/banner", token)
        self.assertEqual(own.body, banner.body)
        # A private profile still shows its banner to strangers.
        self.assertEqual(self.authed("PATCH", "/api/v1/users/me", token, body={"is_private": True}).status, 200)
        self.assertEqual(self.server.get(url).status, 200)
        self.assertEqual(self.authed("PATCH", "/api/v1/users/me", token, body={"is_private": False}).status, 200)

    def test_fifty_megabytes_is_refused_before_it_is_read(self):
        head = (f"PUT /api/v1/users/me/avatar HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {self.tokens['potter']}\r\n"
                f"Content-Type: image/jpeg\r\nContent-Length: {50 * 1024 * 1024}\r\n\r\n").encode()
        answer = self.server.raw(head + b"\xff\xd8\xff" + b"\0" * 1000, timeout=10)
        self.assertTrue(answer.startswith(b"HTTP/1.1 413"), answer[:200])
        self.assertIn(b"payload_too_large", answer)

    def test_non_images_are_415_naming_what_was_found(self):
        token = self.tokens["potter"]
        for data, found in ((b"just a text file, honestly\n", "text"), (img.GIF, "GIF"),
                            (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF")):
            err = self.assertEnvelope(self.put_image("avatar", token, data, "image/png"), 415,
                                      "unsupported_image_type")
            self.assertIn(found, err["message"])
        err = self.assertEnvelope(self.put_image("avatar", token, img.png(10, 10), "application/json"), 415)
        self.assertIn("Content-Type", err["fields"])

    def test_truncated_corrupt_bomb_and_empty_are_422(self):
        token = self.tokens["potter"]
        jpeg = img.red_blue_jpeg(400, 300)
        err = self.assertEnvelope(self.put_image("avatar", token, jpeg[:len(jpeg) // 2]), 422, "image_corrupt")
        self.assertIn("file", err["fields"])
        self.assertEnvelope(self.put_image("avatar", token, b"\xff\xd8\xff\xe0" + b"\x13" * 200), 422, "image_corrupt")
        self.assertEnvelope(self.put_image("avatar", token, img.png_bomb(), "image/png"), 422, "image_too_large")
        self.assertEnvelope(self.put_image("avatar", token, b""), 422, "image_empty")
        self.assertIsNone(self.authed("GET", "/api/v1/users/me", token).json()["avatar_url"])

    def test_signed_out_and_unknown(self):
        self.assertEnvelope(self.server.request("PUT", "/api/v1/users/me/avatar", body=img.png(8, 8),
                                                headers={"Content-Type": "image/png"}), 401)
        self.assertEnvelope(self.server.request("DELETE", "/api/v1/users/me/banner"), 401)
        self.assertEnvelope(self.server.get("/api/v1/users/nobody-here/avatar"), 404)
        self.assertEnvelope(self.server.get("/api/v1/users/potter/avatar"), 404)


class YourData(ProfileMediaCase):
    flags = IdentityTestCase.flags + ("--set", "users.username_grace_days=0")

    def test_export_holds_the_profile_and_no_secrets(self):
        reg = self.register("archivist")
        login = self.login("archivist").json()
        token = login["access_token"]
        self.assertEqual(self.authed("PATCH", "/api/v1/users/me", token,
                                     body={"bio": "I keep everything", "location": "Lyon"}).status, 200)
        self.assertEqual(self.put_image("avatar", token, img.png(40, 40), "image/png").status, 200)
        r = self.authed("GET", "/api/v1/users/me/export", token)
        self.assertEqual(r.status, 200, r.body)
        self.assertTrue(r.header("content-type").startswith("application/json"))
        self.assertRegex(r.header("content-disposition"), r'^attachment; filename="veza-archivist-export\.json"$')
        self.assertEqual(r.header("cache-control"), "no-store")
        doc = r.json()
        self.assertEqual(doc["format"], "veza.account-export")
        self.assertEqual(doc["profile"]["username"], "archivist")
        self.assertEqual(doc["profile"]["email"], "archivist@example.com")
        self.assertEqual(doc["profile"]["bio"], "I keep everything")
        self.assertIsNotNone(doc["profile"]["avatar_url"])
        self.assertEqual(len(doc["sessions"]), 2)
        self.assertIn(reg["session_id"], [s["id"] for s in doc["sessions"]])
        self.assertIsInstance(doc["mails"], list)
        text = r.body.decode()
        for secret in (reg["access_token"], reg["refresh_token"], login["refresh_token"], token, PASSWORD,
                       "$argon2", "token_hash", "password_hash"):
            self.assertNotIn(secret, text)
        self.assertEnvelope(self.server.get("/api/v1/users/me/export"), 401)

    def test_delete_account_purges_and_frees_the_username(self):
        reg = self.register("leaver")
        token = reg["access_token"]
        self.assertEqual(self.put_image("avatar", token, img.png(40, 40), "image/png").status, 200)
        folder = os.path.join(self.server.data_dir, "objects", "users", reg["user"]["id"])
        self.assertEqual(len(os.listdir(folder)), 2)

        err = self.assertEnvelope(self.authed("DELETE", "/api/v1/users/me", token, body={"password": "wrong-one-123"}),
                                  422, "wrong_password")
        self.assertIn("password", err["fields"])
        self.assertEnvelope(self.authed("DELETE", "/api/v1/users/me", token, body={}), 422)
        self.assertEqual(self.authed("GET", "/api/v1/users/me", token).status, 200)

        self.assertEqual(self.authed("DELETE", "/api/v1/users/me", token, body={"password": PASSWORD}).status, 204)
        self.assertEnvelope(self.authed("GET", "/api/v1/users/me", token), 401)
        self.assertEnvelope(self.login("leaver"), 401, "invalid_credentials")
        self.assertEnvelope(self.login("leaver@example.com"), 401, "invalid_credentials")
        self.assertEnvelope(self.server.get("/api/v1/users/leaver"), 404)
        self.assertEnvelope(self.server.get("/api/v1/users/leaver/avatar"), 404)
        self.assertEqual(os.listdir(folder), [])
        r = self.server.request("POST", "/api/v1/auth/refresh", body={"refresh_token": reg["refresh_token"]})
        self.assertEqual(r.status, 401)
        # Grace 0: the name and the address are free again at once.
        again = self.register("leaver")
        self.assertNotEqual(again["user"]["id"], reg["user"]["id"])
        self.assertIsNone(again["user"]["avatar_url"])
        self.assertEqual(again["user"]["bio"], "")


class UsernameGrace(ProfileMediaCase):
    def test_username_is_held_during_the_grace_period(self):
        reg = self.register("holder")
        r = self.authed("DELETE", "/api/v1/users/me", reg["access_token"], body={"password": PASSWORD})
        self.assertEqual(r.status, 204)
        taken = self.server.request("POST", "/api/v1/auth/register",
                                    body={"email": "someone@example.com", "username": "HOLDER", "password": PASSWORD})
        err = self.assertEnvelope(taken, 409, "username_taken")
        self.assertIn("username", err["fields"])
        # The email address was purged, so it can sign up again under another name.
        self.register("holder2", email="holder@example.com")


if __name__ == "__main__":
    unittest.main()
