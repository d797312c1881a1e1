"""Track media through the real binary: uploaded covers (PUT/GET /tracks/{id}/cover), the owner in track JSON,
delivery metrics in /metrics, `veza admin storage gc`, and delivery from S3 (s3rver on loopback) both proxied
and redirected to presigned URLs."""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import unittest
import uuid

import image_helpers as img
from auth_helpers import FAST_FLAGS, IdentityTestCase, admin
from harness import ENGINE, PG_URL, REPO, psql, with_database
from media_helpers import multipart
from test_tracks import generate

S3_TESTING = os.path.join(REPO, "server", "src", "storage", "testing")
BUCKET = "veza-it"


class MediaCase(IdentityTestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="veza-media-it-")
        self.addCleanup(shutil.rmtree, self.work, True)
        self.name = "artist" + uuid.uuid4().hex[:8]
        self.token = self.register(self.name)["access_token"]

    def upload_ready(self, seconds=3, token=None, title="Song"):
        src = os.path.join(self.work, uuid.uuid4().hex + ".wav")
        generate(src, seconds=seconds)
        with open(src, "rb") as f:
            body, ctype = multipart({"title": title, "visibility": "public", "downloadable": "true"},
                                    "song.wav", f.read())
        r = self.authed("POST", "/api/v1/tracks", token or self.token, body=body, headers={"Content-Type": ctype})
        self.assertEqual(r.status, 201, r.body)
        track_id = r.json()["id"]
        deadline = time.time() + 120
        while time.time() < deadline:
            t = self.server.get(f"/api/v1/tracks/{track_id}").json()
            if t["status"] != "processing":
                self.assertEqual(t["status"], "ready", t)
                return t
            time.sleep(0.3)
        self.fail("track still processing")

    def put_cover(self, track_id, data, content_type="image/jpeg", token=None):
        return self.authed("PUT", f"/api/v1/tracks/{track_id}/cover", token or self.token, body=data,
                           headers={"Content-Type": content_type})

    def metrics(self):
        text = self.server.get("/metrics").body.decode()
        values = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                values[name] = float(value)
        return values

    def drop_track_row(self, track_id):
        """Forgets a track in the database only, so its objects become orphans."""
        sql = f"DELETE FROM tracks WHERE id = {int(track_id)}"
        if ENGINE == "postgres":
            psql(with_database(PG_URL, self.server.pg_database), sql)
        else:
            with sqlite3.connect(os.path.join(self.server.data_dir, "veza.db")) as db:
                db.execute(sql)


class Covers(MediaCase):
    def object_files(self, prefix):
        out = []
        for root, _, files in os.walk(os.path.join(self.server.data_dir, "objects", prefix)):
            out += [os.path.relpath(os.path.join(root, f), os.path.join(self.server.data_dir, "objects"))
                    for f in files]
        return sorted(out)

    def test_cover_upload_sizes_caching_and_replacement(self):
        track = self.upload_ready()
        tid = track["id"]
        photo = img.with_exif(img.red_blue_jpeg(900, 600), orientation=6)
        r = self.put_cover(tid, photo)
        self.assertEqual(r.status, 200, r.body)
        url = r.json()["cover_url"]
        self.assertRegex(url, rf"^/api/v1/tracks/{tid}/cover\?v=\d+$")
        self.assertEqual(self.server.get(f"/api/v1/tracks/{tid}").json()["cover_url"], url)

        big = self.server.get(url)
        self.assertEqual(big.status, 200, big.body[:300])
        self.assertEqual(big.header("content-type"), "image/jpeg")
        self.assertEqual(img.jpeg_size(big.body), (1200, 1200))
        self.assertFalse(img.jpeg_has_metadata(big.body))
        self.assertIn("immutable", big.header("cache-control"))
        self.assertIn("public", big.header("cache-control"))
        # Nearest size: the smallest at least as large as asked, else the largest.
        for asked, side in ((300, 500), (500, 500), (120, 200), (501, 1200), (5000, 1200)):
            r = self.server.get(f"{url}&size={asked}")
            self.assertEqual(r.status, 200)
            self.assertEqual(img.jpeg_size(r.body), (side, side), asked)
        self.assertEnvelope(self.server.get(f"{url}&size=big"), 422)
        etag = big.header("etag")
        self.assertEqual(self.server.get(url, headers={"If-None-Match": etag}).status, 304)
        unversioned = self.server.get(f"/api/v1/tracks/{tid}/cover")
        self.assertEqual(unversioned.body, big.body)
        self.assertNotIn("immutable", unversioned.header("cache-control"))

        version = url.split("v=")[1]
        covers = [f for f in self.object_files(f"tracks/{tid}") if "/cover" in f]
        self.assertEqual(covers, [f"tracks/{tid}/cover-{version}-{s}.jpg" for s in ("1200", "200", "500")])
        second = self.put_cover(tid, img.png(64, 64, (0, 0, 200)), "image/png").json()["cover_url"]
        self.assertNotEqual(second, url)
        v2 = second.split("v=")[1]
        covers = [f for f in self.object_files(f"tracks/{tid}") if "/cover" in f]
        self.assertEqual(covers, [f"tracks/{tid}/cover-{v2}-{s}.jpg" for s in ("1200", "200", "500")])

    def test_cover_refusals(self):
        tid = self.upload_ready(seconds=2)["id"]
        other = self.register("other" + uuid.uuid4().hex[:8])["access_token"]
        self.assertEnvelope(self.put_cover(tid, img.png(32, 32), "image/png", token=other), 403)
        self.assertEnvelope(self.server.request("PUT", f"/api/v1/tracks/{tid}/cover", body=img.png(8, 8),
                                                headers={"Content-Type": "image/png"}), 401)
        self.assertEnvelope(self.put_cover(tid, b"hello", "text/plain"), 415)
        self.assertEnvelope(self.put_cover(tid, img.GIF, "image/gif"), 415)
        self.assertEnvelope(self.put_cover(tid, img.red_blue_jpeg(64, 64)[:200]), 422)
        self.assertEnvelope(self.put_cover(tid, img.png_bomb(), "image/png"), 422)
        # Refused from the announced length, before any of the body is read.
        head = (f"PUT /api/v1/tracks/{tid}/cover HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {self.token}\r\n"
                f"Content-Type: image/jpeg\r\nContent-Length: {10 * 1024 * 1024 + 1}\r\n\r\n").encode()
        self.assertRegex(self.server.raw(head).split(b"\r\n", 1)[0], rb" 413 ")
        self.assertIsNone(self.server.get(f"/api/v1/tracks/{tid}").json()["cover_url"])


