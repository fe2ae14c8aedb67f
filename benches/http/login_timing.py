#!/usr/bin/env python3
# Usage: python3 benches/http/login_timing.py PORT   (against a running `patrolmap serve` of the demo)
# Median sign-in times: 20 wrong passwords for a real name against 20 unknown names, interleaved,
# each from loopback addresses 127.0.0.2..5 so the throttle (5 per name and address) never answers.
import http.client, json, statistics, sys, time
port = int(sys.argv[1])
def attempt(src, name):
    c = http.client.HTTPConnection("127.0.0.1", port, source_address=(src, 0))
    body = json.dumps({"username": name, "password": "not-the-password"})
    t = time.perf_counter()
    c.request("POST", "/api/login", body, {"Content-Type": "application/json"})
    r = c.getresponse(); r.read()
    dt = (time.perf_counter() - t) * 1000
    c.close()
    assert r.status == 401, r.status
    return dt
real, unknown = [], []
for i in range(20):
    src = f"127.0.0.{2 + i // 5}"
    real.append(attempt(src, "manager"))
    unknown.append(attempt(src, f"nobody-{i}"))
print(f"wrong password for a real name: median {statistics.median(real):.1f} ms")
print(f"unknown name:                   median {statistics.median(unknown):.1f} ms")
