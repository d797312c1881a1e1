"""Resumable uploads (tus 1.0.0) through the real binary: every status the protocol defines, checksum,
expiry and cleanup, termination, a restart in the middle of an upload, ownership, the shared quota,
turning a finished upload into a track, and tus-js-client as a real client that is interrupted and
resumes."""

import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest
import uuid

from auth_helpers import FAST_FLAGS, IdentityTestCase
from upload_helpers import OFFSET_STREAM, TusMixin, b64, checksum, generate, read_bytes, restart, sha256_file

HERE = os.path.dirname(os.path.abspath(__file__))
TUS_CLIENT = os.path.join(HERE, "tus_client")
ORIGIN = "http://app.example.test"


class UploadCase(TusMixin, IdentityTestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="veza-uploads-it-")
        self.user = self.register("up" + uuid.uuid4().hex[:10])
        self.token = self.user["access_token"]

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def part_file(self, url):
        return os.path.join(self.server.data_dir, "uploads", url.rsplit("/", 1)[1] + ".part")


class Protocol(UploadCase):
    flags = FAST_FLAGS + ("--set", f"cors.allowed_origins={ORIGIN}")

    def test_options_advertises_version_extensions_size_and_checksum(self):
        r = self.server.request("OPTIONS", "/api/v1/uploads")
        self.assertEqual(r.status, 204)
        self.assertEqual(r.header("tus-version"), "1.0.0")
        self.assertEqual(r.header("tus-resumable"), "1.0.0")
        for ext in ("creation", "creation-with-upload", "termination", "checksum", "expiration"):
            self.assertIn(ext, r.header("tus-extension").split(","))
        self.assertEqual(r.header("tus-max-size"), str(2 * 1024 ** 3))
        self.assertEqual(r.header("tus-checksum-algorithm"), "sha256")

    def test_chunks_with_checksums_then_a_track(self):
        src = os.path.join(self.work, "song.flac")
        generate(src, seconds=6, extra=("-c:a", "flac"))
        data = read_bytes(src)
        r = self.create(len(data), name="My song.flac")
        self.assertEqual(r.status, 201, r.body)
        url = r.header("location")
        self.assertRegex(url, r"^/api/v1/uploads/\d+$")
        self.assertEqual(r.header("tus-resumable"), "1.0.0")
        self.assertEqual(r.header("upload-offset"), "0")
        self.assertTrue(r.header("upload-expires").endswith(" GMT"))

        h = self.head(url)
        self.assertEqual(h.status, 200)
        self.assertEqual(h.header("upload-offset"), "0")
        self.assertEqual(h.header("upload-length"), str(len(data)))
        self.assertIn("filename " + b64("My song.flac"), h.header("upload-metadata"))
        self.assertEqual(h.header("cache-control"), "no-store")

        half = len(data) // 2
        p = self.patch(url, 0, data[:half], headers={"Upload-Checksum": checksum(data[:half])})
        self.assertEqual(p.status, 204, p.body)
        self.assertEqual(p.header("upload-offset"), str(half))
        self.assertTrue(p.header("upload-expires"))

        early = self.track_from_upload(url)
        self.assertEnvelope(early, 409, "upload_incomplete")

        p = self.patch(url, half, data[half:])
        self.assertEqual(p.status, 204, p.body)
        self.assertEqual(self.head(url).header("upload-offset"), str(len(data)))
        self.assertEqual(sha256_file(self.part_file(url)), sha256_file(src))

        t = self.track_from_upload(url, title="From tus", genre="Ambient", tags=["Calm", "sine"])
        self.assertEqual(t.status, 201, t.body)
        track = t.json()
        self.assertEqual(track["title"], "From tus")
        self.assertEqual(track["tags"], ["calm", "sine"])
        self.assertEqual(track["original"]["format"], "flac")
        self.assertEqual(track["original"]["file_name"], "My song.flac")
        self.assertEqual(t.header("location"), f"/api/v1/tracks/{track['id']}")
        # The file moved into the object store; the upload is gone.
        self.assertFalse(os.path.exists(self.part_file(url)))
        self.assertEqual(self.head(url).status, 404)
        self.assertEnvelope(self.track_from_upload(url), 404, "upload_not_found")
        ready = self.wait_ready(track["id"])
        self.assertEqual(ready["status"], "ready", ready)
        self.assertAlmostEqual(ready["duration_ms"] / 1000, 6, delta=0.5)
        original = self.authed("GET", f"/api/v1/tracks/{track['id']}/download", self.token)
        self.assertEqual(original.status, 200)
        self.assertEqual(original.body, data)

    def test_protocol_errors(self):
        r = self.create(1000)
        url = r.header("location")
        chunk = b"x" * 100

        no_version = self.server.request("PATCH", url, body=chunk, headers={
            "Authorization": "Bearer " + self.token, "Upload-Offset": "0", "Content-Type": OFFSET_STREAM})
        self.assertEqual(no_version.status, 412)
        self.assertEqual(no_version.header("tus-version"), "1.0.0")
        old = self.tus("HEAD", url, headers={"Tus-Resumable": "0.2.2"})
        self.assertEqual(old.status, 412)

        self.assertEnvelope(self.patch(url, 0, chunk, headers={"Content-Type": "application/octet-stream"}),
                            415, "unsupported_media_type")
        mismatch = self.patch(url, 10, chunk)
        self.assertEnvelope(mismatch, 409, "offset_mismatch")
        self.assertEnvelope(self.patch(url, 0, chunk, headers={"Upload-Offset": "abc"}), 400)

        bad_sum = self.patch(url, 0, chunk, headers={"Upload-Checksum": checksum(b"y" * 100)})
        self.assertEnvelope(bad_sum, 460, "checksum_mismatch")
        self.assertEqual(self.head(url).header("upload-offset"), "0")
        self.assertEqual(os.path.getsize(self.part_file(url)), 0)
        self.assertEnvelope(self.patch(url, 0, chunk, headers={"Upload-Checksum": "md5 AAAA"}), 400,
                            "unsupported_checksum_algorithm")

        self.assertEnvelope(self.patch(url, 0, b"z" * 1001), 413, "upload_length_exceeded")
        self.assertEnvelope(self.create(3 * 1024 ** 3), 413, "upload_too_large")
        self.assertEnvelope(self.tus("POST", "/api/v1/uploads"), 400, "invalid_upload_length")
        self.assertEnvelope(self.create(10, headers={"Upload-Metadata": "filename %%%"}), 400)
        unauth = self.tus("HEAD", url, token=False)
        self.assertEqual(unauth.status, 401)
        self.assertEnvelope(self.patch(url, 0, chunk, token="not-a-token"), 401)
        self.assertEqual(self.tus("HEAD", "/api/v1/uploads/12345").status, 404)
        self.assertEnvelope(self.patch("/api/v1/uploads/nope", 0, chunk), 404, "upload_not_found")

        good = self.patch(url, 0, chunk, headers={"Upload-Checksum": checksum(chunk)})
        self.assertEqual(good.status, 204)
        self.assertEqual(good.header("upload-offset"), "100")

    def test_creation_with_upload(self):
        data = os.urandom(5000)
        r = self.create(8000, body=data, headers={"Content-Type": OFFSET_STREAM, "Upload-Checksum": checksum(data)})
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.header("upload-offset"), "5000")
        url = r.header("location")
        self.assertEqual(self.patch(url, 5000, os.urandom(3000)).status, 204)
        self.assertEqual(self.head(url).header("upload-offset"), "8000")

    def test_termination_removes_the_bytes(self):
        r = self.create(1000)
        url = r.header("location")
        self.assertEqual(self.patch(url, 0, b"a" * 400).status, 204)
        self.assertTrue(os.path.exists(self.part_file(url)))
        self.assertEqual(self.tus("DELETE", url).status, 204)
        self.assertFalse(os.path.exists(self.part_file(url)))
        self.assertEqual(self.head(url).status, 404)
        self.assertEqual(self.patch(url, 400, b"a").status, 404)

    def test_someone_elses_upload_is_404(self):
        url = self.upload_file(self.make_flac())
        other = self.register("other" + uuid.uuid4().hex[:8])["access_token"]
        self.assertEqual(self.head(url, token=other).status, 404)
        self.assertEnvelope(self.patch(url, 0, b"a", token=other), 404, "upload_not_found")
        self.assertEqual(self.tus("DELETE", url, token=other).status, 404)
        self.assertEnvelope(self.track_from_upload(url, token=other), 404, "upload_not_found")
        self.assertEqual(self.head(url).status, 200)  # still the owner's

    def test_non_audio_is_415_with_the_detected_type(self):
        path = os.path.join(self.work, "notes.mp3")
        with open(path, "w") as f:
            f.write("just some text, not audio\n" * 200)
        url = self.upload_file(path)
        r = self.track_from_upload(url)
        err = self.assertEnvelope(r, 415, "unsupported_media_type")
        self.assertIn("text", err["message"].lower() + json.dumps(err.get("fields", {})).lower())

    def test_json_track_body_is_validated(self):
        url = self.upload_file(self.make_flac())
        self.assertEnvelope(self.server.request("POST", "/api/v1/tracks", body={"title": "x"}, headers={
            "Authorization": "Bearer " + self.token}), 422)
        self.assertEnvelope(self.track_from_upload(url, bpm="fast"), 422)
        self.assertEqual(self.head(url).status, 200)  # a refused request leaves the upload alone

    def test_cors_exposes_the_tus_headers(self):
        pre = self.server.request("OPTIONS", "/api/v1/uploads", headers={
            "Origin": ORIGIN, "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "tus-resumable,upload-offset,upload-checksum"})
        self.assertEqual(pre.status, 204)
        allowed = pre.header("access-control-allow-headers").lower()
        for h in ("tus-resumable", "upload-offset", "upload-length", "upload-metadata", "upload-checksum"):
            self.assertIn(h, allowed)
        r = self.create(10, headers={"Origin": ORIGIN})
        exposed = [h.strip().lower() for h in r.header("access-control-expose-headers").split(",")]
        for h in ("location", "upload-offset", "upload-length", "upload-expires", "tus-resumable", "tus-version",
                  "tus-extension", "tus-max-size", "tus-checksum-algorithm"):
            self.assertIn(h, exposed)

    def make_flac(self, seconds=2):
        path = os.path.join(self.work, uuid.uuid4().hex[:8] + ".flac")
        generate(path, seconds=seconds, extra=("-c:a", "flac"))
        return path


class Quota(UploadCase):
    flags = FAST_FLAGS + ("--set", "tracks.quota_bytes=1000000")

    def test_quota_counts_unfinished_uploads(self):
        first = self.create(600000)
        self.assertEqual(first.status, 201, first.body)
        over = self.create(500000)
        err = self.assertEnvelope(over, 413, "quota_exceeded")
        self.assertEqual(err["fields"]["used_bytes"], "600000")
        self.assertEqual(err["fields"]["left_bytes"], "400000")
        self.assertEqual(self.create(400000).status, 201)
        # Terminating an upload gives its reservation back.
        self.assertEqual(self.tus("DELETE", first.header("location")).status, 204)
        self.assertEqual(self.create(500000).status, 201)


class ExpiredUploadsAnswerGone(UploadCase):
    flags = FAST_FLAGS + ("--set", "uploads.expiry_s=1", "--set", "uploads.cleanup_interval_s=3600")

    def test_expired_upload_is_410(self):
        r = self.create(100)
        url = r.header("location")
        self.assertEqual(self.patch(url, 0, b"a" * 10).status, 204)
        time.sleep(1.3)
        self.assertEqual(self.head(url).status, 410)
        self.assertEnvelope(self.patch(url, 10, b"a"), 410, "upload_expired")


class ExpiredUploadsAreCleanedUp(UploadCase):
    flags = FAST_FLAGS + ("--set", "uploads.expiry_s=1", "--set", "uploads.cleanup_interval_s=1")

    def test_cleanup_removes_rows_and_bytes(self):
        r = self.create(100)
        url = r.header("location")
        self.assertEqual(self.patch(url, 0, b"a" * 10).status, 204)
        self.assertTrue(os.path.exists(self.part_file(url)))
        deadline = time.time() + 15
        while os.path.exists(self.part_file(url)) and time.time() < deadline:
            time.sleep(0.2)
        self.assertFalse(os.path.exists(self.part_file(url)))
        self.assertEqual(self.head(url).status, 404)


class Restart(UploadCase):
    def test_upload_survives_a_kill_and_resumes(self):
        src = os.path.join(self.work, "long.wav")
        generate(src, seconds=6)
        data = read_bytes(src)
        url = self.create(len(data), name="long.wav").header("location")
        third = len(data) // 3
        self.assertEqual(self.patch(url, 0, data[:third]).status, 204)
        restart(self.server, hard=True)
        h = self.head(url)
        self.assertEqual(h.status, 200, h.body)
        self.assertEqual(h.header("upload-offset"), str(third))
        self.assertEqual(self.patch(url, third, data[third:]).status, 204)
        t = self.track_from_upload(url)
        self.assertEqual(t.status, 201, t.body)
        self.assertEqual(self.wait_ready(t.json()["id"])["status"], "ready")


class TusJsClient(UploadCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.isdir(os.path.join(TUS_CLIENT, "node_modules", "tus-js-client")):
            raise RuntimeError("tus-js-client is not installed: run server/tests/integration/tus_client/prepare")
        super().setUpClass()

    def node(self, path, store, *extra):
        cmd = ["node", os.path.join(TUS_CLIENT, "upload.mjs"), "--endpoint",
               f"http://127.0.0.1:{self.server.port}/api/v1/uploads", "--token", self.token, "--file", path,
               "--chunk-size", str(256 * 1024), "--store", store, *extra]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=TUS_CLIENT)
        self.assertEqual(out.returncode, 0, out.stderr)
        return json.loads(out.stdout.strip().splitlines()[-1])

    def test_interrupted_then_resumed_from_the_stored_url(self):
        src = os.path.join(self.work, "mix.wav")
        generate(src, seconds=8)  # ~1.4 MB: six chunks of 256 KiB
        size = os.path.getsize(src)
        store = os.path.join(self.work, "store")
        os.makedirs(store)

        first = self.node(src, store, "--abort-after", "2")
        self.assertTrue(first["aborted"])
        url = first["url"]
        path = "/api/v1/uploads/" + url.rsplit("/", 1)[1]
        offset = int(self.head(path).header("upload-offset"))
        self.assertGreaterEqual(offset, 2 * 256 * 1024)
        self.assertLess(offset, size)

        second = self.node(src, store)
        self.assertFalse(second["aborted"])
        self.assertEqual(second["url"], url)  # the same upload, resumed rather than restarted
        self.assertLess(second["chunks"], 6)
        self.assertEqual(self.head(path).header("upload-offset"), str(size))
        self.assertEqual(sha256_file(self.part_file(path)), sha256_file(src))

        t = self.track_from_upload(path, title="Resumed")
        self.assertEqual(t.status, 201, t.body)
        ready = self.wait_ready(t.json()["id"])
        self.assertEqual(ready["status"], "ready", ready)
        original = self.authed("GET", f"/api/v1/tracks/{ready['id']}/download", self.token)
        self.assertEqual(original.body, read_bytes(src))


if __name__ == "__main__":
    unittest.main()
