"""Helpers for the media integration tests: audio generated at test time (ffmpeg), hand-crafted hostile
headers, multipart bodies built in memory or streamed from a generator, /proc readings of the server and
its children, and the object files a track owns according to its playlists."""

import math
import os
import socket
import struct
import subprocess
import time
import uuid


def ffmpeg_lavfi(path, source, *encode):
    """Renders a lavfi source (e.g. "sine=frequency=1000:duration=5") to `path` with the given encode args."""
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", source, *encode, path],
                   check=True, timeout=120)
    return path


def multipart(fields, file_name, data, content_type="application/octet-stream"):
    boundary = "veza-" + uuid.uuid4().hex
    parts = []
    for k, v in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
                 f"Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def wav_header(data_bytes, channels=2, rate=44100, bits=16):
    """A canonical 44-byte PCM WAV header declaring `data_bytes` of samples (whatever follows it)."""
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * block, block, bits)
    return (b"RIFF" + struct.pack("<I", (36 + data_bytes) & 0xFFFFFFFF) + b"WAVE" +
            b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", data_bytes))


def caf_header(channels, data_bytes, rate=44100.0, bits=16):
    """A Core Audio Format header: its channel count is 32-bit, so it can claim 100,000 channels, which
    WAV, AIFF and FLAC headers cannot express (16, 16 and 3 bits)."""
    bytes_per_packet = channels * bits // 8
    desc = struct.pack(">d4sIIIII", rate, b"lpcm", 2, bytes_per_packet & 0xFFFFFFFF, 1, channels, bits)
    return (b"caff" + struct.pack(">HH", 1, 0) + b"desc" + struct.pack(">q", len(desc)) + desc +
            b"data" + struct.pack(">q", data_bytes + 4) + struct.pack(">I", 0))


def zip_bytes(path_inside="song.wav", payload=b"RIFF"):
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(path_inside, payload * 256)
    return buf.getvalue()


def sine_pcm_chunk(size, channels=2, rate=44100, hz=440.0, amplitude=0.3):
    """`size` bytes of 16-bit interleaved PCM (a whole number of periods where possible)."""
    frames = size // (2 * channels)
    one = bytearray()
    for i in range(frames):
        v = int(amplitude * 32767 * math.sin(2 * math.pi * hz * i / rate))
        one += struct.pack("<h", v) * channels
    return bytes(one)


def stream_multipart_upload(port, path, headers, fields, file_name, file_head, file_chunk, file_size,
                            on_sent=None, timeout=600):
    """POSTs a multipart body whose file part is `file_head` followed by `file_chunk` repeated (the last
    copy cut) up to `file_size` bytes, generated while sending: nothing of that size exists in memory or
    on disk on the client side. Returns (status, body bytes)."""
    boundary = "veza-" + uuid.uuid4().hex
    pre = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                   for k, v in fields.items())
    pre += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n").encode()
    post = f"\r\n--{boundary}--\r\n".encode()
    length = len(pre) + file_size + len(post)
    head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {length}",
            f"Content-Type: multipart/form-data; boundary={boundary}", "Connection: close"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + pre + file_head)
        left = file_size - len(file_head)
        sent = len(file_head)
        view = memoryview(file_chunk)
        while left > 0:
            n = min(left, len(file_chunk))
            s.sendall(view[:n])
            left -= n
            sent += n
            if on_sent:
                on_sent(sent)
        s.sendall(post)
        data = b""
        while True:
            c = s.recv(65536)
            if not c:
                break
            data += c
    finally:
        s.close()
    status_line, _, rest = data.partition(b"\r\n")
    status = int(status_line.split()[1])
    return status, rest.partition(b"\r\n\r\n")[2]


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def children_of(pid):
    """Pids whose parent is `pid`, with their command lines."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid != pid:
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().split(b"\0")
            out.append((int(entry), [c.decode("utf-8", "replace") for c in cmd if c]))
        except (OSError, ValueError, IndexError):
            continue
    return out


def wait_for(predicate, timeout, interval=0.1, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def files_under(root):
    found = set()
    for base, _, files in os.walk(root):
        for name in files:
            found.add(os.path.relpath(os.path.join(base, name), root))
    return found


def playlist_uris(text):
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.startswith("#")] + \
           [part.split('"')[1] for line in text.splitlines() if line.startswith("#EXT-X-MAP")
            for part in line.split("URI=")[1:]]
