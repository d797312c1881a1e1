"""Helpers shared by the benchmarks: free loopback ports, readiness probes, RSS, wrk runs parsed into
(req/s, p50 ms, p99 ms), and a Release `veza serve` started with bench-friendly settings."""

import os
import re
import socket
import subprocess
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VEZA = os.environ.get("VEZA_BIN", os.path.join(REPO, "build", "release", "veza"))
THREADS, CONNECTIONS = 2, 64
DURATION = os.environ.get("BENCH_DURATION", "10s")
WARMUP = "2s"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port, path="/", timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(f"GET {path} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
                if s.recv(16).startswith(b"HTTP/1."):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answers on port {port}")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def to_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def wrk(url, duration, script=None):
    extra = ["-s", script] if script else []
    out = subprocess.run(["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", duration, "--latency", *extra, url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        raise RuntimeError(f"{url}: {non2xx.group(1)} non-2xx responses\n{out}")
    return rps, p50, p99


def measure(url, script=None):
    wrk(url, WARMUP, script)
    return wrk(url, DURATION, script)


def start_veza(work, extra=()):
    """A `veza serve` on a free port with no access log and rate limiting off (wrk is one client IP)."""
    port = free_port()
    data = os.path.join(work, "veza-data")
    proc = subprocess.Popen([VEZA, "serve", "--listen", f"127.0.0.1:{port}", "--data", data,
                             "--set", "log.access=false", "--set", "rate_limit.enabled=false",
                             "--log-level", "warn", *extra], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(port, "/health")
    return proc, port
