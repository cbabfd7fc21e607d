"""Pushes with Debian's python3-prometheus-client, as a batch job would. Usage: python_push.py <gateway> <action>.

Actions: push, pushadd, replace, delete (all on the grouping key below), slashjob (a job name with a slash).
The grouping key has a value with '/', a unicode value and an empty value: the client base64-encodes the first and
the last (name@base64/...), and percent-encodes the unicode one.
"""
import sys

from prometheus_client import (CollectorRegistry, Counter, Gauge, Histogram, Summary, delete_from_gateway,
                               push_to_gateway, pushadd_to_gateway)

GATEWAY, ACTION = sys.argv[1], sys.argv[2]
JOB = "py_batch"
GROUPING = {"instance": "host:9100", "path": "/var/tmp", "name": "Προμηθεύς", "empty": ""}


def full_registry():
    r = CollectorRegistry()
    c = Counter("py_jobs", "Jobs processed.", ["kind"], registry=r)
    c.labels("a").inc(3)
    c.labels("b").inc()
    g = Gauge("py_last_success_unixtime", "Last time a batch job successfully finished.", registry=r)
    g.set(1234567890.5)
    h = Histogram("py_latency_seconds", "Latency.", buckets=(0.1, 1, 10), registry=r)
    for v in (0.05, 0.5, 5, 50):
        h.observe(v)
    s = Summary("py_size_bytes", "Sizes.", registry=r)
    s.observe(100)
    s.observe(300)
    return r


def extra_registry():
    r = CollectorRegistry()
    Gauge("py_extra", "An extra gauge.", registry=r).set(7)
    return r


if ACTION == "push":
    push_to_gateway(GATEWAY, job=JOB, registry=full_registry(), grouping_key=GROUPING)
elif ACTION == "pushadd":
    pushadd_to_gateway(GATEWAY, job=JOB, registry=extra_registry(), grouping_key=GROUPING)
elif ACTION == "replace":
    push_to_gateway(GATEWAY, job=JOB, registry=extra_registry(), grouping_key=GROUPING)
elif ACTION == "delete":
    delete_from_gateway(GATEWAY, job=JOB, grouping_key=GROUPING)
elif ACTION == "slashjob":
    push_to_gateway(GATEWAY, job="team/batch", registry=extra_registry())
elif ACTION == "deleteslashjob":
    delete_from_gateway(GATEWAY, job="team/batch")
else:
    sys.exit("unknown action " + ACTION)
print("ok " + ACTION)
