#!/usr/bin/env python3
"""Reliability under attack, against the release `tfreg serve` on loopback (plain HTTP/1.1, local
file store), printing each figure beside its limit. Not part of CI; bench/reliability.sh builds
the binary, runs this, then the 16-way large download (bench/download.sh).

1. Slow-body flood: N sockets (default 4000) each send `PUT /v1/modules/acme/slow/aws/1.0.0`
   with `Content-Length: 60000000`, 10 bytes of body, no token, then stay silent; then as many
   with the master token. Counts answers by status, how long they took, the connections and
   file descriptors the server holds after 3 s and 25 s, its peak RSS, and whether a valid
   request still succeeds in the middle of the flood.
2. Bombs: 8 concurrent uploads of a ~2 MB gzip bomb (a tar holding 2 GiB of zeros) and 4 of a
   ~4 MB archive within the limits (400 MiB of low-entropy data); peak RSS of the server.
3. kill -9 during uploads: 3 upload sessions each streaming 300 MB to the registry-signed URL;
   the server is killed mid-way and restarted; prints the leftovers under uploads/, then what
   `tfreg fsck` reports and what `tfreg fsck --repair --grace 0s` leaves.
4. wrk -t2 -c256 -d60s on the versions and download answers: errors and RSS before and after.

  python3 bench/reliability.py BIN [flood-sockets]
"""

import http.client
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zlib

BIN = os.path.abspath(sys.argv[1])
SOCKETS = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
TOKEN = "tfreg_bench-master-token-0123456789"
PORT = 18611
WORK = tempfile.mkdtemp(prefix="tfreg-reliability-")
STORE = os.path.join(WORK, "store")


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