class Owners(MediaCase):
    def test_owner_in_every_track_listing(self):
        self.authed("PATCH", "/api/v1/users/me", self.token, body={"display_name": "The Artist"})
        avatar = self.authed("PUT", "/api/v1/users/me/avatar", self.token, body=img.png(64, 64),
                             headers={"Content-Type": "image/png"}).json()["avatar_url"]
        track = self.upload_ready(seconds=2)
        second_owner = "second" + uuid.uuid4().hex[:8]
        other = self.register(second_owner)["access_token"]
        self.upload_ready(seconds=2, token=other)

        def check(t, username):
            self.assertEqual(t["owner"]["username"], username)
            self.assertEqual(t["owner"]["id"], t["user_id"])
            self.assertIn("display_name", t["owner"])
            self.assertIn("avatar_url", t["owner"])

        one = self.server.get(f"/api/v1/tracks/{track['id']}").json()
        check(one, self.name)
        self.assertEqual(one["owner"]["display_name"], "The Artist")
        self.assertEqual(one["owner"]["avatar_url"], avatar)
        listed = self.server.get("/api/v1/tracks?limit=100").json()["items"]
        owners = {t["owner"]["username"] for t in listed}
        self.assertTrue({self.name, second_owner} <= owners, owners)
        for t in listed:
            self.assertIsNotNone(t["owner"])
        mine = self.server.get(f"/api/v1/users/{self.name}/tracks").json()["items"]
        self.assertEqual(len(mine), 1)
        check(mine[0], self.name)


