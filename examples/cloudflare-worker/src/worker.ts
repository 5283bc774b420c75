/**
 * An edge function that serves a (toy) model and logs each inference to an ML-Dash server,
 * remote-only: a Worker has no disk, so every request's run goes straight to the server.
 *
 * One run per request (`edge/inference/<model>/<request id>`): a stream of an experiment has
 * one writer at a time, and requests run concurrently, so each gets its own run.
 *
 * `ctx.waitUntil(exp.run.complete())` lets the response go out at once while the run drains
 * to the server in the background.
 */
import { Experiment } from "ml-dash/core";

/** Bindings (wrangler.jsonc `vars`, or secrets for the token). */
export interface Env {
  readonly DASH_URL: string;
  readonly DASH_TOKEN: string;
  readonly MODEL?: string;
}

/** The part of the Workers ExecutionContext this example uses. */
interface Ctx {
  waitUntil(promise: Promise<unknown>): void;
}

/** A toy "model": a character-level sentiment score, with per-token logits. */
function infer(text: string): { score: number; logits: number[] } {
  const positive = new Set("aeiou");
  const logits = [...text].map((ch, i) => (positive.has(ch.toLowerCase()) ? 1 : -0.25) * Math.cos(i / 3));
  const score = logits.reduce((a, b) => a + b, 0) / Math.max(1, logits.length);
  return { score, logits };
}

export default {
  async fetch(request: Request, env: Env, ctx: Ctx): Promise<Response> {
    const url = new URL(request.url);
    const text = url.searchParams.get("q") ?? "hello edge";
    const requestId = request.headers.get("x-request-id") ?? crypto.randomUUID();
    const model = env.MODEL ?? "tiny-sentiment";
    const exp = new Experiment(`edge/inference/${model}/${requestId}`, {
      dashUrl: env.DASH_URL,
      token: env.DASH_TOKEN,
      storage: null, // remote-only (the workerd entry will make this the default with dashUrl)
      echo: false,
      tags: ["edge", "inference"],
    });
    await exp.run.start();
    const t0 = Date.now();
    const { score, logits } = infer(text);
    exp.params.set({ model, input: { chars: text.length } });
    logits.forEach((logit, i) => exp.tracks("tokens").append({ position: i, logit, _ts: i }));
    exp.metrics("inference").log({ latency_ms: Date.now() - t0, tokens: logits.length, score });
    exp.logs.info("served", { path: url.pathname });
    ctx.waitUntil(exp.run.complete()); // the run drains after the response is sent
    return Response.json({ requestId, score, tokens: logits.length });
  },
};
