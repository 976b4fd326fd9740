#!/usr/bin/env python3
"""How long one activity type ran in the given workflows, read from their Temporal
histories: from the worker taking the task (ActivityTaskStarted) to its result being
recorded (ActivityTaskCompleted), i.e. the activity's own work plus one RPC, without
the queueing and workflow-task round trips around it.

    activity_times.py TEMPORAL_BIN ADDRESS NAMESPACE ACTIVITY_TYPE < workflow_ids

Prints `p50 X ms, p90 X ms, p99 X ms, max X ms (n = N)`.
"""
import json
import subprocess
import sys
from datetime import datetime


def when(event):
    stamp = event["eventTime"]
    head, _, frac = stamp.rstrip("Z").partition(".")
    micros = (frac + "000000")[:6]
    return datetime.fromisoformat(f"{head}.{micros}+00:00").timestamp()


def durations(temporal, address, namespace, activity, workflow_id):
    out = subprocess.run(
        [temporal, "workflow", "show", "--address", address, "-n", namespace,
         "-w", workflow_id, "--output", "json"],
        check=True, capture_output=True, text=True).stdout
    events = json.loads(out)["events"]
    scheduled, started = set(), {}
    for e in events:
        attrs = e.get("activityTaskScheduledEventAttributes")
        if attrs and attrs["activityType"]["name"] == activity:
            scheduled.add(str(e["eventId"]))
        attrs = e.get("activityTaskStartedEventAttributes")
        if attrs and str(attrs["scheduledEventId"]) in scheduled:
            started[str(e["eventId"])] = when(e)
        attrs = e.get("activityTaskCompletedEventAttributes")
        if attrs and str(attrs["startedEventId"]) in started:
            yield (when(e) - started[str(attrs["startedEventId"])]) * 1000.0


def main():
    temporal, address, namespace, activity = sys.argv[1:5]
    times = sorted(
        ms for line in sys.stdin if line.strip()
        for ms in durations(temporal, address, namespace, activity, line.strip()))
    if not times:
        print("no completed activity found")
        return

    def pct(p):
        return times[min(len(times) - 1, max(0, round(p / 100 * len(times)) - 1))]

    print(f"p50 {pct(50):.1f} ms, p90 {pct(90):.1f} ms, p99 {pct(99):.1f} ms, "
          f"max {times[-1]:.1f} ms (n = {len(times)})")


if __name__ == "__main__":
    main()
