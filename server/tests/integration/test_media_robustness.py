"""The media acceptance criteria proven from outside, through the real binary over HTTP: hostile uploads
end as a clear 415/422 or a failed track while the server and other jobs carry on; a server killed with
SIGKILL mid-job finishes the job after a restart with no orphaned object; a killed media child is retried;
a 1 GiB upload barely moves the server's RSS; and the analysis values (loudness, BPM, key, waveform)
are right end to end."""

import json
import os
import shutil
import signal
import tempfile
import threading
import time
import unittest
import uuid

from auth_helpers import FAST_FLAGS, JWT_SECRET, IdentityTestCase, database_url
from harness import VezaServer
from media_helpers import (caf_header, children_of, ffmpeg_lavfi, files_under, multipart, playlist_uris,
                           sine_pcm_chunk, stream_multipart_upload, vm_rss_kib, wait_for, wav_header, zip_bytes)

# Every test uploads several files from one IP within seconds.
UPLOAD_FLAGS = ("--set", "rate_limit.upload.ip_burst=1000", "--set", "rate_limit.upload.ip_per_second=100",
                "--set", "rate_limit.upload.user_burst=1000", "--set", "rate_limit.upload.user_per_second=100")
GIB = 1 << 30
MIB = 1 << 20


class MediaTestCase(IdentityTestCase):
    flags = FAST_FLAGS + UPLOAD_FLAGS

    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="veza-media-it-")
        self.addCleanup(shutil.rmtree, self.work, True)
        self.token = self.register("creator" + uuid.uuid4().hex[:8])["access_token"]

    def upload_bytes(self, name, data, title="Track", server=None, token=None):
        body, ctype = multipart({"title": title, "visibility": "public"}, name, data)
        server = server or self.server
        return server.request("POST", "/api/v1/tracks", body=body, timeout=120,
                              headers={"Content-Type": ctype, "Authorization": "Bearer " + (token or self.token)})

    def upload_file(self, path, **kw):
        with open(path, "rb") as f:
            return self.upload_bytes(os.path.basename(path), f.read(), **kw)

    def track(self, track_id, server=None, token=None):
        server = server or self.server
        r = server.get(f"/api/v1/tracks/{track_id}", headers={"Authorization": "Bearer " + (token or self.token)})
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def wait_settled(self, track_id, timeout=300, server=None, token=None):
        deadline = time.time() + timeout
        while time.time() < deadline:
            t = self.track(track_id, server, token)
            if t["status"] != "processing":
                return t
            time.sleep(0.3)
        self.fail(f"track {track_id} still processing after {timeout}s: {t}")

    def assert_only_owned_objects(self, server, track_ids):
        """Every file under objects/ belongs to a live track, and each track holds exactly its original,
        its two waveforms and the HLS files its playlists reference: nothing stale, nothing half-written."""
        root = os.path.join(server.data_dir, "objects")
        on_disk = files_under(root)
        expected = set()
        for track_id in track_ids:
            prefix = f"tracks/{track_id}/"
            mine = {p for p in on_disk if p.startswith(prefix)}
            originals = [p for p in mine if os.path.basename(p).startswith("original.")]
            self.assertEqual(len(originals), 1, mine)
            expected |= {originals[0], prefix + "waveform_overview.json", prefix + "waveform_detail.json",
                         prefix + "hls/master.m3u8"}
            with open(os.path.join(root, prefix, "hls", "master.m3u8")) as f:
                variants = playlist_uris(f.read())
            self.assertGreaterEqual(len(variants), 1)
            for variant in variants:
                expected.add(os.path.normpath(prefix + "hls/" + variant))
                with open(os.path.join(root, prefix, "hls", variant)) as f:
                    for uri in playlist_uris(f.read()):
                        expected.add(os.path.normpath(os.path.join(prefix, "hls", os.path.dirname(variant), uri)))
        self.assertEqual(sorted(on_disk - expected), [], "objects nobody owns")
        self.assertEqual(sorted(expected - on_disk), [], "objects a playlist names but that are missing")

    def assert_no_scratch_left(self, server):
        work = os.path.join(server.data_dir, "tmp", "media")
        # The job marks the track ready just before it removes its own scratch directory.
        deadline = time.time() + 10
        while True:
            leftovers = os.listdir(work) if os.path.isdir(work) else []
            if not leftovers or time.time() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual(leftovers, [], "media scratch directories left behind")


