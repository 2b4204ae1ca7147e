#!/usr/bin/env python3
"""Turns the gateway benchmark's raw results into a Markdown table of medians and ratios.

Input: a tab-separated file written by run.sh, one wrk run per line:
    config  round  requests_per_sec  p50_us  p99_us  requests  non_2xx  socket_errors
Output (stdout): the table, then the ratios against the targets of issue 2. Exit status 1 when
a run had non-2xx answers or socket errors, since its figures would not measure what they claim.
"""

import statistics
import sys
from collections import OrderedDict

LABELS = OrderedDict(
    [
        ("upstream", "upstream direct (nginx :18081)"),
        ("nginx", "nginx reverse proxy (:18082)"),
        ("plain", "rampart plain proxy"),
        ("hs256-1", "rampart JWT HS256, one token"),
        ("hs256-1000", "rampart JWT HS256, 1,000 tokens"),
        ("es256-1", "rampart JWT ES256, one token"),
        ("es256-1000", "rampart JWT ES256, 1,000 tokens"),
    ]
)

# (numerator, denominator, target, what) for requests/s; p99 is compared for plain vs nginx.
RATIOS = [
    ("plain", "nginx", 1.0, "rampart plain / nginx"),
    ("hs256-1", "plain", 0.9, "JWT HS256 one token / rampart plain"),
    ("hs256-1000", "plain", 0.9, "JWT HS256 1,000 tokens / rampart plain"),
    ("es256-1", "plain", 0.9, "JWT ES256 one token / rampart plain"),
    ("es256-1000", "plain", 0.9, "JWT ES256 1,000 tokens / rampart plain"),
]


def read_runs(path):
    """Runs grouped by configuration, in file order."""
    runs = OrderedDict()
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            fields = line.split()
            if len(fields) != 8:
                continue
            config = fields[0]
            rps, p50, p99 = float(fields[2]), int(fields[3]), int(fields[4])
            requests, non_2xx, errors = int(fields[5]), int(fields[6]), int(fields[7])
            runs.setdefault(config, []).append((rps, p50, p99, requests, non_2xx, errors))
    return runs


def medians(runs):
    """Median requests/s, p50 and p99 (microseconds) per configuration, plus error totals."""
    table = OrderedDict()
    for config, samples in runs.items():
        table[config] = {
            "rps": statistics.median(s[0] for s in samples),
            "p50": statistics.median(s[1] for s in samples),
            "p99": statistics.median(s[2] for s in samples),
            "rps_all": [s[0] for s in samples],
            "bad": sum(s[4] + s[5] for s in samples),
            "rounds": len(samples),
        }
    return table


def ms(micros):
    """Microseconds shown as milliseconds."""
    return f"{micros / 1000:.2f}"


def print_table(table):
    """The medians as a Markdown table."""
    print("| configuration | req/s (median) | p50 ms | p99 ms | req/s of each round | errors |")
    print("|---|---:|---:|---:|---|---:|")
    for config, label in LABELS.items():
        row = table.get(config)
        if row is None:
            continue
        rounds = " / ".join(f"{r:.0f}" for r in row["rps_all"])
        print(
            f"| {label} | {row['rps']:.0f} | {ms(row['p50'])} | {ms(row['p99'])} "
            f"| {rounds} | {row['bad']} |"
        )


def print_ratios(table):
    """Ratios of medians against the targets, each marked met or MISSED."""
    print()
    print("| ratio (medians) | value | target | result |")
    print("|---|---:|---:|---|")
    for num, den, target, what in RATIOS:
        if num not in table or den not in table:
            continue
        value = table[num]["rps"] / table[den]["rps"]
        verdict = "met" if value >= target else "MISSED"
        print(f"| {what}, req/s | {value:.2f} | >= {target:.1f} | {verdict} |")
    if "plain" in table and "nginx" in table:
        ours, theirs = table["plain"]["p99"], table["nginx"]["p99"]
        verdict = "met" if ours <= theirs else "MISSED"
        print(
            f"| rampart plain p99 / nginx p99 | {ours / theirs:.2f} "
            f"({ms(ours)} vs {ms(theirs)} ms) | <= 1.0 | {verdict} |"
        )


def main():
    """Prints the report; exit 1 if any run saw errors."""
    if len(sys.argv) != 2:
        sys.exit("usage: report.py RESULTS_TSV")
    table = medians(read_runs(sys.argv[1]))
    print_table(table)
    print_ratios(table)
    bad = [config for config, row in table.items() if row["bad"]]
    if bad:
        print(f"\nwarning: non-2xx answers or socket errors in: {', '.join(bad)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
