// Shared helpers of the browser tests: a fresh headless Chromium (Debian's,
// driven by playwright-core), screenshots, the axe-core check and the
// kiosk's size rules.
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import assert from "node:assert/strict";

const require = createRequire(import.meta.url);

export const BASE = process.env.E2E_BASE_URL || "http://127.0.0.1:8080";
export const IDLE_BASE = process.env.E2E_IDLE_BASE_URL || BASE;
export const DEVICE_TOKEN = process.env.E2E_DEVICE_TOKEN || "";
export const PASSWORD = process.env.E2E_PASSWORD || "";
// The kiosk screen as a station opens it: its device token in the fragment.
export const KIOSK = BASE + "/#device=" + DEVICE_TOKEN;
export const IDLE_KIOSK = IDLE_BASE + "/#device=" + DEVICE_TOKEN;
const SHOTS = process.env.E2E_SCREENSHOTS || path.join(path.dirname(new URL(import.meta.url).pathname), "screenshots");
fs.mkdirSync(SHOTS, { recursive: true });

// openBrowser starts Chromium with a new empty profile, so nothing from an
// earlier run is there, and with the network features that call out to
// Google switched off (the machine has no network).
// With { javaScript: false } the pages' scripts do not run, as for staff
// whose browser blocks them.
export async function openBrowser({ javaScript = true } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "citizenstation-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 1024 },
    locale: "vi-VN",
    timezoneId: "Asia/Ho_Chi_Minh",
    // axe-core is injected as an inline script, which the pages' CSP forbids.
    bypassCSP: true,
    javaScriptEnabled: javaScript,
  });
  const errors = [];
  context.on("page", (p) => watch(p, errors));
  context.pages().forEach((p) => watch(p, errors));
  return {
    context,
    errors,
    page: context.pages()[0] || (await context.newPage()),
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

function watch(page, errors) {
  page.on("pageerror", (e) => errors.push(String(e)));
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, name + ".png"), fullPage: true });
}

const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

// axeCheck fails on serious and critical violations of the page as shown.
export async function axeCheck(page, label) {
  const has = await page.evaluate(() => typeof window.axe !== "undefined");
  if (!has) await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  });
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad, [], `${label}: accessibility violations:\n${JSON.stringify(bad, null, 2)}`);
}

// kioskRules checks what elderly residents need on the visible screen: body
// text at least 24px, touch targets at least 64px high and wide, a progress
// line, and the "Quay lại" and "Gọi cán bộ" buttons.
export async function kioskRules(page, label) {
  const r = await page.evaluate(() => {
    const visible = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length) && getComputedStyle(e).visibility !== "hidden";
    const small = [];
    document.querySelectorAll("p, li, label, td, th, input, textarea, button, a").forEach((e) => {
      if (!visible(e) || e.closest(".visually-hidden") || e.classList.contains("visually-hidden")) return;
      const size = parseFloat(getComputedStyle(e).fontSize);
      if (size < 24) small.push(`${e.tagName}.${e.className} "${e.textContent.trim().slice(0, 30)}" ${size}px`);
    });
    const tiny = [];
    document.querySelectorAll("button, a.button, label.button, input:not([type=file])").forEach((e) => {
      if (!visible(e) || e.classList.contains("visually-hidden")) return;
      const b = e.getBoundingClientRect();
      if (b.height < 64 || (e.tagName !== "INPUT" && b.width < 64)) tiny.push(`${e.tagName} "${e.textContent.trim().slice(0, 30)}" ${Math.round(b.width)}x${Math.round(b.height)}`);
    });
    const btn = (id) => { const e = document.getElementById(id); return e && visible(e) ? e.textContent.trim() : null; };
    return { small, tiny, back: btn("back"), call: btn("call"), progress: document.getElementById("progress").textContent.trim() };
  });
  assert.deepEqual(r.small, [], `${label}: text under 24px`);
  assert.deepEqual(r.tiny, [], `${label}: touch targets under 64px`);
  assert.equal(r.back, "Quay lại", `${label}: no "Quay lại"`);
  assert.equal(r.call, "Gọi cán bộ", `${label}: no "Gọi cán bộ"`);
  return r.progress;
}

// storageIsEmpty asserts that the browser keeps nothing from the visit.
export async function assertNoBrowserStorage(page, label) {
  const s = await page.evaluate(async () => ({
    local: localStorage.length,
    session: sessionStorage.length,
    idb: indexedDB.databases ? (await indexedDB.databases()).length : 0,
    cookie: document.cookie,
    caches: (await caches.keys()).length,
  }));
  assert.deepEqual(s, { local: 0, session: 0, idb: 0, cookie: "", caches: 0 }, `${label}: browser storage`);
}

export async function visibleScreen(page) {
  return page.evaluate(() => document.body.dataset.screen);
}

// signIn signs a staff member in through the login page.
export async function signIn(page, username, next) {
  await page.goto(BASE + "/staff/login" + (next ? "?next=" + encodeURIComponent(next) : ""));
  await page.getByLabel("Tên đăng nhập").fill(username);
  await page.getByLabel("Mật khẩu").fill(PASSWORD);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  if (next) await page.waitForURL(BASE + next);
}

// device calls the kiosk API as the station does, from the page.
export async function deviceCall(page, method, path, body) {
  return page.evaluate(async ({ method, path, body, token }) => {
    const res = await fetch(path, { method, headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: await res.json().catch(() => null) };
  }, { method, path, body, token: DEVICE_TOKEN });
}

// openKiosk loads the kiosk screen afresh (a fragment-only change of address
// would not reload the page).
export async function openKiosk(page, url) {
  await page.goto("about:blank");
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.screen === "home");
}
