/**
 * The progress bar of `ml-dash upload` in a terminal: percent, records done of the total, the
 * rate of records sent and the time left, redrawn in place on the last line (at most ten times a
 * second, and whenever the whole percent changes). Lines printed through {@link ProgressBar.line} appear above it. When stdout is not a
 * terminal nothing is drawn: the command prints its result lines and one summary line.
 */

/** Where the bar is drawn: `process.stdout`, or anything shaped like it. */
export interface ProgressOut {
  readonly isTTY?: boolean;
  /** Terminal width (0 or absent: 80). */
  readonly columns?: number;
  write(text: string): unknown;
}

/** What one frame of the bar shows. */
export interface ProgressFrame {
  /** Records the server holds now, of those to upload. */
  readonly done: number;
  readonly total: number;
  /** Records sent since the start (the rate counts only these: records already there cost nothing). */
  readonly sent: number;
  readonly elapsedMs: number;
  /** What is being sent (`[2/3] bob/run-1 metrics/train`). */
  readonly label: string;
}

/** `1:05`, `1:02:05`; `--:--` when not known. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** `950`, `12.3k`, `4.56M`. */
export function formatCount(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 2 : 1)}k`;
  return `${(n / 1_000_000).toFixed(n < 10_000_000 ? 2 : 1)}M`;
}

/** Records per second sent so far, or undefined before there is anything to measure. */
export function rateOf(frame: Pick<ProgressFrame, "sent" | "elapsedMs">): number | undefined {
  return frame.sent > 0 && frame.elapsedMs > 0 ? (frame.sent * 1000) / frame.elapsedMs : undefined;
}

/**
 * One line of the bar, at most `width` characters:
 * `[██████░░░░░░░░] 42% 12.3k/29.0k records  3.21k/s  ETA 0:05  [2/3] bob/run-1 metrics/train`.
 */
export function formatProgress(frame: ProgressFrame, width = 80): string {
  const total = Math.max(frame.total, frame.done);
  const fraction = total === 0 ? 1 : frame.done / total;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const rate = rateOf(frame);
  const eta = rate === undefined ? "--:--" : formatDuration((total - frame.done) / rate);
  const stats = `${percent} ${formatCount(frame.done)}/${formatCount(total)} records  ${rate === undefined ? "-" : formatCount(rate)}/s  ETA ${eta}`;
  const barWidth = Math.max(10, Math.min(30, width - stats.length - 40));
  const filled = Math.round(fraction * barWidth);
  const line = `[${"█".repeat(filled)}${"░".repeat(barWidth - filled)}] ${stats}  ${frame.label}`;
  return line.length <= width - 1 ? line : `${line.slice(0, width - 2)}…`;
}

/** The bar on a terminal; inert (draws nothing) when `out` is not one. */
export class ProgressBar {
  readonly #out: ProgressOut;
  readonly #now: () => number;
  readonly #start: number;
  #lastDraw = -Infinity;
  #lastPercent = -1;
  #shown = false;
  #frame: ProgressFrame | undefined;

  constructor(out: ProgressOut, now: () => number = () => performance.now()) {
    this.#out = out;
    this.#now = now;
    this.#start = now();
  }

  /** Whether a bar is drawn (stdout is a terminal). */
  get active(): boolean {
    return this.#out.isTTY === true;
  }

  /** Milliseconds since the bar was made. */
  elapsedMs(): number {
    return this.#now() - this.#start;
  }

  /** Records the new state; redraws when the whole percent changed or 100 ms passed since the last frame. */
  update(state: Omit<ProgressFrame, "elapsedMs">): void {
    this.#frame = { ...state, elapsedMs: this.elapsedMs() };
    if (!this.active) return;
    const now = this.#now();
    const percent = state.total === 0 ? 100 : Math.floor((state.done / Math.max(state.total, state.done)) * 100);
    if (percent === this.#lastPercent && now - this.#lastDraw < 100) return;
    this.#lastDraw = now;
    this.#lastPercent = percent;
    this.#draw();
  }

  /** Prints a whole line above the bar (the bar is redrawn under it). */
  line(text: string): void {
    if (!this.active) {
      this.#out.write(text + "\n");
      return;
    }
    this.#out.write(`\r\x1b[K${text}\n`);
    if (this.#frame) this.#draw();
  }

  /** Removes the bar (before the summary or an error message). */
  clear(): void {
    if (this.active && this.#shown) this.#out.write("\r\x1b[K");
    this.#shown = false;
    this.#frame = undefined;
  }

  #draw(): void {
    if (!this.#frame) return;
    this.#out.write(`\r\x1b[K${formatProgress(this.#frame, this.#out.columns || 80)}`);
    this.#shown = true;
  }
}