class MetricsAndGc(MediaCase):
    def test_delivery_and_processing_metrics_move(self):
        before = self.metrics()
        track = self.upload_ready(seconds=3)
        grant = self.server.get(f"/api/v1/tracks/{track['id']}/stream").json()
        master = self.server.get(grant["hls_url"])
        self.assertEqual(master.status, 200)
        variant_uri = [l for l in master.body.decode().splitlines() if l and not l.startswith("#")][0]
        base = grant["hls_url"].split("master.m3u8")[0]
        variant = self.server.get(base + variant_uri)
        self.assertEqual(variant.status, 200)
        segment_uri = [l for l in variant.body.decode().splitlines() if l and not l.startswith("#")][0]
        folder = variant_uri.rsplit("/", 1)[0] + "/"
        segment = self.server.get(base + folder + segment_uri)
        self.assertEqual(segment.status, 200)
        after = self.metrics()

        def delta(name):
            return after.get(name, 0) - before.get(name, 0)

        self.assertEqual(delta("veza_media_playlist_requests_total"), 2)
        self.assertEqual(delta('veza_media_segments_served_total{delivery="file"}'), 1)
        self.assertEqual(delta('veza_media_bytes_served_total{kind="segment"}'), len(segment.body))
        self.assertEqual(delta('veza_media_bytes_served_total{kind="playlist"}'),
                         len(master.body) + len(variant.body))
        self.assertGreaterEqual(delta('veza_track_processing_seconds_count{outcome="done"}'), 1)
        for stage in ("probing", "processing", "uploading"):
            self.assertGreaterEqual(delta(f'veza_track_processing_stage_seconds_count{{stage="{stage}"}}'), 1, stage)

    def test_gc_lists_then_removes_orphans_only(self):
        kept = self.upload_ready(seconds=2)
        self.authed("PUT", "/api/v1/users/me/avatar", self.token, body=img.png(40, 40),
                    headers={"Content-Type": "image/png"})
        dropped = self.upload_ready(seconds=2)
        self.drop_track_row(dropped["id"])
        objects = os.path.join(self.server.data_dir, "objects")
        stray = os.path.join(objects, "users", "123456789", "avatar-1-512.jpg")
        os.makedirs(os.path.dirname(stray))
        with open(stray, "wb") as f:
            f.write(b"x" * 1000)

        def files():
            out = set()
            for root, _, names in os.walk(objects):
                out |= {os.path.relpath(os.path.join(root, n), objects) for n in names}
            return out

        before = files()
        orphans = {f for f in before if f.startswith(f"tracks/{dropped['id']}/")} | {"users/123456789/avatar-1-512.jpg"}
        self.assertGreater(len(orphans), 3)
        # Young objects are spared by default (an upload in flight stores objects before its row).
        code, out, err = admin(self.server, "storage", "gc")
        self.assertEqual(code, 0, err)
        self.assertIn("orphan(s) younger than", out)
        code, out, err = admin(self.server, "storage", "gc", "--min-age", "0")
        self.assertEqual(code, 0, err)
        listed = {line.split("\t")[2] for line in out.splitlines() if "\t" in line and not line.startswith("SIZE")}
        self.assertEqual(listed, orphans)
        self.assertIn("would be freed", out)
        self.assertEqual(files(), before)
        code, out, err = admin(self.server, "storage", "gc", "--apply", "--min-age", "0")
        self.assertEqual(code, 0, err)
        self.assertIn(f"deleted {len(orphans)}", out)
        self.assertEqual(files(), before - orphans)
        self.assertTrue(any(f.startswith(f"tracks/{kept['id']}/") for f in files()))
        self.assertEqual(self.server.get(f"/api/v1/tracks/{kept['id']}/download").status, 200)


