/**
 * What the page says when there is nothing to show or it cannot load: each state names the
 * cause and the next step (the token link, the server, the root folder, how to log a first run).
 */
import { ApiError } from "../api.ts";

/** Why the run list could not be loaded, and what to do about it. */
export function LoadError({ error }: { error: Error }) {
  const status = error instanceof ApiError ? error.status : 0;
  return (
    <div class="empty err-state" role="alert" data-testid="load-error">
      <h2>{status === 401 ? "This dashboard needs its token" : status === 0 ? "The dashboard server is not answering" : "Could not load the runs"}</h2>
      {status === 401 ? (
        <p>
          Open the address <code>ml-dash serve</code> printed when it started: it ends in <code>?token=…</code> and signs this browser in once. The
          token is the one <code>ml-dash serve --token</code> was started with.
        </p>
      ) : status === 0 ? (
        <p>
          Is <code>ml-dash serve</code> still running? Start it again (<code>npx ml-dash serve --root .dash</code>) and reload this page.
        </p>
      ) : (
        <p>The server answered: {error.message}</p>
      )}
      <p class="note">Details: {error.message}</p>
    </div>
  );
}

/** The root holds no run yet: where the dashboard looks, and how to write a first run there. */
export function FirstRun({ root }: { root: string | null }) {
  return (
    <div class="empty first-run" data-testid="first-run">
      <h2>No runs yet</h2>
      <p>
        The dashboard shows the runs under {root ? <code>{root}</code> : "the folder it was started with"}. If your runs are elsewhere, restart with{" "}
        <code>npx ml-dash serve --root path/to/.dash</code>.
      </p>
      <p>Log a first run from Node, Deno or Bun (it writes to <code>.dash</code> in the working folder):</p>
      <pre>{`import { Experiment } from "ml-dash";

await new Experiment("me/first-project/run-1").run(async (exp) => {
  for (let step = 0; step < 100; step++)
    exp.metrics("train").log({ loss: 1 / (step + 1), step });
});`}</pre>
      <p class="note">
        Or run the demo: <code>npm run demo:plain</code>. New runs appear here within seconds.
      </p>
    </div>
  );
}
