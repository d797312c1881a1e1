"""Helpers for resumable (tus 1.0.0) upload tests: raw protocol requests, a server restart that keeps
its data and database, and generated audio."""

import base64
import hashlib
import os
import subprocess
import time

from harness import with_database, PG_URL

TUS = {"Tus-Resumable": "1.0.0"}
OFFSET_STREAM = "application/offset+octet-stream"


def b64(text):
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def checksum(data):
    return "sha256 " + base64.b64encode(hashlib.sha256(data).digest()).decode()


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def generate(path, seconds=8, extra=(), channels=2, rate=44100):
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"sine=frequency=440:sample_rate={rate}:duration={seconds}", "-ac", str(channels), *extra, path],
                   check=True, timeout=120)


def restart(server, hard=True):
    """Stops the server (SIGKILL when `hard`) and starts it again on the same data dir and database."""
    if server.pg_database and not server.database_url:
        server.database_url = with_database(PG_URL, server.pg_database)
    if hard:
        server.kill()
    else:
        server.signal(15)
        server.wait(30)
    server.port = None
    server.start()


class TusMixin:
    """Expects self.server and self.token (IdentityTestCase-style)."""

    def tus(self, method, path, token=None, headers=None, body=None):
        h = dict(TUS)
        if token is not False:
            h["Authorization"] = "Bearer " + (token or self.token)
        h.update(headers or {})
        return self.server.request(method, path, body=body, headers=h, timeout=60)

    def create(self, length, name="song.flac", token=None, headers=None, body=None):
        h = {"Upload-Length": str(length), "Upload-Metadata": f"filename {b64(name)},filetype {b64('audio/flac')}"}
        h.update(headers or {})
        return self.tus("POST", "/api/v1/uploads", token=token, headers=h, body=body)

    def patch(self, url, offset, data, token=None, headers=None):
        h = {"Upload-Offset": str(offset), "Content-Type": OFFSET_STREAM}
        h.update(headers or {})
        return self.tus("PATCH", url, token=token, headers=h, body=data)

    def head(self, url, token=None):
        return self.tus("HEAD", url, token=token)

    def upload_file(self, path, chunk=256 * 1024, token=None):
        """Creates and fills an upload with raw PATCHes (each with a checksum); returns its URL."""
        size = os.path.getsize(path)
        r = self.create(size, name=os.path.basename(path), token=token)
        self.assertEqual(r.status, 201, r.body)
        url = r.header("location")
        offset = 0
        with open(path, "rb") as f:
            while offset < size:
                data = f.read(chunk)
                p = self.patch(url, offset, data, token=token, headers={"Upload-Checksum": checksum(data)})
                self.assertEqual(p.status, 204, p.body)
                offset = int(p.header("upload-offset"))
        return url

    def track_from_upload(self, url, title="Song", token=None, **fields):
        body = {"upload_id": url.rsplit("/", 1)[1], "title": title, "visibility": "public"}
        body.update(fields)
        return self.server.request("POST", "/api/v1/tracks", body=body,
                                   headers={"Authorization": "Bearer " + (token or self.token)}, timeout=60)

    def wait_ready(self, track_id, timeout=180, token=None):
        deadline = time.time() + timeout
        while time.time() < deadline:
            t = self.server.request("GET", f"/api/v1/tracks/{track_id}",
                                    headers={"Authorization": "Bearer " + (token or self.token)}).json()
            if t["status"] != "processing":
                return t
            time.sleep(0.5)
        self.fail("track still processing after %ss" % timeout)
