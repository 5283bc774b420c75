/**
 * Series colours as ML-Dash uses them: ECharts' nine-colour palette, then the hue turns by 40°
 * per round and dash patterns cycle, so the 10th series differs from the 1st.
 */

const BASE = ["#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc"];
const DASHES: number[][] = [[], [6, 4], [2, 3], [8, 3, 2, 3]];

function rotateHue(hex: string, deg: number): string {
  const n = parseInt(hex.slice(1), 16);
  let r = ((n >> 16) & 255) / 255;
  let g = ((n >> 8) & 255) / 255;
  let b = (n & 255) / 255;
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const l = (max + min) / 2;
  const d = max - min;
  let h = 0;
  const s = d === 0 ? 0 : d / (1 - Math.abs(2 * l - 1));
  if (d !== 0) h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  h = (h * 60 + deg + 360) % 360;
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const x = c * (1 - Math.abs(((h / 60) % 2) - 1));
  const m = l - c / 2;
  [r, g, b] = h < 60 ? [c, x, 0] : h < 120 ? [x, c, 0] : h < 180 ? [0, c, x] : h < 240 ? [0, x, c] : h < 300 ? [x, 0, c] : [c, 0, x];
  const to = (v: number): string => Math.round((v + m) * 255).toString(16).padStart(2, "0");
  return `#${to(r)}${to(g)}${to(b)}`;
}

/** Colour and dash of series `i`. */
export function seriesStyle(i: number): { color: string; dash: number[] } {
  const round = Math.floor(i / BASE.length);
  const base = BASE[i % BASE.length] as string;
  return { color: round === 0 ? base : rotateHue(base, 40 * round), dash: DASHES[round % DASHES.length] as number[] };
}

/** Parses an SVG dasharray (`"4 4"`) from a `.dashrc`. */
export function parseDash(s: string | undefined): number[] | undefined {
  if (!s) return undefined;
  const parts = s.split(/[\s,]+/).map(Number).filter((n) => Number.isFinite(n) && n >= 0);
  return parts.length ? parts : undefined;
}