class HostileUploads(MediaTestCase):
    def hostile_inputs(self):
        flac = ffmpeg_lavfi(os.path.join(self.work, "whole.flac"), "sine=frequency=440:duration=30", "-ac", "2")
        with open(flac, "rb") as f:
            whole = f.read()
        ten_hours_mono = 10 * 3600 * 44100 * 2
        return {
            "empty.wav": (b"", ("empty",)),
            "truncated.flac": (whole[: len(whole) // 3], ("truncat", "ends early", "header")),
            "notes.mp3": (b"Just some notes I wanted to keep, not audio.\n" * 40, ("text",)),
            "ten-hours.wav": (wav_header(ten_hours_mono, channels=1) + b"\0" * 4096, ("claims", "10:00:00")),
            "many-channels.wav": (wav_header(65535 * 100, channels=65535, rate=8000, bits=8) + b"\x80" * 65535 * 4,
                                  ("channel",)),
            "hundred-thousand-channels.caf": (caf_header(100_000, 200_000 * 4) + b"\0" * 200_000 * 4,
                                              ("channel", "caf", "unsupported")),
            "album.zip": (zip_bytes(), ("zip",)),
        }

    def test_hostile_inputs_fail_clearly_and_others_still_finish(self):
        normal = ffmpeg_lavfi(os.path.join(self.work, "normal.flac"), "sine=frequency=330:duration=12", "-ac", "2")
        first = self.upload_file(normal, title="Before")
        self.assertEqual(first.status, 201, first.body)

        pending = []
        for name, (data, words) in self.hostile_inputs().items():
            with self.subTest(name):
                r = self.upload_bytes(name, data, title=name)
                self.assertIn(r.status, (201, 415, 422), r.body[:300])
                if r.status == 201:
                    pending.append((name, r.json()["id"], words))
                    continue
                err = self.assertEnvelope(r, r.status)
                if r.status == 415:
                    self.assertEqual(err["code"], "unsupported_media_type")
                self.assertTrue(any(w.lower() in err["message"].lower() for w in words),
                                f"{name}: the message should name the problem: {err['message']!r}")
                self.assertNotIn("/", err["message"].replace("N/A", ""), "no internal paths")
            self.assertEqual(self.server.get("/health").status, 200, f"server down after {name}")

        second = self.upload_file(normal, title="After")
        self.assertEqual(second.status, 201, second.body)
        for name, track_id, words in pending:
            with self.subTest(name):
                t = self.wait_settled(track_id)
                self.assertEqual(t["status"], "failed", f"{name} should fail, got {t}")
                self.assertTrue(t["status_message"], t)
        for r in (first, second):
            t = self.wait_settled(r.json()["id"])
            self.assertEqual(t["status"], "ready", t)
        self.assertEqual(self.server.get("/health").status, 200)


class CrashRecovery(MediaTestCase):
    """Each test owns a server it kills; the class server only exists for the shared helpers."""

    LEASE_FLAGS = FAST_FLAGS + UPLOAD_FLAGS + ("--set", "jobs.lease_ms=2000")

    def own_server(self):
        server = VezaServer(flags=self.LEASE_FLAGS, env={"VEZA_SECRETS_JWT": JWT_SECRET}).start()
        self.addCleanup(server.stop)
        r = server.request("POST", "/api/v1/auth/register",
                           body={"email": f"c{uuid.uuid4().hex[:8]}@example.com",
                                 "username": "c" + uuid.uuid4().hex[:8], "password": "tangerine-koala-88"})
        self.assertEqual(r.status, 201, r.body)
        return server, r.json()["access_token"]

    def long_source(self, seconds=60):
        return ffmpeg_lavfi(os.path.join(self.work, "long.flac"),
                            f"aevalsrc=0.3*sin(2*PI*220*t)|0.3*sin(2*PI*330*t):s=44100:d={seconds}")

    def media_child(self, server):
        for pid, argv in children_of(server.proc.pid):
            if "media-task" in argv:
                return pid
        return None

    def wait_processing(self, server, token, track_id):
        """Until the media child runs and has reported real progress."""
        def busy():
            t = self.track(track_id, server, token)
            self.assertEqual(t["status"], "processing", t)
            return t["progress"]["stage"] == "processing" and t["progress"]["percent"] >= 10 \
                and self.media_child(server)
        return wait_for(busy, 120, what="the media child to make progress")

    def test_server_killed_mid_job_finishes_after_restart_without_orphans(self):
        server, token = self.own_server()
        r = self.upload_file(self.long_source(60), server=server, token=token)
        self.assertEqual(r.status, 201, r.body)
        track_id = r.json()["id"]
        child = self.wait_processing(server, token, track_id)

        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait(timeout=10)
        # The orphaned child must not keep burning CPU for a job nobody will collect.
        wait_for(lambda: not os.path.exists(f"/proc/{child}") or open(f"/proc/{child}/stat").read().split(")")[1]
                 .split()[0] == "Z", 15, what="the orphaned media child to end")

        server.database_url = database_url(server)
        server.port = None
        killed_at = time.time()
        server.start()
        t = self.wait_settled(track_id, server=server, token=token)
        self.assertEqual(t["status"], "ready", t)
        self.assertGreaterEqual(time.time() - killed_at, 1.0, "picked up only once the 2 s lease ran out")
        self.assertAlmostEqual(t["duration_ms"] / 1000, 60, delta=0.5)
        self.assert_only_owned_objects(server, [track_id])
        self.assert_no_scratch_left(server)

        self.assertEqual(server.request("DELETE", f"/api/v1/tracks/{track_id}",
                                        headers={"Authorization": "Bearer " + token}).status, 204)
        self.assertEqual(files_under(os.path.join(server.data_dir, "objects")), set())

    def test_media_child_killed_mid_job_is_retried(self):
        server, token = self.own_server()
        r = self.upload_file(self.long_source(60), server=server, token=token)
        self.assertEqual(r.status, 201, r.body)
        track_id = r.json()["id"]
        child = self.wait_processing(server, token, track_id)
        os.kill(child, signal.SIGKILL)

        t = self.wait_settled(track_id, server=server, token=token)
        self.assertEqual(t["status"], "ready", t)
        metrics = server.get("/metrics").body.decode()
        self.assertRegex(metrics, r'veza_jobs_finished_total\{kind="track.process",outcome="retried"\} 1')
        self.assertEqual(server.get("/health").status, 200)
        self.assert_only_owned_objects(server, [track_id])
        self.assert_no_scratch_left(server)


class UploadMemory(MediaTestCase):
    # Upload only: no job may decode the gigabyte while we measure.
    flags = FAST_FLAGS + UPLOAD_FLAGS + ("--set", "jobs.in_serve=false")

    def test_one_gib_upload_raises_rss_by_less_than_64_mib(self):
        free = shutil.disk_usage(self.server.data_dir).free
        if free < 3 * GIB:
            self.skipTest(f"needs 3 GiB free for the spooled body and the stored original; {free / GIB:.1f} GiB free")
        pid = self.server.proc.pid
        # Warm the upload path (pools, parsers, the database) with a small upload first.
        small = self.upload_bytes("warm.wav", wav_header(44100 * 4) + sine_pcm_chunk(44100 * 4))
        self.assertEqual(small.status, 201, small.body)
        time.sleep(0.5)
        baseline = vm_rss_kib(pid)

        peak = [baseline]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], vm_rss_kib(pid))
                time.sleep(0.01)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        size = GIB
        header = wav_header(size - 44)
        try:
            status, body = stream_multipart_upload(
                self.server.port, "/api/v1/tracks", {"Authorization": "Bearer " + self.token},
                {"title": "A gigabyte", "visibility": "private"}, "big.wav", header, sine_pcm_chunk(MIB), size)
        finally:
            done.set()
            sampler.join()
        self.assertEqual(status, 201, body[:500])
        track = json.loads(body)
        self.assertEqual(track["original"]["size_bytes"], size)
        grown_mib = (peak[0] - baseline) / 1024
        print(f"\n1 GiB upload: RSS baseline {baseline / 1024:.1f} MiB, peak {peak[0] / 1024:.1f} MiB, "
              f"+{grown_mib:.1f} MiB")
        self.assertLess(grown_mib, 64)

        r = self.authed("DELETE", f"/api/v1/tracks/{track['id']}", self.token)
        self.assertEqual(r.status, 204)
        self.assertEqual([p for p in files_under(os.path.join(self.server.data_dir, "objects"))
                          if p.startswith(f"tracks/{track['id']}/")], [])


