"""Tracks through the real binary: multipart upload of generated audio, processing by the job runner in
a sandboxed child, HLS delivery with stream tokens only, and the errors a hostile upload gets."""

import os
import subprocess
import tempfile
import time
import unittest
import uuid

from auth_helpers import IdentityTestCase
from media_helpers import multipart


def generate(path, seconds=8, extra=()):
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"sine=frequency=440:sample_rate=44100:duration={seconds}", "-ac", "2", *extra, path],
                   check=True, timeout=60)


class Tracks(IdentityTestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="veza-tracks-it-")
        self.user = self.register("artist" + uuid.uuid4().hex[:8])
        self.token = self.user["access_token"]

    def upload(self, path, title="Song", token=None, name=None):
        with open(path, "rb") as f:
            body, ctype = multipart({"title": title, "visibility": "public"}, name or os.path.basename(path), f.read())
        return self.authed("POST", "/api/v1/tracks", token or self.token, body=body,
                           headers={"Content-Type": ctype})

    def wait_ready(self, track_id, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            t = self.authed("GET", f"/api/v1/tracks/{track_id}", self.token).json()
            if t["status"] != "processing":
                return t
            time.sleep(0.5)
        self.fail("track still processing after %ss" % timeout)

    def test_upload_process_and_stream_end_to_end(self):
        src = os.path.join(self.work, "song.flac")
        generate(src, seconds=8)
        r = self.upload(src, title="First light")
        self.assertEqual(r.status, 201, r.body)
        track = r.json()
        self.assertEqual(track["status"], "processing")
        self.assertIsInstance(track["id"], str)
        ready = self.wait_ready(track["id"])
        self.assertEqual(ready["status"], "ready", ready)
        self.assertAlmostEqual(ready["duration_ms"] / 1000, 8, delta=0.5)

        grant = self.authed("GET", f"/api/v1/tracks/{track['id']}/stream", self.token).json()
        self.assertIn("token=", grant["hls_url"])
        # No Authorization header from here on: the token in the URLs is the only credential.
        master = self.server.get(grant["hls_url"])
        self.assertEqual(master.status, 200)
        self.assertIn("mpegurl", master.header("content-type"))
        self.assertIn(b"#EXT-X-STREAM-INF", master.body)
        url = f"http://127.0.0.1:{self.server.port}{grant['hls_url']}"
        out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", url],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertAlmostEqual(float(out.stdout.strip()), 8, delta=0.5)

        bad = self.server.get(grant["hls_url"].replace("token=", "token=x"))
        self.assertIn(bad.status, (401, 403, 404))

        waveform = self.server.get(f"/api/v1/tracks/{track['id']}/waveform?resolution=overview").json()
        self.assertEqual(waveform["version"], 2)
        listed = self.server.get("/api/v1/tracks").json()
        self.assertIn(track["id"], [t["id"] for t in listed["items"]])

        self.assertEqual(self.authed("DELETE", f"/api/v1/tracks/{track['id']}", self.token).status, 204)
        self.assertEqual(self.server.get(f"/api/v1/tracks/{track['id']}").status, 404)
        leftovers = []
        for root, _, files in os.walk(os.path.join(self.server.data_dir, "objects", "tracks", track["id"])):
            leftovers += files
        self.assertEqual(leftovers, [])

    def test_text_named_mp3_is_415_naming_what_it_is(self):
        path = os.path.join(self.work, "fake.mp3")
        with open(path, "w") as f:
            f.write("this is not audio at all\n" * 100)
        r = self.upload(path)
        self.assertEqual(r.status, 415, r.body)
        self.assertEqual(r.json()["error"]["code"], "unsupported_media_type")

    def test_upload_needs_an_account(self):
        body, ctype = multipart({"title": "x"}, "a.flac", b"fLaC")
        r = self.server.request("POST", "/api/v1/tracks", body=body, headers={"Content-Type": ctype})
        self.assertEqual(r.status, 401)

    def test_private_tracks_are_404_to_others(self):
        src = os.path.join(self.work, "p.wav")
        generate(src, seconds=2)
        track = self.upload(src).json()
        r = self.authed("PATCH", f"/api/v1/tracks/{track['id']}", self.token, body={"visibility": "private"})
        self.assertEqual(r.status, 200, r.body)
        other = self.register("listener" + uuid.uuid4().hex[:8])["access_token"]
        self.assertEqual(self.authed("GET", f"/api/v1/tracks/{track['id']}", other).status, 404)
        self.assertEqual(self.server.get(f"/api/v1/tracks/{track['id']}").status, 404)
        self.assertEqual(self.authed("GET", f"/api/v1/tracks/{track['id']}", self.token).status, 200)


if __name__ == "__main__":
    unittest.main()
