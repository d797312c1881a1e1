"""Acceptance for every accepted input format: audio generated at test time with the ffmpeg CLI (WAV,
AIFF, FLAC, ALAC/M4A, MP3, AAC as ADTS and in M4A, Ogg Vorbis, Opus) is uploaded both as multipart and
through tus, processed to `ready`, and each rendition of the master playlist — fetched only with the
stream token in its URLs — decodes end to end with the ffmpeg CLI to the source's duration (± 0.5 s)."""

import os
import shutil
import subprocess
import tempfile
import unittest
import urllib.parse
import uuid

from auth_helpers import IdentityTestCase
from media_helpers import multipart
from upload_helpers import TusMixin, generate

SECONDS = 6
# name → (file name, ffmpeg output options); each is a distinct probe path in the server.
FORMATS = {
    "wav": ("a.wav", ("-c:a", "pcm_s16le")),
    "aiff": ("a.aiff", ("-c:a", "pcm_s16be")),
    "flac": ("a.flac", ("-c:a", "flac")),
    "alac": ("alac.m4a", ("-c:a", "alac")),
    "mp3": ("a.mp3", ("-c:a", "libmp3lame", "-b:a", "192k")),
    "aac_adts": ("a.aac", ("-c:a", "aac", "-b:a", "160k", "-f", "adts")),
    "aac_m4a": ("aac.m4a", ("-c:a", "aac", "-b:a", "160k")),
    "vorbis": ("a.ogg", ("-c:a", "libvorbis", "-q:a", "4")),
    "opus": ("a.opus", ("-c:a", "libopus", "-b:a", "128k")),
}
# What the probe reports as `original.format` for each.
EXPECTED_FORMAT = {"wav": "wav", "aiff": "aiff", "flac": "flac", "alac": "alac", "mp3": "mp3",
                   "aac_adts": "aac", "aac_m4a": "aac", "vorbis": "vorbis", "opus": "opus"}


def probe_duration(path_or_url):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                          path_or_url], capture_output=True, text=True, timeout=60, check=True)
    return float(out.stdout.strip())


def decoded_seconds(url):
    """Decodes every segment of a playlist to 8 kHz mono PCM and measures it: the length of what
    actually decoded, not what the playlist claims."""
    out = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-xerror", "-i", url, "-map", "0:a:0", "-ac", "1",
                          "-ar", "8000", "-f", "s16le", "-c:a", "pcm_s16le", "pipe:1"],
                         capture_output=True, timeout=120)
    if out.returncode != 0:
        raise AssertionError(f"ffmpeg could not decode {url}: {out.stderr.decode(errors='replace')[-800:]}")
    return len(out.stdout) / 16000.0


class Formats(TusMixin, IdentityTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.work = tempfile.mkdtemp(prefix="veza-formats-it-")
        cls.sources = {}
        for name, (file_name, options) in FORMATS.items():
            path = os.path.join(cls.work, file_name)
            generate(path, seconds=SECONDS, extra=options, rate=48000 if name == "opus" else 44100)
            cls.sources[name] = path

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)
        super().tearDownClass()

    def setUp(self):
        self.token = self.register("fmt" + uuid.uuid4().hex[:10])["access_token"]

    def upload_multipart(self, path, title):
        with open(path, "rb") as f:
            body, ctype = multipart({"title": title, "visibility": "public"}, os.path.basename(path), f.read())
        r = self.authed("POST", "/api/v1/tracks", self.token, body=body, headers={"Content-Type": ctype})
        self.assertEqual(r.status, 201, r.body)
        return r.json()

    def upload_tus(self, path, title):
        url = self.upload_file(path, chunk=128 * 1024)
        r = self.track_from_upload(url, title=title)
        self.assertEqual(r.status, 201, r.body)
        return r.json()

    def check_renditions(self, label, track, source_seconds):
        grant = self.authed("GET", f"/api/v1/tracks/{track['id']}/stream", self.token)
        self.assertEqual(grant.status, 200, grant.body)
        master_url = f"http://127.0.0.1:{self.server.port}{grant.json()['hls_url']}"
        master = self.server.get(grant.json()["hls_url"])
        self.assertEqual(master.status, 200)
        variants = [line for line in master.body.decode().splitlines() if line and not line.startswith("#")]
        self.assertGreaterEqual(len(variants), 3, f"{label}: {master.body!r}")
        for variant in variants:
            self.assertIn("token=", variant)
            seconds = decoded_seconds(urllib.parse.urljoin(master_url, variant))
            self.assertAlmostEqual(seconds, source_seconds, delta=0.5,
                                   msg=f"{label} rendition {variant.split('?')[0]}: {seconds:.3f}s decoded, "
                                       f"source {source_seconds:.3f}s")

    def test_every_format_by_multipart_and_by_tus_decodes_at_every_rendition(self):
        uploaded = []
        for name, path in self.sources.items():
            uploaded.append((f"{name}/multipart", name, self.upload_multipart(path, f"{name} multipart")))
            uploaded.append((f"{name}/tus", name, self.upload_tus(path, f"{name} tus")))
        for label, name, track in uploaded:
            self.assertEqual(track["original"]["format"], EXPECTED_FORMAT[name], f"{label}: {track['original']}")
        failures = []
        for label, name, track in uploaded:
            ready = self.wait_ready(track["id"], timeout=300)
            if ready["status"] != "ready":
                failures.append(f"{label}: {ready['status']} {ready.get('status_message')}")
                continue
            source_seconds = probe_duration(self.sources[name])
            self.assertAlmostEqual(ready["duration_ms"] / 1000, source_seconds, delta=0.5, msg=label)
            self.check_renditions(label, ready, source_seconds)
        self.assertEqual(failures, [])


if __name__ == "__main__":
    unittest.main()
