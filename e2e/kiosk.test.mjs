// The kiosk screen in Chromium: the home screen, every service's first
// screens, read-aloud, the inactivity wipe and the browser's storage.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE, IDLE_BASE, KIOSK, IDLE_KIOSK, openBrowser, testBrowser, shot, axeCheck, kioskRules, assertNoBrowserStorage, visibleScreen, openKiosk, deviceCall, progressIs, belowTheFold } from "./lib.mjs";

const b = testBrowser();

test("home screen: every service, large type, big targets, accessible", async () => {
  const { page } = b;
  await openKiosk(page, KIOSK);
  await page.getByRole("heading", { level: 1 }).waitFor();
  const tiles = await page.locator(".tile .tile-title").allTextContents();
  assert.deepEqual(tiles, ["Thủ tục hành chính", "Tra cứu hồ sơ", "Thanh toán phí và hóa đơn", "Phản ánh an ninh trật tự", "Dịch vụ y tế", "Ngân hàng, viễn thông, chữ ký số", "Thông tin du lịch"]);
  await shot(page, "kiosk-01-home", { fold: true });
  await kioskRules(page, "home");
  assert.deepEqual(await belowTheFold(page, ".tile"), [], "every tile is on the screen without scrolling");
  await axeCheck(page, "home");
});

// The kiosk PC's zone may be anything (UTC here): the clock shows the
// city's time, UTC+7.
test("the clock shows the city's time whatever the PC's zone", async () => {
  const utc = await openBrowser({ timezoneId: "UTC" });
  try {
    await openKiosk(utc.page, KIOSK);
    const city = (t) => new Intl.DateTimeFormat("vi-VN", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Ho_Chi_Minh" }).format(t);
    const before = Date.now();
    await utc.page.waitForTimeout(500); // the script's first tick
    const shown = await utc.page.locator("#clock").textContent();
    const zone = await utc.page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    assert.equal(zone, "UTC", "the browser runs in UTC");
    assert.ok([city(before), city(Date.now())].includes(shown), `clock ${shown}, city time ${city(before)}`);
    await shot(utc.page, "kiosk-06-clock-utc-pc", { fold: true });
  } finally {
    await utc.close();
  }
  assert.deepEqual(utc.errors, [], "script errors on the pages");
});

// A report starts with the emergency numbers and what a report asks, not
// with an ID card; its categories are buttons, not written again above
// them, and "Nghe đọc" still names them.
test("report: the first screen fits a report, its choices once", async () => {
  const { page } = b;
  await openKiosk(page, KIOSK);
  const res = page.waitForResponse((r) => /\/api\/v1\/sessions\/[^/]+\/messages$/.test(r.url()));
  await page.getByRole("button", { name: "Phản ánh an ninh trật tự" }).click();
  const r = await (await res).json();
  await progressIs(page, "Bước 1/9");
  const reply = await page.locator("#chat-reply").innerText();
  assert.match(reply, /^Nếu đang có nguy hiểm, Bác gọi ngay 113/, "the emergency numbers first");
  assert.doesNotMatch(reply, /căn cước|máy quét/, "no ID card for a report");
  const buttons = await page.locator("#chat-choices button").allTextContents();
  assert.ok(buttons.includes("2. Trộm cắp, cướp giật"), JSON.stringify(buttons));
  for (const label of buttons) assert.ok(!reply.includes(label), `"${label}" is written above its button`);
  for (const label of buttons) assert.ok(r.speech.includes(label), `"Nghe đọc" does not name "${label}"`);
  assert.equal(await page.locator("#chat-reply").getAttribute("data-speech"), r.speech);
  assert.deepEqual(await belowTheFold(page, "#chat-choices button"), [], "every category is on the screen");
  await kioskRules(page, "report");
  await shot(page, "kiosk-07-report-first", { fold: true });
});

// Every first screen of every service, and one more step where it needs no
// server: the progress line, the rules and axe on each, and "Quay lại".
test("each service's screens: progress line, Quay lại, Gọi cán bộ", async () => {
  const { page } = b;
  const walks = [
    { tile: "Thủ tục hành chính", screens: [["f-ask", "Bước 1/5"]] },
    // The assistant's look-up: the code, then the four digits.
    { tile: "Tra cứu hồ sơ", screens: [["f-chat", "Bước 1/2"]], fill: ["#chat-text", "ABCD2345"], then: ["f-chat", "Bước 2/2"] },
    { tile: "Thanh toán phí và hóa đơn", screens: [["f-chat", "Bước 1/4"]], click: "1. Tiền điện", then: ["f-chat", "Bước 2/4"] },
    // The assistant's report: the category, then whether it is still happening.
    { tile: "Phản ánh an ninh trật tự", screens: [["f-chat", "Bước 1/9"]], click: "2. Trộm cắp, cướp giật", then: ["f-chat", "Bước 2/9"] },
    { tile: "Dịch vụ y tế", screens: [["h-menu", "Bước 1/1"]], click: "Cấp cứu", then: ["h-emergency", "Cấp cứu"] },
  ];
  for (const w of walks) {
    await openKiosk(page, KIOSK);
    await page.getByRole("button", { name: w.tile }).click();
    const [screen, progress] = w.screens[0];
    await progressIs(page, progress);
    assert.equal(await visibleScreen(page), screen);
    assert.equal(await kioskRules(page, screen), progress);
    await axeCheck(page, screen);
    await shot(page, "kiosk-02-" + screen);
    if (w.fill) {
      await page.fill(w.fill[0], w.fill[1]);
      await page.keyboard.press("Enter");
    }
    if (w.click) await page.getByRole("button", { name: w.click, exact: true }).click();
    if (w.then) {
      await progressIs(page, w.then[1]);
      assert.equal(await visibleScreen(page), w.then[0]);
      assert.equal(await kioskRules(page, w.then[0]), w.then[1]);
      await axeCheck(page, w.then[0]);
      await shot(page, "kiosk-02-" + w.then[0]);
      await page.getByRole("button", { name: "Quay lại" }).click();
      await progressIs(page, progress);
      assert.equal(await visibleScreen(page), screen, "Quay lại goes one screen back");
    }
    await page.getByRole("button", { name: "Quay lại" }).click();
    await page.waitForFunction(() => document.body.dataset.screen === "home");
  }
});

test("Gọi cán bộ opens a dialog that says help is coming", async () => {
  const { page } = b;
  await openKiosk(page, KIOSK);
  await page.getByRole("button", { name: "Gọi cán bộ" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.waitFor();
  // The call is made at once (e2e/help.test.mjs follows it to the console).
  await page.locator("#call-message", { hasText: "Đã báo cán bộ phường" }).waitFor();
  await axeCheck(page, "call dialog");
  await shot(page, "kiosk-03-call-staff");
  await page.getByRole("button", { name: "Đóng" }).click();
  await dialog.waitFor({ state: "hidden" });
});

test("read aloud: the server speaks Vietnamese as WAV", async () => {
  const { page } = b;
  await openKiosk(page, KIOSK);
  const r = await page.evaluate(async () => {
    const res = await fetch("/api/v1/speech", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: "Xin chào bác. Hồ sơ của bác đã được tiếp nhận." }) });
    const buf = new Uint8Array(await res.arrayBuffer());
    return { status: res.status, type: res.headers.get("content-type"), head: String.fromCharCode(...buf.slice(0, 4)) + String.fromCharCode(...buf.slice(8, 12)), size: buf.length };
  });
  assert.equal(r.status, 200);
  assert.equal(r.type, "audio/wav");
  assert.equal(r.head, "RIFFWAVE");
  assert.ok(r.size > 20000, `only ${r.size} bytes of audio`);
});

