/**
 * H/I. Files (list, previews, video with Range, download checksum) and tracks (scrubber, floor
 * match, aligned frame image).
 */
import { expect, test } from "@playwright/test";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { at, ROOT, shot } from "./helpers.ts";

const LR = "alice/mnist/2026/lr-sweep/lr-0.01";

test("H1: files are listed with sizes; soft-deleted ones are hidden", async ({ page }) => {
  await page.goto(at(LR, "tab=files"));
  const rows = page.locator(".split table tbody tr");
  await expect(rows.first()).toBeVisible();
  const text = await rows.allTextContents();
  expect(text.some((t) => t.includes("images/sample_00.png") && /\d+ B|KiB/.test(t))).toBe(true);
  expect(text.some((t) => t.includes("deleted.png"))).toBe(false);
  expect(text.some((t) => t.includes("configs/config.json"))).toBe(true);
  expect(text.some((t) => t.includes("README.md"))).toBe(true); // a loose file in the run folder
});

test("H2: PNG, JPEG and WEBP preview at their natural size", async ({ page }) => {
  await page.goto(at(LR, "tab=files"));
  for (const name of ["images/sample_03.png", "images/photo.jpg", "images/pic.webp"]) {
    await page.getByRole("button", { name, exact: true }).click();
    const img = page.getByTestId("preview").locator("img");
    await expect(img).toHaveAttribute("alt", name);
    await expect.poll(() => img.evaluate((e) => (e as HTMLImageElement).naturalWidth)).toBe(96);
  }
  await page.getByRole("button", { name: "configs/config.json", exact: true }).click();
  await expect(page.getByTestId("preview").locator("pre")).toContainText('"lr": 0.01');
  await page.getByRole("button", { name: "images/sample_03.png", exact: true }).click();
  await shot(page, "media-image");
});

test("H3: the WEBM plays in a <video>, and a Range request answers 206", async ({ page, request }) => {
  await page.goto(at(LR, "tab=files"));
  await page.getByRole("button", { name: "media/clip.webm", exact: true }).click();
  const video = page.getByTestId("preview").locator("video");
  await expect.poll(() => video.evaluate((v) => (v as HTMLVideoElement).readyState), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
  const url = await video.getAttribute("src");
  const r = await request.get(url!, { headers: { Range: "bytes=0-99" } });
  expect(r.status()).toBe(206);
  expect(r.headers()["content-range"]).toMatch(/^bytes 0-99\/\d+$/);
  expect((await r.body()).length).toBe(100);
});

test("H4: a download's SHA-256 equals the checksum in .files_metadata.json", async ({ page }) => {
  await page.goto(at(LR, "tab=files"));
  await page.getByRole("button", { name: "images/sample_05.png", exact: true }).click();
  const [dl] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "download" }).click()]);
  const bytes = readFileSync((await dl.path()) as string);
  const meta = JSON.parse(readFileSync(join(ROOT, LR, "files/.files_metadata.json"), "utf8")) as { files: { filename: string; checksum: string }[] };
  const want = meta.files.find((f) => f.filename === "sample_05.png")!.checksum;
  expect(createHash("sha256").update(bytes).digest("hex")).toBe(want);
  expect(dl.suggestedFilename()).toBe("sample_05.png");
});

test("I1/I2: the scrubber spans the track; scrubbing shows the floor-matched entry and its frame", async ({ page }) => {
  await page.goto(at("alice/robot/pose", "tab=tracks"));
  await expect(page.locator("table").first()).toContainText("robot/pose");
  await expect(page.locator("table").first()).toContainText("frame, x, y");
  const slider = page.getByLabel("Time in robot/pose");
  await expect(slider).toHaveAttribute("min", "1");
  await expect(slider).toHaveAttribute("max", "10");
  const entry = page.getByTestId("track-entry");
  const frame = page.getByTestId("frame");
  for (const [t, want] of [[2.5, 2], [6.99, 6], [10, 10]] as const) {
    await slider.evaluate((el, v) => {
      const input = el as HTMLInputElement;
      input.value = String(v);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }, t);
    await expect(entry).toContainText(`timestamp${want}`);
    await expect(entry).toContainText(`x${want * 1.5}`);
    await expect(frame).toHaveAttribute("alt", `frames/frame_${String(want).padStart(4, "0")}.jpg`);
    await expect.poll(() => frame.evaluate((e) => (e as HTMLImageElement).naturalWidth)).toBe(96);
    await shot(page, `track-t${want}`);
  }
});

test("I3: ←/→ step one entry; play advances through the entries", async ({ page }) => {
  await page.goto(at("alice/robot/pose", "tab=tracks"));
  const slider = page.getByLabel("Time in robot/pose");
  const entry = page.getByTestId("track-entry");
  await expect(entry).toContainText("timestamp1");
  await slider.focus();
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await expect(entry).toContainText("timestamp3");
  await page.keyboard.press("ArrowLeft");
  await expect(entry).toContainText("timestamp2");
  // Playing shows each entry in turn, every 250 ms, and stops on the last one. The page records
  // what it shows as it changes: a look from outside every so often can miss an entry on a
  // loaded machine (or find the end already reached).
  await page.evaluate(() => {
    const shown: string[] = [];
    (globalThis as { __shown?: string[] }).__shown = shown;
    new MutationObserver(() => {
      const ts = /timestamp(\d+)/.exec(document.querySelector('[data-testid="track-entry"]')?.textContent ?? "")?.[1];
      const state = `${ts}${document.querySelector('button[aria-label="Pause"]') ? " playing" : ""}`;
      if (shown.at(-1) !== state) shown.push(state);
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await page.getByRole("button", { name: "Play" }).click();
  const shown = (): Promise<string[]> => page.evaluate(() => (globalThis as { __shown?: string[] }).__shown ?? []);
  await expect.poll(async () => (await shown()).at(-1), { timeout: 30_000 }).toBe("10"); // stopped on the last entry
  expect(await shown()).toEqual(["2 playing", "3 playing", "4 playing", "5 playing", "6 playing", "7 playing", "8 playing", "9 playing", "10 playing", "10"]);
});

test("I (Python run): tracks written by ML-Dash Python are listed and floor-matched", async ({ page }) => {
  await page.goto(at("alice/reference/mlp/python-run", "tab=tracks"));
  await expect(page.locator("table").first()).toContainText("camera/left");
  await expect(page.locator("table").first()).toContainText("sensors");
  await expect(page.getByTestId("track-entry")).toContainText("timestamp11width640height480"); // camera/left (`_ts=-1`)
  await page.getByRole("button", { name: "robot/pose", exact: true }).click();
  await expect(page.getByTestId("track-entry")).toContainText("timestamp10x1y2q[0,0.5]");
});
