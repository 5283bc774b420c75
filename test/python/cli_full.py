"""
ML-Dash Python's CLI (`python -m ml_dash.cli …`, what the `ml-dash` command runs) against a server.

    python3 cli_full.py URL NAMESPACE PROJECT

First writes a run locally with the SDK (LOCAL mode: no server) under ./local-dash, prefix
NAMESPACE/PROJECT/folder/cli-exp, then runs every networked command: version, profile, api,
create, upload (whole tree, dry run, a JSONL track), list (projects, experiments, glob search,
tracks), download (a track in each format, experiments), remove, logout. Each command is a step
with its exit code and output; "server.*" steps read back what the upload stored.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from scenario import Scenario, b64, parquet_rows

url, ns, project = sys.argv[1], sys.argv[2], sys.argv[3]
sc = Scenario("cli_full", marker_url=url, url=url, namespace=ns, project=project)
S = sc.step
cwd = Path.cwd()
prefix = f"{ns}/{project}/folder/cli-exp"


def cli(*args, stdin=None):
  """Runs one CLI command; its exit code and output (rich prints plain text here: TERM=dumb)."""
  p = subprocess.run([sys.executable, "-m", "ml_dash.cli", *args], capture_output=True, text=True, input=stdin, cwd=cwd)
  return {"code": p.returncode, "stdout": p.stdout[-6000:], "stderr": p.stderr[-3000:]}


def write_local_run():
  from ml_dash import Experiment

  exp = Experiment(prefix, readme="written locally", tags=["cli"], metadata={"via": "cli_full"}, dash_root=str(cwd / "local-dash"))
  with exp.run:
    exp.params.set(lr=0.01, model={"depth": 4})
    exp.logs.info("local log", n=1)
    exp.logs.error("local error")
    exp.metrics("train").log(loss=0.9, step=0, _ts=10.0)
    exp.metrics("train").log(loss=0.7, step=1, _ts=11.0)
    exp.metrics.log(epoch=1, _ts=12.0)
    exp.tracks("robot/pose").append(x=1.0, _ts=1.0)
    exp.files("configs").save_json({"lr": 0.01}, to="config.json")
    exp.files.save_text("notes from the local run", to="notes/readme.txt")
  return sorted(str(p.relative_to(cwd / "local-dash")) for p in (cwd / "local-dash").rglob("*") if p.is_file())


S("local.write", write_local_run)
track_file = cwd / "pose.jsonl"
track_file.write_text("".join(json.dumps({"timestamp": t, "x": t * 2, "q": [t, -t]}) + "\n" for t in (1.0, 2.0, 3.0)) + '{"x": 9}\n')

S("cli.version", cli, "version")
S("cli.profile", cli, "profile", "--json", "--dash-url", url)
S("cli.profile.cached", cli, "profile", "--json", "--cached", "--dash-url", url)
S("cli.api.query", cli, "api", "--dash-url", url, "--query", "me { username }")
S("cli.api.jq", cli, "api", "--dash-url", url, "--query", "me { username }", "--jq", ".me.username")
S("cli.api.full_query", cli, "api", "--dash-url", url, "--query", "query Q { namespace(slug: '" + ns + "') { slug projects { slug } } }")
S("cli.create", cli, "create", "--dash-url", url, "-p", f"{ns}/{project}-made", "-d", "made by the CLI")
S("cli.create.again", cli, "create", "--dash-url", url, "-p", f"{ns}/{project}-made")
S("cli.create.own_namespace", cli, "create", "--dash-url", url, "-p", f"{project}-mine")
S("cli.upload.dry_run", cli, "upload", str(cwd / "local-dash"), "--dash-url", url, "--dry-run")
S("cli.upload", cli, "upload", str(cwd / "local-dash"), "--dash-url", url, "--verbose")
S("cli.upload.target", cli, "upload", str(cwd / "local-dash"), "--dash-url", url, "-p", f"{ns}/{project}", "--target", f"{ns}/{project}-copy/imported")
S("cli.upload.track", cli, "upload", "--dash-url", url, "--tracks", str(track_file), "--remote-path", f"{ns}/{project}/cli-exp/robot/uploaded")

from ml_dash import RemoteClient  # noqa: E402

client = RemoteClient(url, namespace=ns)
found = S("server.experiment", client.get_experiment_graphql, project, "cli-exp")
eid = (found or {}).get("id")
S("server.params", lambda: client.get_parameters(eid))
S("server.logs", lambda: client.query_logs(eid, order_by="sequenceNumber", order="asc"))
S("server.metrics", lambda: client.list_metrics(eid))
S("server.metric.train", lambda: client.read_metric_data(eid, "train"))
S("server.metric.unnamed", lambda: client.read_metric_data(eid, "None"))
S("server.files", lambda: client.list_files(eid))
S("server.track.uploaded", lambda: client.get_track_data(eid, "robot/uploaded"))
S("server.tracks", lambda: client.list_tracks(eid))
S("server.copy", client.get_experiment_graphql, f"{project}-copy", "cli-exp")

S("cli.list.projects", cli, "list", "--dash-url", url)
S("cli.list.projects.namespace", cli, "list", "--dash-url", url, "-n", ns)
S("cli.list.experiments", cli, "list", "--dash-url", url, "-p", f"{ns}/{project}")
S("cli.list.experiments.own", cli, "list", "--dash-url", url, "-p", project, "--detailed")
S("cli.list.experiments.status", cli, "list", "--dash-url", url, "-p", f"{ns}/{project}", "--status", "COMPLETED")
S("cli.list.search", cli, "list", "--dash-url", url, "-p", f"{ns}/{project[:3]}*")
S("cli.list.search.full", cli, "list", "--dash-url", url, "-p", f"{ns}/{project}/*cli*", "--tags", "cli")
S("cli.list.tracks", cli, "list", "--dash-url", url, "--tracks", "-p", f"{ns}/{project}/cli-exp")
S("cli.list.tracks.filter", cli, "list", "--dash-url", url, "--tracks", "-p", f"{ns}/{project}/cli-exp", "--topic-filter", "robot/uploaded")


def download_track(fmt, path):
  out = cwd / "downloads" / f"{path.replace('/', '_')}.{fmt}"
  out.parent.mkdir(exist_ok=True)
  r = cli("download", "--dash-url", url, "--tracks", path, "-f", fmt, "-o", str(out))
  r["file"] = out.read_bytes() if out.exists() else None
  return r


S("cli.download.track.jsonl", download_track, "jsonl", f"{ns}/{project}/cli-exp/robot/uploaded")
S("cli.download.track.json", download_track, "json", f"{ns}/{project}/cli-exp/robot/uploaded")
S("cli.download.track.folder_path", download_track, "jsonl", f"{ns}/{project}/folder/cli-exp/robot/uploaded")
S("cli.download.track.not_uploaded", download_track, "json", f"{ns}/{project}/cli-exp/robot/pose")
S("cli.download.track.parquet", download_track, "parquet", f"{ns}/{project}/cli-exp/robot/uploaded")
S("cli.download.track.mcap", download_track, "mcap", f"{ns}/{project}/cli-exp/robot/uploaded")
S("cli.download.track.parquet.rows", lambda: parquet_rows((cwd / "downloads" / f"{ns}_{project}_cli-exp_robot_uploaded.parquet").read_bytes()))
S("cli.download.track.mcap.bytes", lambda: b64((cwd / "downloads" / f"{ns}_{project}_cli-exp_robot_uploaded.mcap").read_bytes()))
S("cli.download.dry_run", cli, "download", str(cwd / "downloaded"), "--dash-url", url, "-p", f"{ns}/{project}", "--dry-run")
S("cli.download", cli, "download", str(cwd / "downloaded"), "--dash-url", url, "-p", f"{ns}/{project}", "--verbose")
S("cli.download.experiment", cli, "download", str(cwd / "downloaded-one"), "--dash-url", url, "-p", f"{ns}/{project}", "--experiment", "cli-exp")
S("downloaded.tree", lambda: sorted(str(p.relative_to(cwd)) for d in ("downloaded", "downloaded-one") if (cwd / d).exists() for p in (cwd / d).rglob("*") if p.is_file()))

S("cli.remove.cancelled", cli, "remove", "--dash-url", url, "-p", f"{ns}/{project}-made", stdin="wrong-name\n")
S("cli.remove", cli, "remove", "--dash-url", url, "-p", f"{ns}/{project}-made", "-y")
S("cli.remove.missing", cli, "remove", "--dash-url", url, "-p", f"{ns}/{project}-never", "-y")
S("server.after_remove", lambda: client.list_projects_graphql(ns))
S("cli.logout", cli, "logout")
S("cli.profile.logged_out", cli, "profile", "--json", "--dash-url", url)
sc.note("token_after_logout", __import__("ml_dash.auth.token_storage", fromlist=["x"]).get_token_storage().load("ml-dash-token"))
sc.finish()
