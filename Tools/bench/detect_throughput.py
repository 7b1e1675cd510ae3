"""Throughput of `POST /v1/detect` under N concurrent clients (standard library only: threads + http.client).

Every client posts the same image (raw PNG body, keep-alive connection) back to back for --duration seconds
after a short warm-up; prints requests/s, p50/p95/max latency, the errors, and the distribution of the
server-reported `backbone_batch_size` (how many images shared each backbone call).

Usage: python3 Tools/bench/detect_throughput.py --port 18090 --image scene.png [--clients 8] [--duration 30]
          [--warmup 3] [--query 'steps=4&boxes=100&seed=1'] [--json]
"""

import argparse
import http.client
import json
import statistics
import threading
import time
from collections import Counter


def client_loop(args, body, stop_at, record_from, latencies, batches, server_ms, errors, lock):
    connection = http.client.HTTPConnection(args.host, args.port, timeout=600)
    path = "/v1/detect" + (f"?{args.query}" if args.query else "")
    while True:
        start = time.perf_counter()
        if start >= stop_at:
            break
        try:
            connection.request("POST", path, body=body, headers={"Content-Type": "image/png"})
            response = connection.getresponse()
            payload = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            with lock:
                errors[type(error).__name__] += 1
            connection.close()
            connection = http.client.HTTPConnection(args.host, args.port, timeout=600)
            continue
        end = time.perf_counter()
        if end < record_from:
            continue
        with lock:
            if status != 200:
                errors[f"HTTP {status}"] += 1
                continue
            latencies.append((end - start, end))
            timings = json.loads(payload)["timings"]
            batches[timings["backbone_batch_size"]] += 1
            server_ms.append((timings["backbone_ms"], timings["head_ms"]))
    connection.close()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--query", default="")
    parser.add_argument("--label", default="")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with open(args.image, "rb") as f:
        body = f.read()
    latencies, batches, server_ms, errors, lock = [], Counter(), [], Counter(), threading.Lock()
    begin = time.perf_counter()
    record_from = begin + args.warmup
    stop_at = record_from + args.duration
    threads = [threading.Thread(target=client_loop, args=(args, body, stop_at, record_from, latencies, batches,
                                                          server_ms, errors, lock)) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Requests completed inside the measured window [record_from, stop_at] (the last ones may finish later).
    window = [lat for lat, end in latencies if end <= stop_at]
    values = [lat for lat, _ in latencies]
    result = {
        "label": args.label, "clients": args.clients, "duration_s": args.duration, "completed": len(values),
        "requests_per_s": len(window) / args.duration,
        "p50_ms": percentile(values, 0.5) * 1e3 if values else None,
        "p95_ms": percentile(values, 0.95) * 1e3 if values else None,
        "max_ms": max(values) * 1e3 if values else None,
        "mean_ms": statistics.mean(values) * 1e3 if values else None,
        "backbone_batch_sizes": dict(sorted(batches.items())), "errors": dict(errors),
        # Server-reported per request: the (shared) backbone call's time and this request's head time.
        "server_backbone_ms": statistics.median(b for b, _ in server_ms) if server_ms else None,
        "server_head_ms": statistics.median(h for _, h in server_ms) if server_ms else None,
    }
    if args.json:
        print(json.dumps(result, sort_keys=True))
    else:
        print(f"{args.label} clients {args.clients}: {result['requests_per_s']:.2f} req/s, "
              f"p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms, max {result['max_ms']:.0f} ms, "
              f"batch sizes {result['backbone_batch_sizes']}, server median backbone {result['server_backbone_ms']:.1f} ms / "
              f"head {result['server_head_ms']:.1f} ms, errors {result['errors']}")


if __name__ == "__main__":
    main()
