"""
Every public method of ML-Dash Python's RemoteClient (exported by the package) against a server,
including those the SDK itself never calls (create_track, append_to_track, append_to_metric,
download_metric_chunk, get_experiment_by_path_graphql, delete_project, …), and `userinfo`.

    python3 client_full.py URL NAMESPACE PROJECT

Works in NAMESPACE/PROJECT: creates NAMESPACE/PROJECT/a/b/client-exp and NAMESPACE/PROJECT/flat-exp,
writes to them through the client, reads everything back, deletes a project made for it.
"""

import hashlib
import sys
from pathlib import Path

from scenario import Scenario, b64, parquet_rows

url, ns, project = sys.argv[1], sys.argv[2], sys.argv[3]
sc = Scenario("client_full", marker_url=url, url=url, namespace=ns, project=project)
S = sc.step

import ml_dash  # noqa: E402
import ml_dash.client  # noqa: E402
from ml_dash import RemoteClient  # noqa: E402

client = RemoteClient(url)  # no namespace: fetched with GetMyNamespace
S("namespace", lambda: client.namespace)
S("get_current_user", client.get_current_user)
S("graphql_query", client.graphql_query, "query Ns($s: String!) { namespace(slug: $s) { slug } }", {"s": ns})
S("graphql_query.error", client.graphql_query, "{ noSuchField }")
created = S("create_or_update_experiment", client.create_or_update_experiment,
            project=project, name="client-exp", description="via RemoteClient", tags=["client"],
            bindrs=["b1"], prefix=f"{ns}/{project}/a/b/client-exp", write_protected=False, metadata={"k": "v"})
eid = (created or {}).get("experiment", {}).get("id")
sc.require("create_or_update_experiment")
S("create_or_update_experiment.again", client.create_or_update_experiment, project=project, name="client-exp", prefix=f"{ns}/{project}/a/b/client-exp")
flat = S("create_or_update_experiment.flat", client.create_or_update_experiment, project=project, name="flat-exp", prefix=f"{ns}/{project}/flat-exp")
flat_id = (flat or {}).get("experiment", {}).get("id")
S("create_log_entries", client.create_log_entries, eid, [
  {"timestamp": "2026-01-01T00:00:00.000000Z", "level": "info", "message": "one", "metadata": {"n": 1}},
  {"timestamp": "2026-01-01T00:00:01.000000Z", "level": "error", "message": "two"},
])
S("query_logs", client.query_logs, eid)
S("query_logs.filtered", client.query_logs, eid, limit=1, offset=0, order_by="sequenceNumber", order="desc", level=["error"], search="tw")
S("query_logs.time", client.query_logs, eid, start_time="2026-01-01T00:00:00.500000Z", end_time="2026-01-02T00:00:00Z")
S("set_parameters", client.set_parameters, eid, {"lr": 0.1, "model.depth": 3})
S("set_parameters.merge", client.set_parameters, eid, {"lr": 0.2})
S("get_parameters", client.get_parameters, eid)
S("append_to_metric", client.append_to_metric, eid, "loss", {"v": 1.0, "_ts": 1.0}, description="the loss", tags=["t"], metadata={"unit": "nats"})
S("append_batch_to_metric", client.append_batch_to_metric, eid, "loss", [{"v": 0.5, "_ts": 2.0}, {"v": 0.25, "_ts": 3.0}])
S("append_batch_to_metric.unnamed", client.append_batch_to_metric, eid, None, [{"epoch": 1, "_ts": 4.0}])
S("read_metric_data", client.read_metric_data, eid, "loss", 0, 10)
S("get_metric_data", client.get_metric_data, eid, "loss", start_index=1, limit=1)
S("get_metric_data.buffer_only", client.get_metric_data, eid, "loss", buffer_only=True)
S("get_metric_data.unnamed", client.get_metric_data, eid, "None")
S("get_metric_stats", client.get_metric_stats, eid, "loss")
S("list_metrics", client.list_metrics, eid)
S("download_metric_chunk", client.download_metric_chunk, eid, "loss", 0)
S("create_track", client.create_track, eid, "arm/joints", description="joint angles", tags=["arm"], metadata={"fps": 30})
S("append_to_track", client.append_to_track, eid, "arm/joints", 1.0, {"q": [0.1, 0.2]})
S("append_batch_to_track", client.append_batch_to_track, eid, "arm/joints", [{"timestamp": 2.0, "q": [0.3, 0.4]}, {"timestamp": 3.0, "q": [0.5, 0.6], "tag": "x"}])
S("get_track_data", client.get_track_data, eid, "arm/joints")
S("get_track_data.range", client.get_track_data, eid, "arm/joints", start_timestamp=2.0, end_timestamp=3.0, columns=["q"])
S("get_track_data.jsonl", client.get_track_data, eid, "arm/joints", format="jsonl")
S("get_track_data.parquet", client.get_track_data, eid, "arm/joints", format="parquet")
S("get_track_data.mcap", client.get_track_data, eid, "arm/joints", format="mcap")
S("get_track_data.parquet.rows", lambda: parquet_rows(client.get_track_data(eid, "arm/joints", format="parquet")))
S("get_track_data.mcap.bytes", lambda: b64(client.get_track_data(eid, "arm/joints", format="mcap")))
S("list_tracks", client.list_tracks, eid)
S("list_tracks.filter", client.list_tracks, eid, "arm/*")

