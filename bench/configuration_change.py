"""How fast a configuration change reaches bookings: Capannori's desk manager closes the main
office for a day through the tenants API, and an operator keeps trying to book that day until
scheduling refuses (NOT_A_SLOT); then the slots must leave the listings, and come back once the
closure is deleted. Repeated over many days, against a stack of its own (tests/e2e/harness.py:
tenants, scheduling, a Redis, two roles per service) with the caches' TTLs set to an hour, so
only the change events (tenants' outbox relay, the directory stream, scheduling's tail) can
explain a refusal.

The baseline of the same session is the probe itself: a refused booking's round trip, measured
once the change has arrived. The goal (issue 7) is a refusal within 1 s of the closure's commit
(the reply to CreateClosure); before the events, it took the directory's 30 s TTL, and the
listings the availability values' 5 minutes.

Run by bench/run (scenario `configuration`), which provides the environment:
  SPORTELLI_TEST_PG_ADMIN_DSN  a superuser DSN on the benchmark's PostgreSQL (dbname=postgres)
  SPORTELLI_BUILD_DIR          the RelWithDebInfo build
  SPORTELLI_PROTO_DIR          proto/
  BENCH_CONFIG_CYCLES          closures to measure (default 20)
Writes the JSON of every measurement to the file named by its first argument.
"""

import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import harness  # noqa: E402

STUBS = tempfile.mkdtemp(prefix="sportelli-stubs-")
harness.generate_stubs(harness.fail_without("SPORTELLI_PROTO_DIR"), STUBS)

from clients import DeskManager, wait_until  # noqa: E402

PATIENCE_SECONDS = 60  # a lost event shows as a missing measurement, not a hang


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(values):
    if not values:
        return None
    return {"count": len(values), "p50_ms": 1000 * statistics.median(values),
            "p90_ms": 1000 * percentile(values, 0.9), "max_ms": 1000 * max(values)}


def main():
    cycles = int(os.environ.get("BENCH_CONFIG_CYCLES", "20"))
    results = {"refused": [], "unlisted": [], "listed_again": [], "probe": [], "missed": 0}
    with harness.Stack(services=("tenants", "scheduling"),
                       environment={"SPORTELLI_TENANTS_CACHE_TTL": "1h"}) as stack:
        manager = DeskManager(stack)
        days = manager.days_with_slots(minimum_slots=3, weeks=8)
        if not days:
            sys.exit("the seeded desk has no day with free slots in eight weeks")
        for cycle in range(cycles):
            day, slots = days[cycle % len(days)]
            manager.slots(day, day)  # the day cached, as a portal would have it
            closure = manager.close_desk(day)
            start = time.monotonic()
            refused = wait_until(lambda: manager.refused_as_closed(slots), PATIENCE_SECONDS)
            unlisted = wait_until(lambda: manager.slots(day, day) == [], PATIENCE_SECONDS)
            if refused is None or unlisted is None:
                results["missed"] += 1
            else:
                results["refused"].append(refused)
                results["unlisted"].append(time.monotonic() - start)
            # The baseline: what one probe costs once the change is there.
            for _ in range(5):
                probe_start = time.monotonic()
                manager.refused_as_closed(slots)
                results["probe"].append(time.monotonic() - probe_start)
            manager.reopen_desk(closure)
            listed = wait_until(lambda: len(manager.slots(day, day)) > 0, PATIENCE_SECONDS)
            if listed is None:
                results["missed"] += 1
            else:
                results["listed_again"].append(listed)
        manager.close()

    report = {name: summary(values) for name, values in results.items() if name != "missed"}
    report["missed"] = results["missed"]
    report["raw_seconds"] = {name: values for name, values in results.items() if name != "missed"}
    with open(sys.argv[1], "w") as f:
        json.dump(report, f, indent=2)
    for name in ("refused", "unlisted", "listed_again", "probe"):
        s = report[name]
        if s:
            print(f"{name:13} n={s['count']:3}  p50 {s['p50_ms']:7.1f} ms  p90 {s['p90_ms']:7.1f} ms  "
                  f"max {s['max_ms']:7.1f} ms")
    print(f"missed (no effect within {PATIENCE_SECONDS} s): {results['missed']}")
    if report["refused"] and report["probe"]:
        print(f"refused p50 / probe p50: {report['refused']['p50_ms'] / report['probe']['p50_ms']:.1f}")
    return 0 if results["missed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
