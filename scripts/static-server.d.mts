/** See static-server.mjs. */
export function serveStatic(options?: {
  files?: Record<string, string | Uint8Array> | Map<string, string | Uint8Array>;
  dir?: string;
  headers?: Record<string, string>;
}): Promise<{ url: string; requests: string[]; close(): Promise<void> }>;
