"""
Every public method of ML-Dash Python's SDK against a server, recording what each returns.

    python3 sdk_full.py remote|hybrid URL PREFIX

remote: Experiment(PREFIX, dash_url=URL, dash_root=None); hybrid: dash_root="<cwd>/.dash" too.
The PREFIX run is opened, written to through every API, read back, completed and resumed;
"<PREFIX>-failed", "<PREFIX>-cancelled", "<PREFIX>-context" and "<PREFIX>-decorated" end the
other ways. Prints one JSON document (scenario.py); the test checks its values. Buffering is on
(the default, as users run it), so reads come after an explicit exp.flush().

Where the SDK has no read (logs), or reads the local copy in hybrid mode (params, metrics), the
"server.*" steps read the server's copy through RemoteClient, which the package exports too.
"""

import hashlib
import os
import sys
from pathlib import Path

from scenario import Scenario, b64, parquet_rows

mode, url, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
assert mode in ("remote", "hybrid"), mode
root = str(Path.cwd() / ".dash") if mode == "hybrid" else None

from ml_dash import Experiment, RemoteClient, ml_dash_experiment  # noqa: E402

sc = Scenario("sdk_full", marker_url=url, mode=mode, url=url, prefix=prefix, dash_root=root)
S = sc.step
owner, project = prefix.split("/")[0], prefix.split("/")[1]
name = prefix.split("/")[-1]
inputs = Path.cwd() / "inputs"
inputs.mkdir(exist_ok=True)
downloads = Path.cwd() / "downloads"
downloads.mkdir(exist_ok=True)


def new_experiment(p, **kw):
  return Experiment(p, dash_url=url, dash_root=root, **kw)


def settle(e):
  """exp.flush(), then wait for what the buffer thread already took: flush() alone returns while
  that thread is still sending batches and uploads it picked up (buffer.py drains only the queues),
  so a read right after it can miss them. Restarting the buffer joins the thread: a real barrier."""
  e.flush()
  bm = e._buffer_manager
  if bm is not None:
    bm.stop()
    bm.start()


def named(files, filename):
  """A listed file by name: remote listings are GraphQL nodes (name), local ones records (filename)."""
  for f in files or []:
    if f.get("name") == filename or f.get("filename") == filename:
      return f
  return None


