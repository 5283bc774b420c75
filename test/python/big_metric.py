"""
A metric bigger than two of the server's chunks, logged by ML-Dash Python remote-only:

    python3 big_metric.py URL PREFIX N

N points of metric "big" (step = i, v = (i * 7919) % 1000), flushed, then read back across the
boundary of the first two chunks (points 9,995 to 10,004 and 19,995 to 20,004) and counted.
Prints one JSON document (scenario.py).
"""

import sys

from scenario import Scenario

url, prefix, n = sys.argv[1], sys.argv[2], int(sys.argv[3])

from ml_dash import Experiment  # noqa: E402

sc = Scenario("big_metric", marker_url=url, url=url, prefix=prefix, n=n)
S = sc.step
exp = Experiment(prefix, dash_url=url, dash_root=None)
S("run.start", lambda: exp.run.start() is exp)
sc.require("run.start")
big = exp.metrics("big")


def log_all():
  for i in range(n):
    big.log(step=i, v=float((i * 7919) % 1000))
  bm = exp._buffer_manager
  if bm is None:
    exp.flush()
  else:
    # stop() lets the buffer's own thread send what is queued, then joins it. exp.flush() here
    # would drain from this thread while that thread still sends: two senders, so two batches could
    # reach the server in either order (ML-Dash Python 0.6.27 behaviour; it failed this test once
    # with points 20,000-20,999 stored after 21,000-21,999).
    bm.stop()
    bm.start()
  return n


S("metrics.log", log_all)
S("metrics.read.first_boundary", lambda: big.read(start_index=9995, limit=10))
S("metrics.read.second_boundary", lambda: big.read(start_index=19995, limit=10))
S("metrics.stats", lambda: big.stats())
S("run.complete", lambda: exp.run.complete())
sc.finish()
