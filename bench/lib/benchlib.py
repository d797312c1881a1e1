"""Helpers the benchmarks share: free loopback ports, waiting for a server, RSS, wrk runs parsed into
numbers, and a throwaway nginx (one worker, no access log) on loopback as the baseline."""

import os
import re
import socket
import subprocess
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
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


def load_average():
    """The 1-minute load average, for noting how busy the shared machine was during a run."""
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def to_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def to_bytes(text):
    m = re.match(r"([\d.]+)([KMG]?)B", text)
    return float(m.group(1)) * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(2)]


def wrk(url, duration, script=None):
    """(req/s, p50 ms, p99 ms, transfer bytes/s); refuses runs with any non-2xx answer. `script`: a wrk Lua
    file (e.g. to set an Authorization header)."""
    extra = ["-s", script] if script else []
    out = subprocess.run(["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", duration, "--latency", *extra, url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    transfer = to_bytes(re.search(r"Transfer/sec:\s+(\S+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        raise RuntimeError(f"{url}: {non2xx.group(1)} non-2xx responses\n{out}")
    return rps, p50, p99, transfer


def measure(url, script=None):
    wrk(url, WARMUP, script)
    return wrk(url, DURATION, script)


def start_nginx(work, locations):
    """nginx with one worker serving `locations` (the inside of a server block) on a loopback port."""
    port = free_port()
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {work}; proxy_temp_path {work}; fastcgi_temp_path {work};
  uwsgi_temp_path {work}; scgi_temp_path {work};
  server {{
    listen 127.0.0.1:{port};
    {locations}
  }}
}}
""")
    proc = subprocess.Popen(["nginx", "-c", conf, "-p", work], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(port)
    return proc, port


def start_veza(binary, work, extra=()):
    """`veza serve` on a loopback port on the same footing as nginx: no access log, and no rate limiting
    (wrk is one client IP; with limits on, it would measure 429s)."""
    port = free_port()
    data = os.path.join(work, "veza-data")
    proc = subprocess.Popen([binary, "serve", "--listen", f"127.0.0.1:{port}", "--data", data,
                             "--set", "log.access=false", "--set", "rate_limit.enabled=false",
                             "--log-level", "warn", *extra], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(port, "/health")
    return proc, port, data


def stop_all(procs):
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
