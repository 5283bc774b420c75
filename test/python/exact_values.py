"""Exact values between ML-Dash Python and ml-dash for TypeScript (issue 13's property test).

python3 exact_values.py write ROOT PREFIX CASES_JSON
    writes each case through ML-Dash Python (local mode, dash_root=ROOT): params.set(**params),
    metrics("m").log(**point), tracks("t").append(**entry); values come from typed descriptions.
python3 exact_values.py read ROOT PREFIX
    prints the typed description of everything stored in the run at ROOT/PREFIX, read with json.

A typed description is {"int": "digits"} | {"float": "repr"} | {"str": s} | {"bool": b} |
{"null": true} | {"list": [..]} | {"dict": {k: ..}}: Python's type and every digit, so the
TypeScript side compares exactly what Python holds.
"""
import json
import sys
from pathlib import Path

RESULT_MARKER = "@@result@@ "


def emit(doc):
  sys.stdout.write("\n" + RESULT_MARKER + json.dumps(doc) + "\n")
  sys.stdout.flush()


def build(d):
  (kind, v), = d.items()
  if kind == "int":
    return int(v)
  if kind == "float":
    return float(v)
  if kind == "str":
    return v
  if kind == "bool":
    return bool(v)
  if kind == "null":
    return None
  if kind == "list":
    return [build(x) for x in v]
  return {k: build(x) for k, x in v.items()}


def describe(v):
  if isinstance(v, bool):
    return {"bool": v}
  if isinstance(v, int):
    return {"int": str(v)}
  if isinstance(v, float):
    return {"float": repr(v)}
  if isinstance(v, str):
    return {"str": v}
  if v is None:
    return {"null": True}
  if isinstance(v, list):
    return {"list": [describe(x) for x in v]}
  return {"dict": {k: describe(x) for k, x in v.items()}}


def write(root, prefix, cases):
  from ml_dash import Experiment
  with Experiment(prefix, dash_root=root).run as exp:
    for case in cases:
      exp.params.set(**build(case["params"]))
      exp.metrics("m").log(**build(case["point"]))
      exp.tracks("t").append(**build(case["entry"]))
    exp.metrics("m").flush()
    exp.tracks.flush()


def read(root, prefix):
  run = Path(root) / prefix
  def lines(p):
    return [json.loads(l) for l in p.read_text().splitlines() if l.strip()] if p.exists() else []
  params = json.loads((run / "parameters.json").read_text())["data"] if (run / "parameters.json").exists() else {}
  return {
    "params": describe(params),
    "points": [describe(r["data"]) for r in lines(run / "metrics/m/data.jsonl")],
    "entries": [describe(r) for r in lines(run / "tracks/t/data.jsonl")],
  }


if __name__ == "__main__":
  mode, root, prefix = sys.argv[1:4]
  if mode == "write":
    write(root, prefix, json.loads(Path(sys.argv[4]).read_text()))
    emit({"ok": True})
  else:
    emit(read(root, prefix))
