/** `ml-dash serve --store postgres://… --blobs s3://…` as a child process, for the team tests. */
import type { ChildProcess } from "node:child_process";
import { start, type ChildResult } from "../../support/child.ts";
import type { TestS3 } from "../../support/s3rver.ts";

/** A running node. */
export interface TeamNode {
  /** `http://127.0.0.1:<port>` (the API under `/api`). */
  readonly url: string;
  readonly child: ChildProcess;
  readonly exited: Promise<ChildResult>;
  /** Ends it (SIGTERM) and resolves with its output once it has exited. */
  stop(): Promise<ChildResult>;
}

/** The AWS environment of a client of `s3` (as the AWS CLI reads it). */
export function awsEnv(s3: TestS3): Record<string, string> {
  return { AWS_ENDPOINT_URL: s3.endpoint, AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey };
}

/** Starts a node of the bundled CLI `cli` and resolves once it listens. */
export async function startTeamNode(cli: string, s3: TestS3, o: { store: string; blobs: string; token: string; user?: string }): Promise<TeamNode> {
  let child: ChildProcess | undefined;
  let listening: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => (listening = resolve));
  const exited = start(cli, {
    args: ["serve", "--store", o.store, "--blobs", o.blobs, "--port", "0", "--token", o.token, ...(o.user !== undefined ? ["--user", o.user] : [])],
    env: awsEnv(s3),
    onLine: (line, c) => {
      child = c;
      const m = /ml-dash server: (http:\/\/[^/\s]+)\/api/.exec(line);
      if (m) listening(m[1] as string);
    },
  });
  const first = await Promise.race([url, exited]);
  if (typeof first !== "string") throw new Error(`ml-dash serve ended before listening (exit ${first.code}):\n${first.stdout}\n${first.stderr}`);
  const node = child as ChildProcess;
  return {
    url: first,
    child: node,
    exited,
    stop: () => {
      node.kill("SIGTERM");
      return exited;
    },
  };
}