blob = Path.cwd() / "blob.bin"
blob.write_bytes(b"client bytes" * 10)
checksum = hashlib.sha256(blob.read_bytes()).hexdigest()
up = S("upload_file", client.upload_file, eid, str(blob), "/weights/v1", "blob.bin", "uploaded by the client", ["w"], {"v": 1},
       checksum, "application/octet-stream", blob.stat().st_size)
S("upload_file.prefixed", client.upload_file, eid, str(blob), f"{ns}/{project}/a/b/more", "again.bin", None, None, None,
  checksum, "application/octet-stream", blob.stat().st_size)
S("upload_file.root", client.upload_file, flat_id, str(blob), "", "root.bin", None, None, None, checksum, "application/octet-stream", blob.stat().st_size)
fid = (up or {}).get("id")
S("list_files", client.list_files, eid)
S("list_files.page", client.list_files, eid, limit=1, offset=1)
S("search_files", client.search_files, "**/blob.bin", experiment_id=eid)
S("search_files.everywhere", client.search_files, "*.bin", limit=50)
S("get_file", client.get_file, eid, fid)
S("download_file", lambda: hashlib.sha256(Path(client.download_file(eid, fid, dest_path=str(Path.cwd() / "dl.bin"))).read_bytes()).hexdigest())
S("download_file_streaming", lambda: hashlib.sha256(Path(client.download_file_streaming(eid, fid, str(Path.cwd() / "dl2.bin"))).read_bytes()).hexdigest())
S("update_file", client.update_file, eid, fid, description="updated", tags=["w", "best"], metadata={"v": 2})
S("update_file.tags_only", client.update_file, eid, fid, tags=["only"])
S("delete_file", client.delete_file, eid, fid)
S("delete_file.again", client.delete_file, eid, fid)

S("update_experiment_status", client.update_experiment_status, eid, "COMPLETED")
fresh = RemoteClient(url, namespace=ns)  # no id cache: node ids come from GraphQL (both GetExperimentNode queries)
S("upload_file.uncached_node", fresh.upload_file, flat_id, str(blob), "/late", "late.bin", None, None, None, checksum, "application/octet-stream", blob.stat().st_size)
# Six segments: three folders above the experiment. A client that did not create it looks for its
# node in project{nodes} three levels deep only (client.py, upload_file), finds nothing, and uploads
# with parentId "ROOT".
deep = S("create_or_update_experiment.deep", client.create_or_update_experiment, project=project, name="deep-exp", prefix=f"{ns}/{project}/a/b/c/deep-exp")
deep_id = (deep or {}).get("experiment", {}).get("id")
S("upload_file.deep_uncached", RemoteClient(url, namespace=ns).upload_file, deep_id, str(blob), "/d", "deep.bin", None, None, None, checksum, "application/octet-stream", blob.stat().st_size)
S("list_files.deep", client.list_files, deep_id)
S("update_experiment_status.uncached", RemoteClient(url, namespace=ns).update_experiment_status, flat_id, "FAILED")
S("get_experiment_graphql", client.get_experiment_graphql, project, "client-exp")
S("get_experiment_graphql.path_name", client.get_experiment_graphql, project, "a/b/client-exp", ns)
S("get_experiment_graphql.missing", client.get_experiment_graphql, project, "nope")
S("get_experiment_by_path_graphql", client.get_experiment_by_path_graphql, project, "a/b/client-exp")
S("get_experiment_by_path_graphql.flat", client.get_experiment_by_path_graphql, project, "flat-exp", ns)
S("get_experiment_by_path_graphql.missing", client.get_experiment_by_path_graphql, project, "a/zzz")
S("list_projects_graphql", client.list_projects_graphql, ns)
S("list_projects_graphql.page", client.list_projects_graphql, ns, limit=1, offset=0)
S("list_experiments_graphql", client.list_experiments_graphql, project, namespace_slug=ns)
S("list_experiments_graphql.status", client.list_experiments_graphql, project, status="COMPLETED", namespace_slug=ns)
S("search_experiments_graphql", client.search_experiments_graphql, f"{ns}/{project}/*client*")
S("search_experiments_graphql.class", client.search_experiments_graphql, f"{ns}/{project}/[af]*")

S("delete_project.prepare", client.create_or_update_experiment, project=project + "-doomed", name="gone", prefix=f"{ns}/{project}-doomed/gone")
S("delete_project", client.delete_project, project + "-doomed")
S("delete_project.missing", client.delete_project, project + "-never")


def context_manager():
  with RemoteClient(url, namespace=ns) as c:
    return c.get_parameters(eid)


S("context_manager", context_manager)

# userinfo always asks https://api.dash.ml (client.py: RemoteClient(DEFAULT_API_URL)), whatever
# URL experiments use; pointed at this server by patching that module constant.
sc.note("userinfo.default_url", ml_dash.client.DEFAULT_API_URL)
ml_dash.client.DEFAULT_API_URL = url
S("userinfo", lambda: {"username": ml_dash.userinfo.username, "email": ml_dash.userinfo.email, "id": ml_dash.userinfo.id, "bool": bool(ml_dash.userinfo)})
sc.finish()
