// Shared helpers of the browser tests: a fresh headless Chromium (Debian's,
// driven by playwright-core), screenshots, the axe-core check and the
// kiosk's size rules.
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import assert from "node:assert/strict";
import { before, after } from "node:test";

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
// whose browser blocks them; timezoneId is the PC's zone (the city's
// unless a test says otherwise).
export async function openBrowser({ javaScript = true, timezoneId = "Asia/Ho_Chi_Minh" } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "citizenstation-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 1024 },
    locale: "vi-VN",
    timezoneId,
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

// testBrowser is a browser for the tests of one file: opened (as
// openBrowser, with its options) before them, closed after them, and the
// file fails when a page threw a script error; label names the pages in
// that failure ("the kiosk"). Its fields are openBrowser's once the
// tests run.
export function testBrowser({ label = "the pages", ...options } = {}) {
  const b = {};
  before(async () => { Object.assign(b, await openBrowser(options)); });
  after(async () => {
    await within(30000, "closing the browser of " + label, b.close());
    assert.deepEqual(b.errors, [], "script errors on " + label);
  });
  return b;
}

function watch(page, errors) {
  page.on("pageerror", (e) => errors.push(String(e)));
}

// shot saves the whole page, or with { fold: true } only what the screen
// shows without scrolling.
export async function shot(page, name, { fold = false } = {}) {
  await page.screenshot({ path: path.join(SHOTS, name + ".png"), fullPage: !fold });
}

// belowTheFold lists the elements of sel that a resident cannot see
// without scrolling: outside the window, or under the fixed "Quay lại" and
// "Gọi cán bộ" bar.
export async function belowTheFold(page, sel) {
  return page.locator(sel).evaluateAll((els) => {
    const bar = document.querySelector(".stepnav").getBoundingClientRect().top;
    return els.filter((e) => { const r = e.getBoundingClientRect(); return r.top < 0 || r.bottom > Math.min(window.innerHeight, bar); })
      .map((e) => `"${e.textContent.trim().slice(0, 40)}" ${Math.round(e.getBoundingClientRect().top)}–${Math.round(e.getBoundingClientRect().bottom)}`);
  });
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
    // Worded in the screen's language, a button keeps its Vietnamese
    // beneath (.label-vi) for staff: that is what must be there.
    const btn = (id) => { const e = document.getElementById(id); return e && visible(e) ? (e.querySelector(".label-vi") || e).textContent.trim() : null; };
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
    // A call that hangs fails here, naming itself, not as a test timeout.
    const res = await fetch(path, { method, signal: AbortSignal.timeout(20000), headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
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

// signedPaper waits for the link sel to a paper the kiosk fetched (a
// receipt, a tracking slip, a decision, an acknowledgement) and says what
// its file is: a PDF, and whether it carries a PDF signature.
export async function signedPaper(page, sel) {
  await page.locator(sel + ":not([hidden])").waitFor();
  return page.locator(sel).evaluate(async (a) => {
    const t = new TextDecoder("latin1").decode(await (await fetch(a.href)).arrayBuffer());
    return { pdf: t.startsWith("%PDF-"), signed: t.includes("/ByteRange") && t.includes("/adbe.pkcs7.detached") };
  });
}

// printedText is the text of every job the station's printer
// (ippeveprinter, E2E_PRINTER_SPOOL) has received, read by pdftotext.
export function printedText() {
  const spool = process.env.E2E_PRINTER_SPOOL || "";
  if (!spool) return "";
  return fs.readdirSync(spool).filter((f) => f.endsWith(".pdf")).map((f) => {
    try { return execFileSync("pdftotext", [path.join(spool, f), "-"], { encoding: "utf8" }); } catch (e) { return ""; }
  }).join("\n");
}

// The assistant's screens, for the filing tests.
export const screenIs = (page, name, timeout) => page.waitForFunction((n) => document.body.dataset.screen === n, name, { timeout: timeout || 15000 });
// replied waits for the assistant's next reply to be on the screen.
export async function replied(page, action) {
  const res = page.waitForResponse((r) => /\/api\/v1\/sessions\/[^/]+\/messages$/.test(r.url()));
  await action();
  const r = await (await res).json();
  await page.waitForFunction(() => !document.querySelector("section[data-screen='f-chat'] [data-error]").textContent || true);
  return r;
}

// answer gives the assistant what it asks for, by the field it names.
export async function answer(page, r) {
  const label = r.field ? r.field.label.toLowerCase() : "";
  const skip = (r.choices || []).find((c) => c.id === "skip");
  const option = (r.choices || []).find((c) => c.id.startsWith("opt:"));
  if (option) return replied(page, () => page.getByRole("button", { name: option.label, exact: true }).click());
  if (skip && r.stage === "collect") return replied(page, () => page.getByRole("button", { name: skip.label, exact: true }).click());
  let value = "Khong ro";
  if (/điện thoại/.test(label)) value = "0903123456";
  else if (/số bản/.test(label)) value = "1";
  else if (/họ và tên/.test(label)) value = "Nguyen Van Binh";
  else if (/ngày/.test(label)) value = "12/3/1980";
  else if (/định danh|căn cước/.test(label)) value = "079012345678";
  else if (/nơi|địa chỉ/.test(label)) value = "12 Ton Duc Thang, Phuong Sai Gon";
  await page.locator("#chat-text").fill(value);
  return replied(page, () => page.getByRole("button", { name: "Gửi" }).click());
}

// within fails with the step's name when a promise has not settled after ms
// milliseconds, so a hang names where it happened instead of timing out the
// whole test.
export function within(ms, step, promise) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${step}: nothing after ${ms} ms`)), ms); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

// payAtBank pays a payment order as the resident's bank would: the sandbox
// gateway's pay page in a page of its own, its "Thanh toán" button, then
// the gateway's redirect back to the service, which comes after the gateway
// has told the service (IPN). The page is closed only once that navigation
// has finished: Chromium can leave a page closed mid-navigation unanswered.
export async function payAtBank(context, payURL) {
  const bank = await within(30000, "a page for the bank", context.newPage());
  await bank.goto(payURL);
  await Promise.all([
    bank.waitForURL(/\/api\/v1\/payments\/vnpay\/return/, { waitUntil: "load" }),
    bank.getByRole("button", { name: "Thanh toán" }).click(),
  ]);
  await within(30000, "the bank page closes", bank.close());
}

// imageShown waits for the image sel to have loaded and to be at least
// minWidth pixels wide in its own pixels.
export const imageShown = (page, sel, minWidth) => page.waitForFunction(({ sel, minWidth }) => {
  const img = document.querySelector(sel);
  return !!img && !img.hidden && img.complete && img.naturalWidth >= minWidth;
}, { sel, minWidth }, { timeout: 15000 });

// progressIs waits for the kiosk's progress line to read text (the
// assistant's steps arrive from the server).
export const progressIs = (page, text, timeout) => page.locator("#progress", { hasText: text }).waitFor({ timeout: timeout || 15000 });

// chooseBill takes the bill tile through the assistant's flow to the list
// of bills: the kind, the customer code, then the bills found.
export async function chooseBill(page, kind, code) {
  await page.getByRole("button", { name: "Thanh toán phí và hóa đơn" }).click();
  await progressIs(page, "Bước 1/4");
  await page.locator("#chat-choices button", { hasText: kind }).click();
  await progressIs(page, "Bước 2/4");
  await page.getByLabel("Mã khách hàng").fill(code);
  await page.getByRole("button", { name: "Gửi" }).click();
  await progressIs(page, "Bước 3/4");
  return page.locator("#chat-choices button[data-choice^='bill:']");
}

// payFirstBill touches the first bill and returns the payment order the
// assistant made for it.
export async function payFirstBill(page, bills) {
  const replied = page.waitForResponse((r) => /\/api\/v1\/sessions\/[^/]+\/messages$/.test(r.url()));
  await bills.first().click();
  const r = await within(20000, "the bill's payment order", replied.then((res) => res.json()));
  await progressIs(page, "Bước 4/4");
  return r.payment;
}