// The idle server runs with STATION_KIOSK_IDLE=25s and a 20 s warning: the
// warning shows a countdown, "Tôi vẫn đang dùng" keeps the visit, and when
// nobody touches the screen the visit ends on the server, the page reloads
// home and nothing typed is kept in the page or in browser storage.
test("inactivity: warning, countdown, then the visit ends and the screen goes home", async () => {
  const { page } = b;
  await openKiosk(page, IDLE_KIOSK);
  const started = page.waitForResponse((r) => r.url().endsWith("/api/v1/kiosk/sessions") && r.request().method() === "POST");
  await page.getByRole("button", { name: "Tra cứu hồ sơ" }).click();
  const visit = await (await started).json();
  assert.ok(visit.id, "a kiosk session started");
  await page.locator("#chat-text").waitFor();
  await page.fill("#chat-text", "ABCD2345");
  const warning = page.getByRole("alertdialog");
  await warning.waitFor({ timeout: 30000 });
  assert.match(await page.locator("#idle-count").textContent(), /^\d+$/);
  await kioskRules(page, "idle warning");
  await axeCheck(page, "idle warning");
  await shot(page, "kiosk-04-idle-warning");
  await page.getByRole("button", { name: "Tôi vẫn đang dùng" }).click();
  await warning.waitFor({ state: "hidden" });
  assert.equal(await visibleScreen(page), "f-chat", "the visit goes on");
  assert.equal(await page.inputValue("#chat-text"), "ABCD2345");
  let s = await deviceCall(page, "GET", "/api/v1/kiosk/sessions/" + visit.id);
  assert.equal(s.body.ended_at, undefined, "the visit is still open on the server");

  await warning.waitFor({ timeout: 30000 });
  const reloaded = page.waitForEvent("load", { timeout: 30000 });
  await reloaded;
  await page.waitForFunction(() => document.body.dataset.screen === "home");
  assert.equal(await page.inputValue("#chat-text"), "", "typed text is gone");
  await assertNoBrowserStorage(page, "after the idle wipe");
  s = await deviceCall(page, "GET", "/api/v1/kiosk/sessions/" + visit.id);
  assert.equal(s.status, 200);
  assert.ok(s.body.ended_at, "the visit ended on the server");
  await shot(page, "kiosk-05-after-idle");
});