def chord_progression(chords, chord_s=2.0, repeats=3):
    """Triangle-tone triads, `chord_s` seconds each, the progression played `repeats` times (lavfi)."""
    cycle = chord_s * len(chords)
    terms = []
    for i, chord in enumerate(chords):
        tones = "+".join(f"asin(sin(2*PI*{hz}*t))" for hz in chord)
        gate = f"between(mod(t\\,{cycle})\\,{i * chord_s}\\,{(i + 1) * chord_s - 0.001})"
        terms.append(f"{gate}*0.15*({tones})")
    return f"aevalsrc={'+'.join(terms)}:s=44100:d={cycle * repeats}"


def drum_pattern(bpm=128, seconds=30):
    """Kick (pitch-dropping sine + click) on every beat and a noise hat on the off-beats."""
    beat = 60 / bpm
    kick = f"mod(t\\,{beat})"
    hat = f"mod(t+{beat / 2}\\,{beat})"
    expr = (f"0.8*sin(2*PI*(50*{kick}+2.4*(1-exp(-40*{kick}))))*exp(-12*{kick})"
            f"+0.3*(random(0)*2-1)*exp(-300*{kick})+0.15*(random(1)*2-1)*exp(-60*{hat})")
    return f"aevalsrc={expr}:s=44100:d={seconds}"