class Server:
    def __init__(self, *extra):
        self.proc = subprocess.Popen(
            [BIN, "serve", "--plain-http", "--listen", f"127.0.0.1:{PORT}", "--storage", f"file://{STORE}", *extra],
            env={**os.environ, "TFREG_MASTER_TOKEN": TOKEN, "TFREG_LOG": "error"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for line in self.proc.stdout:
            if "listening on" in line:
                break
        else:
            raise SystemExit(f"tfreg did not start (exit {self.proc.wait()})")
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()

    def status(self, key):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def fds(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def connections(self):
        out = subprocess.run(["ss", "-Htn", "state", "established", f"( sport = :{PORT} )"], capture_output=True, text=True).stdout
        return len(out.splitlines())

    def stop(self, signal_kill=False):
        (self.proc.kill if signal_kill else self.proc.terminate)()
        self.proc.wait()


def request(method, path, body=None, token=TOKEN, timeout=30):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=timeout)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def flood(count, token):
    """Opens `count` slow uploads; returns the sockets, and per socket its status and seconds."""
    head = "PUT /v1/modules/acme/slow/aws/1.0.0 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 60000000\r\n"
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    payload = (head + "\r\n").encode() + b"0123456789"
    sockets, results = [], []
    lock = threading.Lock()

    def wait(sock, started):
        sock.settimeout(60)
        try:
            first = sock.recv(4096)
            status = int(first.split(b" ")[1]) if first.startswith(b"HTTP/1.1") else None
        except OSError:
            status = None
        with lock:
            results.append((status, time.monotonic() - started))

    for _ in range(count):
        try:
            sock = socket.create_connection(("127.0.0.1", PORT), timeout=5)
            started = time.monotonic()
            sock.sendall(payload)
        except OSError:
            with lock:
                results.append(("connect failed", 0.0))
            continue
        sockets.append(sock)
        threading.Thread(target=wait, args=(sock, started), daemon=True).start()
    return sockets, results, lock


def summarise(results):
    by = {}
    for status, took in results:
        by.setdefault(status, []).append(took)
    return ", ".join(f"{s}: {len(t)} (max {max(t):.2f} s)" for s, t in sorted(by.items(), key=str))


def part_flood():
    print(f"== 1. slow-body flood: {SOCKETS} sockets without a token, then {SOCKETS // 10} with the master token")
    server = Server("--body-idle-timeout-secs", "20")
    idle = server.status("VmRSS")
    sockets, results, lock = flood(SOCKETS, None)
    time.sleep(3)
    mid = request("GET", "/.well-known/terraform.json", token=None, timeout=5)[0]
    print(f"   after 3 s: connections {server.connections()}, fds {server.fds()}; a valid request meanwhile: {mid}")
    with lock:
        print(f"   answers: {summarise(results)}   (want: all 401 at once)")
    authorized, auth_results, auth_lock = flood(SOCKETS // 10, TOKEN)
    time.sleep(3)
    with auth_lock:
        print(f"   with a token after 3 s: {summarise(auth_results)}   (want: 429 beyond 8 per principal)")
    time.sleep(25)
    with auth_lock:
        print(f"   with a token after 28 s: {summarise(auth_results)}   (want: the 8 given up with 408 once under 1 KiB/s after the 10 s grace)")
    print(
        f"   after 28 s: connections {server.connections()}, fds {server.fds()};"
        f" RSS idle {idle:.1f} MB, peak {server.status('VmHWM'):.1f} MB"
    )
    for sock in sockets + authorized:
        sock.close()
    server.stop()


def tar_gz_stream(path, files):
    """Writes a .tar.gz of `files` ((name, size, chunk_maker)) without holding them in memory."""
    with tarfile.open(path, "w:gz") as tar:
        for name, size, chunk in files:
            info = tarfile.TarInfo(name)
            info.size = size

            class Reader:
                left = size

                def read(self, n=-1):
                    n = self.left if n < 0 else min(n, self.left)
                    out = chunk(n)
                    self.left -= len(out)
                    return out

            tar.addfile(info, Reader())


def part_bombs():
    print("== 2. archive bombs and large archives")
    bomb = os.path.join(WORK, "bomb.tar.gz")
    tar_gz_stream(bomb, [("main.tf", 0, lambda n: b""), ("zeros.bin", 2 << 30, lambda n: bytes(n))])

    def low_entropy(n):
        block = bytearray(n)
        for i in range(0, n, 65536):
            block[i : i + 640] = os.urandom(min(640, n - i))
        return bytes(block)

    big = os.path.join(WORK, "big.tar.gz")
    tar_gz_stream(big, [("main.tf", 0, lambda n: b""), ("a.bin", 200 << 20, low_entropy), ("b.bin", 200 << 20, low_entropy)])
    for name, path, count in [("gzip bomb", bomb, 8), ("archive within the limits", big, 4)]:
        shutil.rmtree(STORE, ignore_errors=True)
        server = Server()
        idle = server.status("VmRSS")
        with open(path, "rb") as f:
            body = f.read()
        statuses = []

        def publish(n):
            statuses.append(request("PUT", f"/v1/modules/acme/m{n}/aws/1.0.0", body=body, timeout=300)[0])

        started = time.monotonic()
        threads = [threading.Thread(target=publish, args=(n,)) for n in range(count)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        peak = server.status("VmHWM")
        bodies = count * len(body) / (1 << 20)
        print(
            f"   {count} x {name} ({len(body) >> 10} KiB): statuses {sorted(statuses)} in {time.monotonic() - started:.1f} s;"
            f" RSS idle {idle:.1f} MB, peak {peak:.1f} MB, of which request bodies {bodies:.1f} MB;"
            f" beyond idle and bodies {peak - idle - bodies:.1f} MB (want: a few MB, whatever the archives unpack to)"
        )
        server.stop()


def leftovers():
    root = os.path.join(STORE, "uploads")
    total, files = 0, 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            total += os.path.getsize(os.path.join(dirpath, name))
            files += 1
    return files, total


def part_kill():
    print("== 3. kill -9 during upload-session PUTs")
    shutil.rmtree(STORE, ignore_errors=True)
    server = Server("--upload-ttl-secs", "5")
    urls = []
    for _ in range(3):
        status, data = request("POST", "/v1/uploads", body=b"{}")
        # Links name https (the scheme a TLS proxy in front of --plain-http serves); here it is http.
        url = json.loads(data)["upload_url"].replace("https://", "http://")
        urls.append(url if url.startswith("http") else f"http://127.0.0.1:{PORT}{url}")
    source = os.path.join(WORK, "300mb.bin")
    with open(source, "wb") as f:
        for _ in range(300):
            f.write(os.urandom(1 << 20))
    curls = [
        subprocess.Popen(["curl", "-s", "-o", "/dev/null", "--limit-rate", "40M", "-T", source, url], stderr=subprocess.DEVNULL)
        for url in urls
    ]
    time.sleep(3)
    server.stop(signal_kill=True)
    for c in curls:
        c.wait()
    files, size = leftovers()
    print(f"   after kill -9: {files} files, {size >> 20} MiB under uploads/ (the sessions expire after 5 s)")
    time.sleep(6)
    fsck = subprocess.run([BIN, "fsck", "--storage", f"file://{STORE}", "--output", "json"], capture_output=True, text=True)
    print(f"   tfreg fsck: exit {fsck.returncode}; {fsck.stdout.strip()[:600] or fsck.stderr.strip()[:600]}")
    repair = subprocess.run([BIN, "fsck", "--storage", f"file://{STORE}", "--repair", "--grace", "0s"], capture_output=True, text=True)
    print(f"   tfreg fsck --repair --grace 0s: exit {repair.returncode}")
    files, size = leftovers()
    print(f"   after repair: {files} files, {size >> 20} MiB under uploads/   (want: 0)")


def part_wrk(seconds=60):
    print(f"== 4. wrk -t2 -c256 -d{seconds}s on the versions and download answers (after the floods)")
    shutil.rmtree(STORE, ignore_errors=True)
    server = Server()
    module = os.path.join(WORK, "tiny.tar.gz")
    tar_gz_stream(module, [("main.tf", 16, lambda n: b"variable \"x\" {}\n"[:n])])
    with open(module, "rb") as f:
        assert request("PUT", "/v1/modules/acme/vpc/aws/1.0.0", body=f.read())[0] == 201
    for name, path in [("versions", "/v1/modules/acme/vpc/aws/versions"), ("download", "/v1/modules/acme/vpc/aws/1.0.0/download")]:
        before = server.status("VmRSS")
        out = subprocess.run(
            ["wrk", "-t2", "-c256", f"-d{seconds}s", "-H", f"Authorization: Bearer {TOKEN}", f"http://127.0.0.1:{PORT}{path}"],
            capture_output=True, text=True,
        ).stdout
        rate = next((l.split()[1] for l in out.splitlines() if l.startswith("Requests/sec")), "?")
        errors = [l.strip() for l in out.splitlines() if "Socket errors" in l or "Non-2xx" in l]
        print(
            f"   {name}: {rate} req/s; errors: {errors or 'none'};"
            f" RSS before {before:.1f} MB, after {server.status('VmRSS'):.1f} MB, peak {server.status('VmHWM'):.1f} MB"
        )
    server.stop()


if __name__ == "__main__":
    print(f"open-file limit of this client: {raise_nofile()}")
    try:
        part_flood()
        part_bombs()
        part_kill()
        part_wrk()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
