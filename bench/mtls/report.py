#!/usr/bin/env python3
"""Medians and ratios of bench/mtls/run.sh results (lines of key=value pairs).

Exits 1 when any run saw an error or a non-2xx answer: a fast failure is not a result.
"""
import statistics
import sys

TITLES = {
    "handshake": "new handshakes/s (connect, mTLS handshake, 1 request, close)",
    "keepalive": "requests/s over kept-alive mTLS connections",
}


def parse(path):
    runs = []
    with open(path) as lines:
        for line in lines:
            fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
            if "rate" in fields:
                runs.append(fields)
    return runs


def main(path):
    runs = parse(path)
    failed = False
    medians = {}
    print("| measurement | target | median | p50 ms | p99 ms | each round | errors | TLS |")
    print("|---|---|---:|---:|---:|---|---:|---|")
    for mode in ("handshake", "keepalive"):
        for target in ("nginx", "rampart", "rampart-tls13"):
            mine = [r for r in runs if r["mode"] == mode and r["target"] == target]
            if not mine:
                continue
            rates = [float(r["rate"]) for r in mine]
            p50 = statistics.median(float(r["p50_us"]) for r in mine) / 1000
            p99 = statistics.median(float(r["p99_us"]) for r in mine) / 1000
            errors = sum(int(r["errors"]) + int(r["non2xx"]) for r in mine)
            failed |= errors > 0
            medians[(mode, target)] = statistics.median(rates)
            each = " / ".join(f"{rate:.0f}" for rate in rates)
            tls = " ".join(mine[0].get(k, "?") for k in ("tls", "kx", "suite"))
            print(f"| {TITLES[mode]} | {target} | {medians[(mode, target)]:.0f} | {p50:.2f} "
                  f"| {p99:.2f} | {each} | {errors} | {tls} |")

    print()
    print("| ratio (medians) | value | target | result |")
    print("|---|---:|---:|---|")
    for mode in ("handshake", "keepalive"):
        nginx, rampart = medians.get((mode, "nginx")), medians.get((mode, "rampart"))
        if not nginx or rampart is None:
            continue
        ratio = rampart / nginx
        verdict = "met" if ratio >= 1.0 else "MISSED"
        print(f"| rampart / nginx, {TITLES[mode]} | {ratio:.2f} | >= 1.0 | {verdict} |")
    if failed:
        print("\nSOME RUNS SAW ERRORS OR NON-2XX ANSWERS: the figures above are not valid.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