def start_s3rver(directory):
    node = shutil.which("node")
    if not node or not os.path.isdir(os.path.join(S3_TESTING, "node_modules", "s3rver")):
        raise unittest.SkipTest("s3rver is not installed: run server/src/storage/testing/prepare")
    proc = subprocess.Popen([node, "--no-warnings", "--openssl-legacy-provider", "s3rver.mjs", directory, BUCKET],
                            cwd=S3_TESTING, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = proc.stdout.readline()
    return proc, json.loads(line)["port"]


class S3Delivery(MediaCase):
    """veza on the S3 store; `delivery` is set by the subclasses."""

    delivery = None

    @classmethod
    def setUpClass(cls):
        if cls.delivery is None:
            raise unittest.SkipTest("base class")
        cls.s3_dir = tempfile.mkdtemp(prefix="veza-s3rver-")
        cls.s3, port = start_s3rver(cls.s3_dir)
        cls.s3_flags = ("--set", "storage.backend=s3", "--set", f"storage.s3.endpoint=http://127.0.0.1:{port}",
                        "--set", f"storage.s3.bucket={BUCKET}", "--set", "storage.s3.access_key=S3RVER",
                        "--set", "storage.s3.secret_key=S3RVER", "--set", f"media.delivery={cls.delivery}")
        cls.flags = FAST_FLAGS + cls.s3_flags
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.s3.stdin.close()
        cls.s3.terminate()
        cls.s3.wait(timeout=10)
        shutil.rmtree(cls.s3_dir, ignore_errors=True)

    def bucket_keys(self, prefix):
        """Object keys in s3rver's directory (it stores each object as <key>._S3rver_object)."""
        root = os.path.join(self.s3_dir, BUCKET)
        keys = []
        for d, _, names in os.walk(root):
            for n in names:
                if n.endswith("._S3rver_object"):
                    keys.append(os.path.relpath(os.path.join(d, n[: -len("._S3rver_object")]), root))
        return sorted(k for k in keys if k.startswith(prefix))

    def hls_urls(self, track_id):
        grant = self.server.get(f"/api/v1/tracks/{track_id}/stream").json()
        master = self.server.get(grant["hls_url"])
        self.assertEqual(master.status, 200)
        self.assertIn(b"token=", master.body)
        base = grant["hls_url"].split("master.m3u8")[0]
        variant_uri = [l for l in master.body.decode().splitlines() if l and not l.startswith("#")][0]
        variant = self.server.get(base + variant_uri)
        self.assertEqual(variant.status, 200)
        # The stream token reaches every URI of the variant playlist too.
        uris = [l for l in variant.body.decode().splitlines() if l and not l.startswith("#")]
        uris += re.findall(r'URI="([^"]+)"', variant.body.decode())
        self.assertTrue(uris)
        for u in uris:
            self.assertIn("token=", u)
        folder = variant_uri.rsplit("/", 1)[0] + "/"
        return grant["hls_url"], base + folder + [l for l in variant.body.decode().splitlines()
                                                  if l and not l.startswith("#")][0]

    def ffprobe_duration(self, hls_url):
        url = f"http://127.0.0.1:{self.server.port}{hls_url}"
        out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", url],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        return float(out.stdout.strip())

    def test_stream_cover_download_then_delete_leaves_no_object(self):
        track = self.upload_ready(seconds=4)
        tid = track["id"]
        self.assertTrue(self.bucket_keys(f"tracks/{tid}/hls/"))
        hls_url, segment_url = self.hls_urls(tid)
        self.assertAlmostEqual(self.ffprobe_duration(hls_url), 4, delta=0.5)
        segment = self.server.get(segment_url)
        self.check_segment(segment, segment_url)
        self.assertEqual(self.put_cover(tid, img.png(300, 300), "image/png").status, 200)
        cover = self.server.get(self.server.get(f"/api/v1/tracks/{tid}").json()["cover_url"] + "&size=200")
        self.check_image(cover)
        download = self.server.get(f"/api/v1/tracks/{tid}/download", headers={"Range": "bytes=0-3"})
        self.check_download_head(download)

        self.assertEqual(self.authed("DELETE", f"/api/v1/tracks/{tid}", self.token).status, 204)
        self.assertEqual(self.bucket_keys(f"tracks/{tid}/"), [])

    def test_gc_on_s3(self):
        kept = self.upload_ready(seconds=2)
        dropped = self.upload_ready(seconds=2)
        self.drop_track_row(dropped["id"])
        orphans = self.bucket_keys(f"tracks/{dropped['id']}/")
        self.assertTrue(orphans)
        kept_keys = self.bucket_keys(f"tracks/{kept['id']}/")
        code, out, err = admin(self.server, "storage", "gc", "--min-age", "0", extra=self.s3_flags)
        self.assertEqual(code, 0, err)
        listed = sorted(line.split("\t")[2] for line in out.splitlines() if "\t" in line and not line.startswith("SIZE"))
        self.assertEqual(listed, orphans)
        code, out, err = admin(self.server, "storage", "gc", "--min-age", "0", "--apply", extra=self.s3_flags)
        self.assertEqual(code, 0, err)
        self.assertEqual(self.bucket_keys(f"tracks/{dropped['id']}/"), [])
        self.assertEqual(self.bucket_keys(f"tracks/{kept['id']}/"), kept_keys)


class S3Redirect(S3Delivery):
    delivery = "redirect"

    def follow(self, response):
        self.assertEqual(response.status, 302, response.body[:300])
        location = response.header("location")
        self.assertIn("X-Amz-Signature=", location)
        m = re.match(r"http://127\.0\.0\.1:(\d+)(/.*)$", location)
        self.assertIsNotNone(m, location)
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", int(m.group(1)), timeout=10)
        conn.request("GET", m.group(2))
        r = conn.getresponse()
        body = r.read()
        conn.close()
        self.assertEqual(r.status, 200, body[:300])
        return body

    def check_segment(self, segment, url):
        body = self.follow(segment)
        self.assertGreater(len(body), 1000)
        self.assertGreaterEqual(self.metrics().get('veza_media_segments_served_total{delivery="redirect"}', 0), 1)

    def check_image(self, cover):
        self.assertEqual(img.jpeg_size(self.follow(cover)), (200, 200))

    def check_download_head(self, download):
        self.assertTrue(self.follow(download).startswith(b"RIFF"))


class S3Proxy(S3Delivery):
    delivery = "proxy"

    def check_segment(self, segment, url):
        self.assertEqual(segment.status, 200, segment.body[:300])
        self.assertEqual(segment.header("content-type"), "audio/mp4")
        etag = segment.header("etag")
        self.assertTrue(etag)
        part = self.server.get(url, headers={"Range": "bytes=4-11"})
        self.assertEqual(part.status, 206)
        self.assertEqual(part.body, segment.body[4:12])
        self.assertEqual(self.server.get(url, headers={"If-None-Match": etag}).status, 304)
        self.assertGreaterEqual(self.metrics().get('veza_media_segments_served_total{delivery="proxy"}', 0), 1)

    def check_image(self, cover):
        self.assertEqual(cover.status, 200)
        self.assertEqual(img.jpeg_size(cover.body), (200, 200))

    def check_download_head(self, download):
        self.assertEqual(download.status, 206)
        self.assertEqual(download.body, b"RIFF")


if __name__ == "__main__":
    unittest.main()
