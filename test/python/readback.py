"""A run logged by ML-Dash Python to a server, read back by ML-Dash Python in local mode over the server's root.

    python3 readback.py log URL PREFIX     logs the run remote-only (dash_root=None); prints what it logged
    python3 readback.py read ROOT PREFIX   opens Experiment(PREFIX, dash_root=ROOT) (local mode) and prints
                                           its params, metrics and track as Python reads them

Both print one JSON document after the result marker, with floats as repr() text so that
every digit and the int/float kind survive the trip to the TypeScript side.
"""
import json
import sys

RESULT_MARKER = "@@result@@ "


def emit(doc):
  sys.stdout.write("\n" + RESULT_MARKER + json.dumps(doc) + "\n")
  sys.stdout.flush()


def typed(v):
  """Values with their Python kind: floats as {"float": repr}, ints as {"int": digits}."""
  if isinstance(v, bool) or v is None or isinstance(v, str):
    return v
  if isinstance(v, int):
    return {"int": str(v)}
  if isinstance(v, float):
    return {"float": repr(v)}
  if isinstance(v, list):
    return [typed(x) for x in v]
  if isinstance(v, dict):
    return {k: typed(x) for k, x in v.items()}
  return repr(v)


PARAMS = dict(lr=0.001, model={"layers": 34, "act": "relu"}, name="mlp", big=9007199254740993, one=1.0)
TRAIN = [dict(loss=1.0 / (i + 1), step=i, _ts=1000.0 + i) for i in range(25)]
POSE = [dict(x=1.0, y=2, _ts=10.0), dict(x=1.5, y=3, _ts=11.0), dict(x=2.25, y=4, _ts=12.5)]
LOGS = [("hello", "info", {"a": 1}), ("careful", "warn", None), ("broken", "error", {"code": 7})]


def log(url, prefix):
  import os
  from ml_dash import Experiment
  from ml_dash.auth.token_storage import get_token_storage
  # ML-Dash Python 0.6.27 reads no token from the environment: stored as `ml-dash login` stores it.
  get_token_storage().store("ml-dash-token", os.environ["ML_DASH_TEST_TOKEN"])
  exp = Experiment(prefix, dash_url=url, dash_root=None)
  with exp.run:
    exp.params.set(**PARAMS)
    train = exp.metrics("train")
    for p in TRAIN:
      train.log(**p)
    exp.metrics.log(epoch=1, _ts=2000.0)
    for message, level, metadata in LOGS:
      exp.log(message, level=level, **({"metadata": metadata} if metadata else {}))
    pose = exp.tracks("robot/pose")
    for e in POSE:
      pose.append(**e)
    exp.flush()
  emit({"params": typed(PARAMS), "train": typed(TRAIN), "pose": typed(POSE), "logs": [list(l) for l in LOGS]})


def read(root, prefix):
  from ml_dash import Experiment
  exp = Experiment(prefix, dash_root=root)
  with exp.run:
    params = exp.params.get()
    train = exp.metrics("train").read(start_index=0, limit=1000)
    # exp.metrics(None).read() raises TypeError in local mode (0.6.27: Path / None): Python's bug.
    pose = exp.tracks("robot/pose").read()
  emit({"params": typed(params), "train": typed(train), "pose": typed(pose)})


if __name__ == "__main__":
  cmd, where, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
  if cmd == "log":
    log(where, prefix)
  else:
    read(where, prefix)
