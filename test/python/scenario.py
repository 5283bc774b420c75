"""
Shared by the scenario scripts: runs named steps against ML-Dash Python, records what each one
returned (or raised) as JSON, and prints one document at the end for test/support/python.ts.

- Every step is recorded as {"ok": true, "value": …} or {"ok": false, "error": {"type", "message"}},
  so one failing call never hides the values of the others.
- A step that does not return within ML_DASH_STEP_TIMEOUT seconds (default 120) is recorded as
  {"ok": false, "error": {"type": "StepTimeout"}}: ML-Dash Python's buffer re-queues batches a
  server refuses and drains them in a loop that never ends, so a hang is an outcome to report.
- ML_DASH_TEST_TOKEN, when set, is stored in the (isolated) HOME's token storage first, as
  `ml-dash login` stores it: ML-Dash Python 0.6.27 reads no token from the environment.
- finish() prints "@@result@@ {json}" as one write and leaves with os._exit, so buffer threads
  still draining into a server that refuses them cannot keep the process alive.
- Given `marker_url` (the recording proxy), each step first sends GET /__scenario__/step?name=…
  (with urllib, not httpx), so the proxy can say which step sent each request it records.
"""

import base64
import hashlib
import json
import math
import os
import signal
import sys
import traceback
import urllib.parse
import urllib.request

RESULT_MARKER = "@@result@@ "


class StepTimeout(Exception):
  pass


def provision_token():
  token = os.environ.get("ML_DASH_TEST_TOKEN")
  if token is None:
    return
  from ml_dash.auth.token_storage import get_token_storage

  get_token_storage().store("ml-dash-token", token)


def parquet_rows(data):
  """The rows of a Parquet file's bytes, read by pyarrow (an independent reader), with its column types."""
  import io
  import pyarrow.parquet as pq
  table = pq.read_table(io.BytesIO(bytes(data)))
  return {"rows": table.to_pylist(), "types": {f.name: str(f.type) for f in table.schema}}


def b64(data):
  """All of some bytes, base64 (a test reads them back with its own reader)."""
  return base64.b64encode(bytes(data)).decode()


def jsonable(value, depth=0):
  """A JSON-safe copy: bytes become {bytes, sha256, head}, NaN/Infinity strings, unknown objects repr."""
  if depth > 40:
    return repr(value)
  if value is None or isinstance(value, (bool, str)):
    return value
  if isinstance(value, int):
    return value
  if isinstance(value, float):
    if math.isnan(value):
      return "NaN"
    if math.isinf(value):
      return "Infinity" if value > 0 else "-Infinity"
    return value
  if isinstance(value, (bytes, bytearray)):
    b = bytes(value)
    out = {"bytes": len(b), "sha256": hashlib.sha256(b).hexdigest(), "head": base64.b64encode(b[:16]).decode()}
    try:
      out["text"] = b.decode("utf-8") if len(b) <= 4096 else None
    except UnicodeDecodeError:
      pass
    return out
  if isinstance(value, dict):
    return {str(k): jsonable(v, depth + 1) for k, v in value.items()}
  if isinstance(value, (list, tuple, set)):
    return [jsonable(v, depth + 1) for v in value]
  try:
    import numpy as np  # noqa: F401

    if hasattr(value, "tolist"):
      return jsonable(value.tolist(), depth + 1)
  except ImportError:
    pass
  return repr(value)


class Scenario:
  def __init__(self, name, marker_url=None, **info):
    self.doc = {"scenario": name, "info": jsonable(info), "steps": {}, "order": []}
    self.marker_url = marker_url.rstrip("/") if marker_url else None
    self.timeout = int(os.environ.get("ML_DASH_STEP_TIMEOUT", "120"))
    provision_token()

  def step(self, name, fn, /, *args, **kwargs):
    """Runs fn(*args, **kwargs) as step `name`; returns its value, or None when it raised."""
    if name in self.doc["steps"]:
      raise KeyError(f"step {name!r} recorded twice")
    self.mark(name)

    def on_alarm(signum, frame):
      raise StepTimeout(f"step {name!r} did not return within {self.timeout} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(self.timeout)
    try:
      value = fn(*args, **kwargs)
      self.doc["steps"][name] = {"ok": True, "value": jsonable(value)}
      return value
    except BaseException as e:  # noqa: BLE001 - every outcome is data here
      if isinstance(e, KeyboardInterrupt):
        raise
      self.doc["steps"][name] = {
        "ok": False,
        "error": {
          "type": type(e).__name__,
          "message": str(e)[:2000],
          "cause": type(e.__cause__).__name__ if e.__cause__ is not None else None,
          "trace": traceback.format_exc()[-3000:],
        },
      }
      return None
    finally:
      signal.alarm(0)
      signal.signal(signal.SIGALRM, previous)
      self.doc["order"].append(name)

  def mark(self, name):
    if not self.marker_url:
      return
    try:
      urllib.request.urlopen(f"{self.marker_url}/__scenario__/step?name={urllib.parse.quote(name)}", timeout=30).close()
    except Exception:  # noqa: BLE001 - a marker never changes the scenario
      pass

  def note(self, name, value):
    """Records a value that needs no call (e.g. a property) as a step."""
    self.doc["steps"][name] = {"ok": True, "value": jsonable(value)}
    self.doc["order"].append(name)

  def require(self, step_name):
    """Ends the scenario here (printing what it has) unless step `step_name` succeeded."""
    if not self.doc["steps"].get(step_name, {}).get("ok"):
      self.doc["aborted"] = f"step {step_name!r} failed: nothing after it can run"
      self.finish()

  def finish(self):
    sys.stdout.flush()
    sys.stderr.flush()
    sys.stdout.write("\n" + RESULT_MARKER + json.dumps(self.doc, allow_nan=False) + "\n")
    sys.stdout.flush()
    os._exit(0)
