#!/usr/bin/env python3
"""How long activities took in the given workflows, read from their Temporal histories.

    activity_times.py TEMPORAL_BIN ADDRESS NAMESPACE SPEC [SPEC ...] < workflow_ids

A SPEC is an activity type, measured from the worker taking the task
(ActivityTaskStarted) to its result being recorded (ActivityTaskCompleted): the
activity's own work plus one RPC, without the queueing and workflow-task round trips
around it. `TYPE:waited` measures the queueing instead: from the activity being
scheduled (ActivityTaskScheduled) to a worker taking it. The type `workflow_task`
measures the workflow tasks the same way (scheduled → taken → completed: the worker
running the workflow code between activities).

With one SPEC prints `p50 X ms, p90 X ms, p99 X ms, max X ms (n = N)`; with several, one
such line per SPEC, prefixed with `SPEC: `. Each history is read once.
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


def history(temporal, address, namespace, workflow_id):
    out = subprocess.run(
        [temporal, "workflow", "show", "--address", address, "-n", namespace,
         "-w", workflow_id, "--output", "json"],
        check=True, capture_output=True, text=True).stdout
    return json.loads(out)["events"]


def durations(events):
    """(activity type, 'ran' or 'waited', ms) for every completed activity, and the
    same for every completed workflow task (type `workflow_task`)."""
    scheduled = {}  # scheduled event id -> (type, time)
    started = {}  # started event id -> (type, time)
    for e in events:
        if e.get("workflowTaskScheduledEventAttributes") is not None:
            scheduled[str(e["eventId"])] = ("workflow_task", when(e))
        attrs = e.get("workflowTaskStartedEventAttributes")
        if attrs is not None and str(attrs.get("scheduledEventId")) in scheduled:
            kind, at = scheduled[str(attrs["scheduledEventId"])]
            started[str(e["eventId"])] = (kind, when(e))
            yield kind, "waited", (when(e) - at) * 1000.0
        attrs = e.get("workflowTaskCompletedEventAttributes")
        if attrs is not None and str(attrs.get("startedEventId")) in started:
            kind, at = started[str(attrs["startedEventId"])]
            yield kind, "ran", (when(e) - at) * 1000.0
        attrs = e.get("activityTaskScheduledEventAttributes")
        if attrs:
            scheduled[str(e["eventId"])] = (attrs["activityType"]["name"], when(e))
        attrs = e.get("activityTaskStartedEventAttributes")
        if attrs and str(attrs["scheduledEventId"]) in scheduled:
            kind, at = scheduled[str(attrs["scheduledEventId"])]
            started[str(e["eventId"])] = (kind, when(e))
            yield kind, "waited", (when(e) - at) * 1000.0
        attrs = e.get("activityTaskCompletedEventAttributes")
        if attrs and str(attrs["startedEventId"]) in started:
            kind, at = started[str(attrs["startedEventId"])]
            yield kind, "ran", (when(e) - at) * 1000.0


def summary(times):
    if not times:
        return "no completed activity found"
    times = sorted(times)

    def pct(p):
        return times[min(len(times) - 1, max(0, round(p / 100 * len(times)) - 1))]

    return (f"p50 {pct(50):.1f} ms, p90 {pct(90):.1f} ms, p99 {pct(99):.1f} ms, "
            f"max {times[-1]:.1f} ms (n = {len(times)})")


def main():
    temporal, address, namespace, *specs = sys.argv[1:]
    wanted = {}
    for spec in specs:
        kind, _, measure = spec.partition(":")
        wanted[spec] = (kind, measure or "ran")
    samples = {spec: [] for spec in specs}
    for line in sys.stdin:
        if not line.strip():
            continue
        for kind, measure, ms in durations(history(temporal, address, namespace, line.strip())):
            for spec, want in wanted.items():
                if want == (kind, measure):
                    samples[spec].append(ms)
    if len(specs) == 1:
        print(summary(samples[specs[0]]))
        return
    for spec in specs:
        print(f"{spec}: {summary(samples[spec])}")


if __name__ == "__main__":
    main()
