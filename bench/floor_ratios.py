#!/usr/bin/env python3
"""Each loopback row of chain_benchmark as a multiple of the kernel's floor, from one run.

Runs the benchmark binary `--rounds` times (each `--benchmark_repetitions=R`), takes the median
real time of every row over all rounds, and divides each row that reports `requests` by the floor
of exactly its pattern of requests and connections, from the same run:

  floor (connect:1)  connections x BM_LoopbackRoundTrip/connect:1
                     + (requests - connections) x BM_LoopbackRoundTrip/connect:0
  floor (asleep)     the same with BM_LoopbackRoundTrip_ServerAsleep/think_us:50 for each new
                     connection: the round trip of a client whose connect has to wake an idle
                     server, as a cold resolution's does (see chain_benchmark.cc)

A row without a `connections` counter (against an external server) gets no ratio. Also prints
each row's voluntary context switches per iteration, which is where a loopback row's time goes on
a machine whose thread wake-ups are expensive.

Usage: bench/floor_ratios.py CHAIN_BENCHMARK [--rounds N] [--repetitions R]
                             [--filter REGEX] [--min-time S]
Loopback only: the benchmark binary starts its own servers on 127.0.0.1.
"""
import argparse
import json
import statistics
import subprocess
import sys

CONNECT0 = "BM_LoopbackRoundTrip/connect:0/real_time"
CONNECT1 = "BM_LoopbackRoundTrip/connect:1/real_time"
ASLEEP = "BM_LoopbackRoundTrip_ServerAsleep/think_us:50/real_time"
DEFAULT_FILTER = "LoopbackRoundTrip|_Loopback|BareServer"


def micros(bench):
    scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[bench["time_unit"]]
    return bench["real_time"] * scale


def run_rounds(args):
    """{row name: [real time in us, ...]} and {row name: last counters seen}."""
    times, counters = {}, {}
    for _ in range(args.rounds):
        command = [args.binary, "--benchmark_filter=" + args.filter,
                   "--benchmark_repetitions=%d" % args.repetitions,
                   "--benchmark_format=json"]
        if args.min_time is not None:
            command.append("--benchmark_min_time=%g" % args.min_time)
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            sys.exit("floor_ratios: %s exited with %d" % (args.binary, done.returncode))
        for bench in json.loads(done.stdout)["benchmarks"]:
            if bench.get("run_type") != "iteration":
                continue
            if bench.get("error_occurred"):
                sys.exit("floor_ratios: %s: %s" % (bench["run_name"], bench.get("error_message")))
            times.setdefault(bench["run_name"], []).append(micros(bench))
            counters[bench["run_name"]] = bench
    return times, counters


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binary")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--filter", default=DEFAULT_FILTER)
    parser.add_argument("--min-time", type=float, default=None)
    args = parser.parse_args()
    if "LoopbackRoundTrip" not in args.filter:
        args.filter = "LoopbackRoundTrip|" + args.filter

    times, counters = run_rounds(args)
    median = {name: statistics.median(values) for name, values in times.items()}
    for floor in (CONNECT0, CONNECT1, ASLEEP):
        if floor not in median:
            sys.exit("floor_ratios: %s did not run" % floor.replace("/real_time", ""))
    c0, c1, asleep = median[CONNECT0], median[CONNECT1], median[ASLEEP]
    samples = len(times[CONNECT0])
    print("medians of %d repetitions (%d rounds x %d), real time; floors from the same run:"
          % (samples, args.rounds, args.repetitions))
    print("  connect:0 %.1f us   connect:1 %.1f us   server asleep %.1f us" % (c0, c1, asleep))
    print("%-46s %10s %5s %5s %8s %10s %10s" % ("row", "median", "req", "conn", "ctxsw",
                                                  "x connect:1", "x asleep"))
    for name in sorted(median):
        bench = counters[name]
        if "requests" not in bench or not ("_Loopback" in name or "_BareServer" in name):
            continue  # in-process rows (a replay transport, no socket) have no kernel floor
        requests = bench["requests"]
        if "connections" not in bench:
            print("%-46s %8.1f us %5.2f   (no connections counter: no floor)" % (
                name.replace("/real_time", ""), median[name], requests))
            continue
        connections = bench["connections"]
        kept = max(0.0, requests - connections)
        floor1 = connections * c1 + kept * c0
        floor_asleep = connections * asleep + kept * c0
        print("%-46s %8.1f us %5.2f %5.2f %8.2f %10.2f %10.2f" % (
            name.replace("/real_time", ""), median[name], requests, connections,
            bench.get("vol_ctxsw", float("nan")), median[name] / floor1,
            median[name] / floor_asleep))
    return 0


if __name__ == "__main__":
    sys.exit(main())
