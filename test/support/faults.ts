/**
 * Fault injection for the remote path, at two levels:
 *
 * - {@link scriptedFetch}: a `fetch` that fails on cue (a script per request, or a seeded random
 *   rate) and otherwise forwards to the real server;
 * - {@link startFaultyProxy}: an HTTP proxy in front of the real server that drops connections,
 *   answers bursts of 500, 429 with `Retry-After`, answers slowly, or forwards a request and
 *   then drops the answer (the server stored the batch; the client never hears it).
 */
export { faultsInCycle, rng, scriptedFetch, type Fault, type ScriptedFetch, type ScriptOptions, type SeenRequest } from "./scripted-fetch.ts";
export { startFaultyProxy, startProxy, type FaultyProxy, type ProxyCounts, type ProxyOptions } from "./faulty-proxy.ts";
