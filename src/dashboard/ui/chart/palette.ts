/**
 * Series colours: nine hues that each keep a 3:1 contrast (WCAG's bar for lines and marks)
 * against the light page (#ffffff) and the dark one (#14171c, #1b1f26), so one palette serves
 * both themes. Past nine the hue turns by 40° per round (pulled back into the contrast band)
 * and dash patterns cycle, so the 10th series differs from the 1st.
 */

const BASE = ["#3b6fd8", "#e8590c", "#2f9e44", "#d6336c", "#0c8599", "#be4bdb", "#a07800", "#868e96", "#8d6e63"];
const DASHES: number[][] = [[], [6, 4], [2, 3], [8, 3, 2, 3]];

/** The backgrounds every colour is checked against: light page, dark page, dark panel. */
export const BACKGROUNDS = ["#ffffff", "#14171c", "#1b1f26"] as const;

function rgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255];
}

function hex(r: number, g: number, b: number): string {
  const to = (v: number): string => Math.round(Math.min(1, Math.max(0, v)) * 255).toString(16).padStart(2, "0");
  return `#${to(r)}${to(g)}${to(b)}`;
}

/** WCAG relative luminance. */
function luminance(color: string): number {
  const f = (c: number): number => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const [r, g, b] = rgb(color);
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}

/** WCAG contrast ratio of two `#rrggbb` colours. */
export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
}

function rotateHue(color: string, deg: number): string {
  let [r, g, b] = rgb(color);
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
  return hex(r + m, g + m, b + m);
}

/** Darkens a colour too light for the white page, lightens one too dark for the dark page. */
function fitContrast(color: string): string {
  let c = color;
  for (let k = 0; k < 40; k++) {
    const [r, g, b] = rgb(c);
    if (contrast(c, "#ffffff") < 3) c = hex(r * 0.95, g * 0.95, b * 0.95);
    else if (Math.min(contrast(c, BACKGROUNDS[1]), contrast(c, BACKGROUNDS[2])) < 3) c = hex(r + (1 - r) * 0.05, g + (1 - g) * 0.05, b + (1 - b) * 0.05);
    else break;
  }
  return c;
}

/** Colour and dash of series `i`. */
export function seriesStyle(i: number): { color: string; dash: number[] } {
  const round = Math.floor(i / BASE.length);
  const base = BASE[i % BASE.length] as string;
  return { color: round === 0 ? base : fitContrast(rotateHue(base, 40 * round)), dash: DASHES[round % DASHES.length] as number[] };
}

/** Parses an SVG dasharray (`"4 4"`) from a `.dashrc`. */
export function parseDash(s: string | undefined): number[] | undefined {
  if (!s) return undefined;
  const parts = s.split(/[\s,]+/).map(Number).filter((n) => Number.isFinite(n) && n >= 0);
  return parts.length ? parts : undefined;
}
