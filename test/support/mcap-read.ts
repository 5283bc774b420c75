/**
 * A small MCAP reader written from the specification (mcap.dev/spec), independent of the
 * @mcap/core library the server writes with: it checks the magic at both ends, walks every record
 * (and the records inside uncompressed chunks) and returns the schemas, channels and messages.
 *
 * @example
 * ```ts
 * const { channels, messages } = readMcap(bytes);
 * ```
 */

const MAGIC = [0x89, 0x4d, 0x43, 0x41, 0x50, 0x30, 0x0d, 0x0a]; // "\x89MCAP0\r\n"

/** What an MCAP file holds. */
export interface McapContent {
  header: { profile: string; library: string };
  schemas: { id: number; name: string; encoding: string; data: string }[];
  channels: { id: number; schemaId: number; topic: string; messageEncoding: string }[];
  messages: { channelId: number; sequence: number; logTime: bigint; publishTime: bigint; data: string }[];
  /** Opcodes of the top-level records, in order. */
  opcodes: number[];
}

class Cursor {
  at = 0;
  constructor(readonly b: Uint8Array, readonly view = new DataView(b.buffer, b.byteOffset, b.byteLength)) {}
  u8(): number { return this.view.getUint8(this.at++); }
  u16(): number { const v = this.view.getUint16(this.at, true); this.at += 2; return v; }
  u32(): number { const v = this.view.getUint32(this.at, true); this.at += 4; return v; }
  u64(): bigint { const v = this.view.getBigUint64(this.at, true); this.at += 8; return v; }
  bytes(n: number): Uint8Array { const v = this.b.subarray(this.at, this.at + n); if (v.length !== n) throw new Error(`MCAP: ${n} bytes wanted at ${this.at}, ${v.length} left`); this.at += n; return v; }
  str(): string { return new TextDecoder().decode(this.bytes(this.u32())); }
  get done(): boolean { return this.at >= this.b.length; }
}

function records(c: Cursor, into: McapContent, top: boolean): void {
  let summary = false; // past Data End, schemas and channels are repeated: read them once
  while (!c.done) {
    const op = c.u8();
    const len = Number(c.u64());
    const body = new Cursor(c.bytes(len));
    if (top) into.opcodes.push(op);
    if (op === 0x0f) summary = true;
    if (summary) continue;
    if (op === 0x01) into.header = { profile: body.str(), library: body.str() };
    else if (op === 0x03) into.schemas.push({ id: body.u16(), name: body.str(), encoding: body.str(), data: new TextDecoder().decode(body.bytes(body.u32())) });
    else if (op === 0x04) into.channels.push({ id: body.u16(), schemaId: body.u16(), topic: body.str(), messageEncoding: body.str() });
    else if (op === 0x05) {
      const channelId = body.u16();
      const sequence = body.u32();
      const logTime = body.u64();
      const publishTime = body.u64();
      into.messages.push({ channelId, sequence, logTime, publishTime, data: new TextDecoder().decode(body.bytes(len - 22)) });
    } else if (op === 0x06) {
      body.u64(); // message start time
      body.u64(); // message end time
      body.u64(); // uncompressed size
      body.u32(); // uncompressed crc
      const compression = body.str();
      if (compression !== "") throw new Error(`MCAP: chunk compressed with ${compression}, this reader reads uncompressed chunks only`);
      records(new Cursor(body.bytes(Number(body.u64()))), into, false);
    }
  }
}

/** Reads an MCAP file. */
export function readMcap(bytes: Uint8Array): McapContent {
  const head = Array.from(bytes.subarray(0, 8));
  const tail = Array.from(bytes.subarray(bytes.length - 8));
  if (head.join() !== MAGIC.join() || tail.join() !== MAGIC.join()) throw new Error("MCAP: magic missing at the start or the end");
  const out: McapContent = { header: { profile: "", library: "" }, schemas: [], channels: [], messages: [], opcodes: [] };
  records(new Cursor(bytes.subarray(8, bytes.length - 8)), out, true);
  return out;
}
