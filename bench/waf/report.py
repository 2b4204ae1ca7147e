#!/usr/bin/env python3
"""Turns the WAF benchmark's raw results into Markdown tables of medians and ratios.

    report.py THROUGHPUT_TSV SERIAL_TSV CLOCK_TICKS_PER_SECOND

THROUGHPUT_TSV, one wrk run per line (rampart's CPU ticks during the run last):
    shape  target  round  req_per_sec  p50_us  p99_us  requests  non_2xx  socket_errors  ticks
SERIAL_TSV, one single-connection wrk run per line:
    shape  target  round  req_per_sec  p50_us  p99_us  requests  non_2xx  socket_errors
Prints the throughput table, the ratios against the targets of issue 6 and the inspection cost
per request. Exit status 1 when a run had non-2xx answers or socket errors, since its figures
would not measure benign traffic.
"""

import statistics
import sys
from collections import OrderedDict

SHAPES = OrderedDict(
    [
        ("get", "small GET, 4 query args"),
        ("json", "4 KB JSON POST"),
        ("form", "64 KB urlencoded form POST"),
    ]
)
TARGETS = OrderedDict(
    [
        ("off", "rampart, WAF off"),
        ("waf", "rampart, CRS PL1 block"),
        ("modsec", "nginx + ModSecurity 3 + CRS PL1"),
    ]
)


def read_runs(path, fields_per_line):
    """Runs grouped by (shape, target): tuples of numbers after the round."""
    runs = OrderedDict()
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            fields = line.split()
            if len(fields) != fields_per_line:
                continue
            numbers = tuple(float(f) for f in fields[3:])
            runs.setdefault((fields[0], fields[1]), []).append(numbers)
    return runs


def summarize(runs, ticks_per_second):
    """Medians of req/s, p50, p99 (µs) and CPU µs per request, plus error totals."""
    table = {}
    for key, samples in runs.items():
        row = {
            "rps": statistics.median(s[0] for s in samples),
            "p50": statistics.median(s[1] for s in samples),
            "p99": statistics.median(s[2] for s in samples),
            "rps_all": [s[0] for s in samples],
            "bad": int(sum(s[4] + s[5] for s in samples)),
        }
        if len(samples[0]) > 6 and key[1] != "modsec":
            per_request = [s[6] / ticks_per_second / s[3] * 1e6 for s in samples if s[3]]
            row["cpu_us"] = statistics.median(per_request) if per_request else None
        table[key] = row
    return table


def ms(micros):
    """Microseconds shown as milliseconds."""
    return f"{micros / 1000:.2f}"


def print_throughput(table):
    """Throughput medians per shape and target."""
    print("### Throughput (wrk, medians)")
    print()
    print("| shape | target | req/s | p50 ms | p99 ms | rampart CPU µs/req | req/s per round "
          "| non-2xx + errors |")
    print("|---|---|---:|---:|---:|---:|---|---:|")
    for shape, shape_label in SHAPES.items():
        for target, target_label in TARGETS.items():
            row = table.get((shape, target))
            if row is None:
                continue
            rounds = " / ".join(f"{r:.0f}" for r in row["rps_all"])
            cpu = row.get("cpu_us")
            cpu_text = f"{cpu:.0f}" if cpu is not None else "-"
            print(f"| {shape_label} | {target_label} | {row['rps']:.0f} | {ms(row['p50'])} "
                  f"| {ms(row['p99'])} | {cpu_text} | {rounds} | {row['bad']} |")


def print_ratios(table):
    """WAF on against WAF off (target >= 0.5) and against ModSecurity (target >= 20)."""
    print()
    print("### Ratios against the targets (req/s medians)")
    print()
    print("| shape | WAF on / WAF off | target >= 0.50 | WAF on / ModSecurity | target >= 20 |")
    print("|---|---:|---|---:|---|")
    for shape, label in SHAPES.items():
        on, off, modsec = (table.get((shape, t)) for t in ("waf", "off", "modsec"))
        if not (on and off and modsec):
            continue
        vs_off = on["rps"] / off["rps"]
        vs_modsec = on["rps"] / modsec["rps"]
        print(f"| {label} | {vs_off:.2f} | {verdict(vs_off >= 0.5)} | {vs_modsec:.1f} "
              f"| {verdict(vs_modsec >= 20)} |")


def verdict(met):
    """The word the tables use for a target."""
    return "met" if met else "MISSED"


def print_inspection(serial, table):
    """Inspection cost: serial latency differences and CPU time differences."""
    print()
    print("### Inspection cost per request (WAF route minus WAF-off route)")
    print()
    print("| shape | serial p50 µs off / on | serial p99 µs off / on | inspection p50 µs "
          "| inspection p99 µs | CPU µs/req off / on | inspection CPU µs/req |")
    print("|---|---|---|---:|---:|---|---:|")
    for shape, label in SHAPES.items():
        off, on = serial.get((shape, "off")), serial.get((shape, "waf"))
        loaded_off, loaded_on = table.get((shape, "off")), table.get((shape, "waf"))
        if not (off and on and loaded_off and loaded_on):
            continue
        cpu_off, cpu_on = loaded_off.get("cpu_us"), loaded_on.get("cpu_us")
        cpu = f"{cpu_off:.0f} / {cpu_on:.0f}" if cpu_off and cpu_on else "-"
        cpu_diff = f"{cpu_on - cpu_off:.0f}" if cpu_off and cpu_on else "-"
        print(f"| {label} | {off['p50']:.0f} / {on['p50']:.0f} | {off['p99']:.0f} / "
              f"{on['p99']:.0f} | {on['p50'] - off['p50']:.0f} | {on['p99'] - off['p99']:.0f} "
              f"| {cpu} | {cpu_diff} |")


def main():
    """Prints the report; exit 1 if any run saw errors."""
    if len(sys.argv) != 4:
        sys.exit("usage: report.py THROUGHPUT_TSV SERIAL_TSV CLOCK_TICKS_PER_SECOND")
    ticks = float(sys.argv[3])
    table = summarize(read_runs(sys.argv[1], 10), ticks)
    serial = summarize(read_runs(sys.argv[2], 9), ticks)
    print_throughput(table)
    print_ratios(table)
    print_inspection(serial, table)
    bad = [f"{s}/{t}" for (s, t), row in table.items() if row["bad"]]
    bad += [f"{s}/{t} (serial)" for (s, t), row in serial.items() if row["bad"]]
    if bad:
        print(f"\nwarning: non-2xx answers or socket errors in: {', '.join(bad)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
