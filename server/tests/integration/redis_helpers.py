"""A throwaway redis-server on a free loopback port in a temporary directory, stopped by PID."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ping(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """Start with start(); None from start() means redis-server is missing (callers skip loudly)."""

    def __init__(self):
        self.dir = None
        self.proc = None
        self.port = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}"

    def start(self):
        binary = shutil.which("redis-server") or ("/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server")
                                                  else None)
        if binary is None:
            print("\n*** WARNING: redis-server is not installed; `scripts/setup --test` installs it. "
                  "SKIPPING the Redis tests.\n", file=sys.stderr)
            return None
        self.dir = tempfile.mkdtemp(prefix="veza-it-redis-")
        for _ in range(5):
            self.port = free_port()
            self.proc = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                          "--appendonly", "no", "--dir", self.dir, "--loglevel", "warning"],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.dir)
            deadline = time.time() + 10
            while time.time() < deadline and self.proc.poll() is None:
                if ping(self.port):
                    return self
                time.sleep(0.05)
            self.stop_process()
        raise RuntimeError("redis-server did not start")

    def stop_process(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def stop(self):
        self.stop_process()
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