def read_bytes(path):
  data = Path(path).read_bytes()
  return {"path": str(Path(path).relative_to(Path.cwd())) if str(path).startswith(str(Path.cwd())) else str(path),
          "text": data.decode("utf-8", "replace") if len(data) < 4096 else None,
          "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


# ---------------------------------------------------------------------------------------------
# open
exp = new_experiment(prefix, readme="python scenario", tags=["py", "full"], bindrs=["team-a"], metadata={"suite": "sdk_full", "n": 1})
sc.note("mode", exp.mode.value)
S("run.start", lambda: exp.run.start() is exp)
sc.require("run.start")
sc.note("exp.id", exp.id)
sc.note("exp.data", exp.data)
sc.note("exp.owner", exp.owner)
sc.note("exp.project", exp.project)
sc.note("exp.name", exp.name)
S("run.prefix_locked", lambda: setattr(exp.run, "prefix", "x/y/z"))  # RuntimeError once open

# ---------------------------------------------------------------------------------------------
# params
class Args:
  epochs = 3
  seed = 7
  _private = "skipped"


S("params.set", lambda: exp.params.set(lr=0.001, model={"layers": 18, "act": "relu"}, name="resnet") is not None)
S("params.log", lambda: exp.params.log(batch_size=32) is not None)
S("params.set.class", lambda: exp.params.set(Args=Args) is not None)
S("params.set.overwrite", lambda: exp.params.set(model={"layers": 34}) is not None)
S("params.get", lambda: exp.params.get())
S("params.get.nested", lambda: exp.params.get(flatten=False))

# ---------------------------------------------------------------------------------------------
# logs
S("logs.info", lambda: exp.logs.info("info message", epoch=1))
S("logs.debug", lambda: exp.logs.debug("debug message", step=2))
S("logs.warn", lambda: exp.logs.warn("warn message", memory="1GB"))
S("logs.warning", lambda: exp.logs.warning("warning message"))  # no such method in 0.6.27
S("logs.error", lambda: exp.logs.error("error message", code=500))
S("logs.fatal", lambda: exp.logs.fatal("fatal message"))
S("log.plain", lambda: exp.log("plain message"))
S("log.level", lambda: exp.log("levelled message", level="error", metadata={"a": 1}, b=2))
S("log.level.upper", lambda: exp.log("upper-case level", level="WARN"))
S("log.level.warning", lambda: exp.log("warning level", level="warning"))  # ValueError in 0.6.27
S("log.fluent", lambda: exp.log(metadata={"via": "fluent"}).info("fluent message", extra=3))
S("log.unicode", lambda: exp.logs.info("größe ✓ 日本", text="naïve"))

# ---------------------------------------------------------------------------------------------
# metrics
train = exp.metrics("train")
S("metrics.same_builder", lambda: exp.metrics("train") is train)
S("metrics.log", lambda: train.log(loss=0.5, step=0, _ts=1000.0) is train)
S("metrics.log.inherit_ts", lambda: train.log(loss=0.4, step=1, _ts=-1) is train)
S("metrics.log.auto_ts", lambda: train.log(loss=0.3, step=2) is train)
S("metrics.log.flush_noop", lambda: train.log(loss=0.2, step=3, _ts=1003.0).flush() is train)
evalm = exp.metrics("eval", description="held-out set", tags=["eval"], metadata={"unit": "ratio"})
S("metrics.described", lambda: evalm.log(acc=0.9, step=0, _ts=2000.0) is evalm)
S("metrics.unnamed", lambda: exp.metrics.log(epoch=1, _ts=3000.0) is exp.metrics)
S("metrics.unnamed.flush", lambda: exp.metrics.log(epoch=2, _ts=3001.0, _flush=True).flush() is exp.metrics)
S("metrics.grouped", lambda: exp.metrics.log(epoch=3, _ts=3002.0, train=dict(loss=0.1), eval=dict(acc=0.95)) is exp.metrics)
for v in (1.0, 2.0, 3.0, 4.0, None):
  exp.metrics("train_buf").buffer(loss=v, acc=v / 10 if v else None)
for v in (10.0, 20.0):
  exp.metrics("val_buf").buffer(loss=v)
S("metrics.buffer.peek", lambda: exp.metrics.buffer.peek())
S("metrics.buffer.peek.prefix", lambda: exp.metrics.buffer.peek("train_buf", "loss", limit=2))
S("metrics.buffer.non_numeric", lambda: exp.metrics("train_buf").buffer(loss="high"))
S("metrics.buffer.bad_agg", lambda: exp.metrics.buffer.log_summary("mode"))
S("metrics.buffer.log_summary", lambda: exp.metrics.buffer.log_summary(
  "mean", "std", "min", "max", "count", "median", "sum", "p50", "p90", "p95", "p99", "last", "first", step=5, _ts=4000.0))
S("metrics.buffer.log_summary.default", lambda: (exp.metrics("train_buf").buffer(loss=7.0), exp.metrics.buffer.log_summary(_ts=4001.0))[1])
cache = exp.metrics("cache")
S("metrics.summary_cache.store", lambda: (cache.summary_cache.store(loss=1.0, acc=None), cache.summary_cache.store(loss=3.0))[1])
S("metrics.summary_cache.set", lambda: cache.summary_cache.set(lr=0.1, epoch=1, _ts=5000.0))
S("metrics.summary_cache.peek", lambda: cache.summary_cache.peek("loss", limit=5))
S("metrics.summary_cache.summarize", lambda: cache.summary_cache.summarize())
S("metrics.summary_cache.summarize.empty", lambda: cache.summary_cache.summarize())
S("flush.metrics", lambda: settle(exp))
S("metrics.read", lambda: train.read(start_index=0, limit=100))
S("metrics.read.window", lambda: train.read(start_index=1, limit=2))
S("metrics.read.eval", lambda: evalm.read())
S("metrics.read.unnamed", lambda: exp.metrics(None).read())
S("metrics.read.train_buf", lambda: exp.metrics("train_buf").read())
S("metrics.read.val_buf", lambda: exp.metrics("val_buf").read())
S("metrics.read.cache", lambda: cache.read())
S("metrics.read.missing", lambda: exp.metrics("never-logged").read())
S("metrics.stats", lambda: train.stats())
S("metrics.stats.eval", lambda: evalm.stats())
S("metrics.list_all", lambda: train.list_all())

# ---------------------------------------------------------------------------------------------
# tracks
pose = exp.tracks("robot/pose")
S("tracks.same_builder", lambda: exp.tracks("robot/pose") is pose)
S("tracks.append", lambda: pose.append(x=1.0, q=[0.0, 1.0], _ts=1.0) is pose)
S("tracks.append.2", lambda: pose.append(x=2.0, q=[0.5, 0.5], _ts=2.0) is pose)
S("tracks.append.merge", lambda: pose.append(y=5, _ts=2.0) is pose)
S("tracks.append.3", lambda: pose.append(x=3.0, q=[1.0, 0.0], label="end", _ts=3.0) is pose)
S("tracks.append.nested", lambda: pose.append(arm={"joint": [1, 2], "ok": True}, _ts=4.0) is pose)
S("tracks.append.inherit", lambda: exp.tracks("camera/rgb").append(frame=0, _ts=-1))
S("tracks.append.auto_ts", lambda: exp.tracks("sensor").append(v=1))
S("tracks.append.spaces", lambda: exp.tracks("a b/c").append(v=2, _ts=1.5))
S("tracks.append.bad_ts", lambda: pose.append(x=9.0, _ts="soon"))
S("tracks.flush.topic", lambda: pose.flush() is pose)
S("tracks.flush", lambda: exp.tracks.flush())
S("flush.tracks", lambda: settle(exp))
S("tracks.read", lambda: pose.read())
S("tracks.read.json", lambda: pose.read(format="json"))
S("tracks.read.jsonl", lambda: pose.read(format="jsonl"))
S("tracks.read.parquet", lambda: pose.read(format="parquet"))
S("tracks.read.mcap", lambda: pose.read(format="mcap"))
S("tracks.read.parquet.rows", lambda: parquet_rows(pose.read(format="parquet")))
S("tracks.read.parquet.range", lambda: parquet_rows(pose.read(format="parquet", start_timestamp=2.0, end_timestamp=3.0, columns=["x"])))
S("tracks.read.mcap.bytes", lambda: b64(pose.read(format="mcap")))
S("tracks.read.range", lambda: pose.read(start_timestamp=2.0, end_timestamp=3.0))
S("tracks.read.columns", lambda: pose.read(columns=["x"]))
S("tracks.read.camera", lambda: exp.tracks("camera/rgb").read())
S("tracks.read.spaces", lambda: exp.tracks("a b/c").read())
S("tracks.list_entries", lambda: pose.list_entries())
sl = pose.slice(1.0, 3.0)
S("tracks.slice.len", lambda: len(sl))
S("tracks.slice.iter", lambda: list(sl))
S("tracks.slice.findByTime", lambda: sl.findByTime(2.5))
S("tracks.slice.findByTime.exact", lambda: sl.findByTime(3.0))
S("tracks.slice.findByTime.list", lambda: sl.findByTime([1.0, 3.5]))
S("tracks.slice.findByTime.before", lambda: sl.findByTime(0.5))
S("tracks.slice.all", lambda: len(pose.slice()))

# ---------------------------------------------------------------------------------------------
# files: saved through every builder, then listed, searched, read, updated and deleted
weights = inputs / "weights.bin"
weights.write_bytes(bytes(range(256)) * 4)
plain = inputs / "plain.txt"
plain.write_text("uploaded as is\n")
S("files.save_json", lambda: exp.files("configs").save_json({"lr": 0.1, "layers": [1, 2]}, to="config.json"))
S("files.save_json.direct", lambda: exp.files.save_json({"a": 1}, to="configs/direct.json"))
S("files.save_json.to_dir", lambda: exp.files("configs").save_json({"deep": True}, to="nested/deep.json"))
S("files.save_text", lambda: exp.files.save_text("hello\nworld\n", to="notes/readme.txt"))
S("files.save_text.builder", lambda: exp.files("notes").save_text("größe ✓", to="unicode.txt"))
S("files.save_blob", lambda: exp.files.save_blob(b"\x00\x01\x02\xff", to="data/blob.bin"))
S("files.save_blob.builder", lambda: exp.files("data").save_blob(b"abc", to="abc.bin"))
S("files.save.bytes", lambda: exp.files("raw").save(b"raw bytes", to="raw.bin"))
S("files.save.dict", lambda: exp.files("dicts").save({"x": 1}, to="d.json"))
S("files.save.list", lambda: exp.files("dicts").save([1, 2, 3], to="l.json"))
S("files.save.path", lambda: exp.files("uploads").save(str(plain)))
S("files.save.bad_type", lambda: exp.files("raw").save(3.14, to="pi.bin"))
S("files.upload", lambda: exp.files("models", description="checkpoint", tags=["ckpt"], metadata={"epoch": 3}).upload(str(weights), to="model.bin"))
S("files.upload.override", lambda: exp.files("models").upload(str(weights), to="model2.bin", description="second", tags=["b"], metadata={"epoch": 4}))
S("files.upload.direct", lambda: exp.files.upload(str(weights), to="direct/w.bin"))
S("files.upload.root", lambda: exp.files.upload(str(plain)))
S("files.upload.missing", lambda: exp.files("models").upload(str(inputs / "nope.bin")))
S("files.save_pkl", lambda: exp.files("pickles").save_pkl({"k": [1, 2]}, to="obj.pkl"))
S("files.save_torch", lambda: exp.files("models").save_torch({"w": 1}, to="m.pt"))
S("files.save_fig", lambda: exp.files("plots").save_fig(to="fig.png"))
S("files.save_video", lambda: exp.files("videos").save_video([[0]], to="v.mp4"))


def save_images():
  import numpy as np

  rgb = np.zeros((6, 8, 3), dtype=np.uint8)
  rgb[:, :, 0] = np.arange(8, dtype=np.uint8) * 30
  rgb[:, :, 1] = (np.arange(6, dtype=np.uint8) * 40)[:, None]
  gray = np.linspace(0.0, 1.0, 12, dtype=np.float32).reshape(3, 4)
  rgba = np.full((4, 4, 4), 200, dtype=np.uint8)
  return {
    "png": exp.files("frames").save_image(rgb, to="frame.png"),
    "jpg": exp.files("frames").save_image(rgb, to="frame.jpg", quality=80),
    "gray": exp.files("frames").save_image(gray, to="gray.png"),
    "rgba_jpg": exp.files("frames").save_image(rgba, to="rgba.jpg"),
    "save_ndarray": exp.files("frames").save(rgb, to="via_save.png"),
  }


S("files.save_image", save_images)
S("flush", lambda: exp.flush())
S("flush.files", lambda: settle(exp))

listing = S("files.list", lambda: exp.files.list())
S("files.list.dir", lambda: exp.files("models").list())
S("files.list.glob", lambda: exp.files("configs").list("*.json"))
S("files.list.glob.root", lambda: exp.files.list("**/*.bin"))
S("files.list.tags", lambda: exp.files("models", tags=["ckpt"]).list())
S("files.exists", lambda: exp.files("notes/readme.txt").exists())
S("files.exists.nested", lambda: exp.files("configs/nested/deep.json").exists())
S("files.exists.missing", lambda: exp.files("notes/missing.txt").exists())
S("files.read_text", lambda: exp.files("notes/readme.txt").read_text())
S("files.read_text.unicode", lambda: exp.files("notes/unicode.txt").read_text())
S("files.read_text.missing", lambda: exp.files("notes/missing.txt").read_text())
S("files.download", lambda: read_bytes(exp.files("configs/config.json").download(to=str(downloads / "config.json"))))
S("files.download.direct", lambda: read_bytes(exp.files.download("data/blob.bin", to=str(downloads / "blob.bin"))))
S("files.download.glob", lambda: [read_bytes(p) for p in exp.files("configs").download("*.json", to=str(downloads / "configs"))])
S("files.download.glob.direct", lambda: [read_bytes(p) for p in exp.files.download("models/*.bin", to=str(downloads / "models"))])
S("files.download.missing", lambda: exp.files("nope/missing.bin").download(to=str(downloads / "missing.bin")))
model = named(listing, "model.bin")
model_id = model.get("id") if model else None
sc.note("files.model_id", model_id)
S("files.download.by_id", lambda: read_bytes(exp.files(file_id=model_id).download(to=str(downloads / "by_id.bin"))))
S("files.update", lambda: exp.files(file_id=model_id, description="best model", tags=["best", "ckpt"], metadata={"score": 0.97}).update())
S("files.update.no_id", lambda: exp.files("models/model.bin", description="x").update())
S("files.duplicate", lambda: exp.files().duplicate(model_id, to="models/latest.bin"))
S("files.duplicate.dict", lambda: exp.files().duplicate({"id": model_id}, to="copies/model.bin"))
S("flush.duplicate", lambda: settle(exp))
S("files.list.after_update", lambda: exp.files("models").list())
S("files.bindrs.list", lambda: exp.bindrs("team-a").list())
S("files.delete", lambda: exp.files("data/blob.bin").delete())
S("files.delete.again", lambda: exp.files("data/blob.bin").delete())
S("files.delete.glob", lambda: exp.files.delete("dicts/*.json"))
S("files.delete.by_id", lambda: exp.files(file_id=model_id).delete())
S("files.delete.by_id.again", lambda: exp.files(file_id=model_id).delete())
S("files.list.after_delete", lambda: exp.files.list())

# A file the user keeps under the temp folder: after a buffered upload the buffer deletes it, and
# its folder when that is left empty (buffer.py: any path under tempfile.gettempdir() counts as
# the SDK's own temp file). Directly in TMPDIR it would remove TMPDIR itself, and every later
# save_* would fail, so it lies in a folder of its own.
import tempfile  # noqa: E402

kept_dir = Path(tempfile.gettempdir()) / "user-data"
kept_dir.mkdir()
kept = kept_dir / "user-owned.txt"
kept.write_text("mine")
S("files.upload.from_tmp", lambda: exp.files("tmp").upload(str(kept)))
S("flush.from_tmp", lambda: settle(exp))
sc.note("files.upload.from_tmp.file_still_there", kept.exists())
sc.note("files.upload.from_tmp.folder_still_there", kept_dir.exists())

# ---------------------------------------------------------------------------------------------
# the server's view (RemoteClient, exported by the package), then complete
client = RemoteClient(url, namespace=owner)
S("server.params", lambda: client.get_parameters(exp.id))
S("server.logs", lambda: client.query_logs(exp.id, order_by="sequenceNumber", order="asc"))
S("server.metrics", lambda: client.list_metrics(exp.id))
S("server.metric.train", lambda: client.read_metric_data(exp.id, "train", 0, 100))
S("server.metric.unnamed", lambda: client.get_metric_data(exp.id, "None"))
S("server.tracks", lambda: client.list_tracks(exp.id))
S("server.experiment.running", lambda: client.get_experiment_graphql(project, name))
S("run.complete", lambda: exp.run.complete())
S("server.experiment.completed", lambda: client.get_experiment_graphql(project, name))
S("after_close.params", lambda: exp.params.get())  # RuntimeError: the run is closed

# ---------------------------------------------------------------------------------------------
# resume the same prefix: a new Experiment continues the run
again = new_experiment(prefix)
S("resume.start", lambda: again.run.start() is again)
sc.require("resume.start")
sc.note("resume.id", again.id)
S("resume.params.get", lambda: again.params.get())
S("resume.params.set", lambda: again.params.set(resumed=True) is not None)
S("resume.metrics.log", lambda: again.metrics("train").log(loss=0.05, step=4, _ts=1004.0))
S("resume.logs.info", lambda: again.logs.info("resumed"))
S("resume.tracks.append", lambda: again.tracks("robot/pose").append(x=5.0, _ts=5.0))
S("resume.files.save_text", lambda: again.files.save_text("second run", to="notes/resumed.txt"))
S("resume.flush", lambda: settle(again))
S("resume.metrics.read", lambda: again.metrics("train").read())
S("resume.tracks.read", lambda: again.tracks("robot/pose").read())
S("resume.files.list", lambda: again.files.list())
S("resume.server.logs", lambda: client.query_logs(again.id, order_by="sequenceNumber", order="asc"))
S("resume.run.complete", lambda: again.run.complete())

# ---------------------------------------------------------------------------------------------
# the other endings


def failed_run():
  e = new_experiment(prefix + "-failed")
  with e.run:
    e.logs.info("about to fail")
    raise ValueError("boom")


S("status.fail.context", failed_run)


def cancelled_run():
  e = new_experiment(prefix + "-cancelled")
  e.run.start()
  e.logs.info("about to be cancelled")
  e.run.cancel()
  return e.id


S("status.cancel", cancelled_run)


def explicit_fail():
  e = new_experiment(prefix + "-explicit-fail")
  e.run.start()
  e.run.fail()
  return e.id


S("status.fail", explicit_fail)


def context_run():
  with new_experiment(prefix + "-context").run as e:
    e.params.set(via="context")
    return e.id


S("status.complete.context", context_run)


@ml_dash_experiment(prefix + "-decorated", dash_url=url, dash_root=root)
def decorated(x, experiment=None):
  experiment.params.set(x=x)
  experiment.metrics("m").log(v=x, _ts=1.0)
  return experiment.id


S("status.complete.decorator", decorated, 3)
S("run.decorator_on_run", lambda: new_experiment(prefix + "-never").run(lambda e: None))  # documented, not callable
S("server.experiment.failed", lambda: client.get_experiment_graphql(project, name + "-failed"))
S("server.experiment.cancelled", lambda: client.get_experiment_graphql(project, name + "-cancelled"))
S("server.experiment.explicit_fail", lambda: client.get_experiment_graphql(project, name + "-explicit-fail"))
S("server.experiment.context", lambda: client.get_experiment_graphql(project, name + "-context"))
S("server.experiment.decorated", lambda: client.get_experiment_graphql(project, name + "-decorated"))



def nan_requeued():
  """NaN cannot be sent (httpx encodes JSON with allow_nan=False): the buffer re-queues the point
  and exp.flush() drains the same point again and again, never returning. Waits (without a clock)
  until that one flush() call has re-queued it three times, or returned."""
  import logging
  import threading

  e = new_experiment(prefix + "-nan")
  e.run.start()
  if e._buffer_manager is not None:
    # Only the flush() below may drain: the buffer's own thread would take the point out of the
    # queue for a moment now and then, and flush() would find the queue empty and return.
    e._buffer_manager.stop()
  seen = threading.Condition()
  state = {"requeued": 0, "returned": False}

  class Count(logging.Handler):
    def emit(self, record):
      if record.threadName == "flush-nan" and "re-queuing" in record.getMessage():
        with seen:
          state["requeued"] += 1
          seen.notify_all()

  logging.getLogger("ml_dash.buffer").addHandler(Count())
  e.metrics("nan").log(v=float("nan"), _ts=1.0)

  def flush():
    e.flush()
    with seen:
      state["returned"] = True
      seen.notify_all()

  threading.Thread(target=flush, name="flush-nan", daemon=True).start()
  with seen:
    seen.wait_for(lambda: state["returned"] or state["requeued"] >= 3)
  return dict(state)


if root:
  # hybrid: what the local copy holds
  def local_tree():
    base = Path(root)
    return sorted(str(p.relative_to(base)) for p in base.rglob("*") if p.is_file())

  S("local.tree", local_tree)

# Last: it leaves a thread draining forever (os._exit in finish() ends it).
S("metrics.nan.flush_never_returns", nan_requeued)
sc.finish()
