/**
 * Snowflake ids with ML-Dash Python's layout (snowflake.py): 41 bits of milliseconds since
 * 2024-01-01T00:00:00Z, 10 bits of worker id, 12 bits of sequence. They exceed 2^53, so they are
 * built with BigInt and handed out as decimal strings (18 digits until 2028, 19 after).
 */

/** The custom epoch, 2024-01-01T00:00:00Z, in Unix milliseconds. */
export const SNOWFLAKE_EPOCH_MS = 1_704_067_200_000;

const WORKER_BITS = 10n;
const SEQUENCE_BITS = 12n;
const MAX_WORKER = (1 << Number(WORKER_BITS)) - 1;
const MAX_SEQUENCE = (1 << Number(SEQUENCE_BITS)) - 1;

/** The parts of a snowflake id. */
export interface SnowflakeParts {
  /** Unix milliseconds. */
  readonly timestamp: number;
  readonly workerId: number;
  readonly sequence: number;
}

/** Options of {@link SnowflakeGenerator}. */
export interface SnowflakeOptions {
  /** 0–1023. Default: random (Python uses `pid & 1023`; the core has no pid). */
  readonly workerId?: number;
  /** The clock, in Unix milliseconds (tests). Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Generates ids that grow with time, unique per worker: within one millisecond the sequence
 * counts up, and after 4096 ids it waits for the next millisecond, as Python does. Where Python
 * raises on a clock that moved backwards, this keeps counting from the last time it saw, so ids
 * stay unique and increasing.
 */
export class SnowflakeGenerator {
  readonly workerId: number;
  private readonly now: () => number;
  private last = -1;
  private sequence = 0;

  constructor(options: SnowflakeOptions = {}) {
    const worker = options.workerId ?? (crypto.getRandomValues(new Uint16Array(1))[0] as number) & MAX_WORKER;
    if (!Number.isInteger(worker) || worker < 0 || worker > MAX_WORKER) throw new RangeError(`workerId must be an integer from 0 to ${MAX_WORKER}`);
    this.workerId = worker;
    this.now = options.now ?? Date.now;
  }

  /** A new id, as a decimal string. */
  next(): string {
    let t = Math.max(this.now() - SNOWFLAKE_EPOCH_MS, this.last);
    if (t === this.last) {
      this.sequence = (this.sequence + 1) & MAX_SEQUENCE;
      if (this.sequence === 0) {
        // 4096 ids in one millisecond: wait for the next one (a sub-millisecond busy wait); with a
        // clock that went back, borrow the next millisecond instead of waiting for it to return.
        let n = this.now() - SNOWFLAKE_EPOCH_MS;
        while (n === this.last) n = this.now() - SNOWFLAKE_EPOCH_MS;
        t = n > this.last ? n : this.last + 1;
      }
    } else {
      this.sequence = 0;
    }
    this.last = t;
    return ((BigInt(t) << (WORKER_BITS + SEQUENCE_BITS)) | (BigInt(this.workerId) << SEQUENCE_BITS) | BigInt(this.sequence)).toString();
  }
}

let shared: SnowflakeGenerator | undefined;

/**
 * A new snowflake id from the process-wide generator (what `{EXP.id}` uses).
 *
 * @example
 * ```ts
 * const id = generateSnowflakeId();   // "392837465012345678"
 * parseSnowflakeId(id).timestamp;     // ≈ Date.now()
 * ```
 */
export function generateSnowflakeId(): string {
  shared ??= new SnowflakeGenerator();
  return shared.next();
}

/** Splits a snowflake id (string, bigint or safe number) into its time, worker and sequence. */
export function parseSnowflakeId(id: string | bigint | number): SnowflakeParts {
  const n = BigInt(id);
  return {
    timestamp: Number(n >> (WORKER_BITS + SEQUENCE_BITS)) + SNOWFLAKE_EPOCH_MS,
    workerId: Number((n >> SEQUENCE_BITS) & BigInt(MAX_WORKER)),
    sequence: Number(n & BigInt(MAX_SEQUENCE)),
  };
}