class AnalysisAccuracy(MediaTestCase):
    def test_loudness_tempo_key_and_waveform_through_the_api(self):
        sources = {
            # Stereo 1 kHz sine at −20 dBFS peak: −20.0 LUFS (see the pipeline unit test for the sum).
            "sine.wav": ("aevalsrc=0.1*sin(2*PI*1000*t)|0.1*sin(2*PI*1000*t):s=44100:d=10", ("-c:a", "pcm_s16le")),
            "drums.flac": (drum_pattern(), ("-c:a", "flac")),
            # Am – Dm – E – Am
            "a-minor.mp3": (chord_progression([(220.00, 261.63, 329.63), (293.66, 349.23, 440.00),
                                               (164.81, 207.65, 246.94), (220.00, 261.63, 329.63)]),
                            ("-c:a", "libmp3lame", "-b:a", "192k")),
            # E♭ – A♭ – B♭ – E♭
            "e-flat-major.ogg": (chord_progression([(311.13, 392.00, 466.16), (207.65, 261.63, 311.13),
                                                    (233.08, 293.66, 349.23), (311.13, 392.00, 466.16)]),
                                 ("-c:a", "libvorbis", "-q:a", "6")),
        }
        ids = {}
        for name, (source, encode) in sources.items():
            path = ffmpeg_lavfi(os.path.join(self.work, name), source, *encode)
            r = self.upload_file(path, title=name)
            self.assertEqual(r.status, 201, r.body)
            ids[name] = r.json()["id"]
        tracks = {name: self.wait_settled(track_id) for name, track_id in ids.items()}
        for name, t in tracks.items():
            self.assertEqual(t["status"], "ready", f"{name}: {t}")

        self.assertAlmostEqual(tracks["sine.wav"]["loudness_lufs"], -20.0, delta=0.5)
        self.assertAlmostEqual(tracks["sine.wav"]["true_peak_dbtp"], -20.0, delta=0.3)
        self.assertAlmostEqual(tracks["sine.wav"]["replay_gain_db"], -14.0 - tracks["sine.wav"]["loudness_lufs"],
                               delta=0.05)
        self.assertAlmostEqual(tracks["drums.flac"]["detected_bpm"], 128.0, delta=1.0)
        self.assertEqual(tracks["a-minor.mp3"]["detected_key"], "A minor")
        self.assertEqual(tracks["a-minor.mp3"]["detected_key_camelot"], "8A")
        self.assertEqual(tracks["e-flat-major.ogg"]["detected_key"], "E♭ major")
        self.assertEqual(tracks["e-flat-major.ogg"]["detected_key_camelot"], "5B")

        for name, t in tracks.items():
            seconds = t["duration_ms"] / 1000
            for resolution in ("overview", "detail"):
                with self.subTest(name=name, resolution=resolution):
                    r = self.server.get(f"/api/v1/tracks/{t['id']}/waveform?resolution={resolution}")
                    self.assertEqual(r.status, 200, r.body)
                    w = r.json()
                    self.assertEqual((w["version"], w["channels"], w["bits"]), (2, 1, 8))
                    self.assertEqual(len(w["data"]), 2 * w["length"])
                    pixel_s = w["samples_per_pixel"] / w["sample_rate"]
                    self.assertAlmostEqual(w["length"] * pixel_s, seconds, delta=pixel_s + 0.05)
                    if resolution == "detail":
                        self.assertAlmostEqual(1 / pixel_s, 20, delta=2)
                    else:
                        self.assertAlmostEqual(w["length"], 1800, delta=200)


if __name__ == "__main__":
    unittest.main()
