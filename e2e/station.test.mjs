// The station's devices through the station agent: a printer taken away
// shows on the fleet console within one heartbeat and the kiosk stops
// offering printing; back, it is offered again. And nothing is lost to the
// idle timer while a payment waits.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { KIOSK, IDLE_KIOSK, testBrowser, openKiosk, shot, signIn, deviceCall, kioskRules, axeCheck, within, chooseBill, payFirstBill, progressIs, payAtBank } from "./lib.mjs";

const kiosk = testBrowser({ label: "the kiosk" });
const admin = testBrowser({ label: "the fleet console" });
let printer = null;
after(() => { if (printer) printer.kill(); });

const printerRow = (page) => page.locator("#stations tr", { hasText: "Trạm chung cư Bến Nghé" });

test("a printer taken away: the fleet shows it within one heartbeat, the kiosk stops offering print", { timeout: 120000 }, async () => {
  await openKiosk(kiosk.page, KIOSK);
  await kiosk.page.waitForFunction(() => document.body.dataset.printer === "ready");
  await signIn(admin.page, "quan.tri", "/staff/stations");
  await printerRow(admin.page).getByText(/Máy in biên nhận: hoạt động/).waitFor({ timeout: 10000 });

  process.kill(Number(process.env.E2E_PRINTER_PID), "SIGKILL");
  const gone = Date.now();
  // The agent reads its devices every 500 ms and beats at once on a change;
  // the fleet page is read again.
  for (let i = 0; i < 20; i++) {
    await admin.page.reload();
    if (/Máy in biên nhận: ngoại tuyến|Máy in biên nhận: mất kết nối/.test(await printerRow(admin.page).textContent())) break;
    await admin.page.waitForTimeout(500);
  }
  assert.match(await printerRow(admin.page).textContent(), /Máy in biên nhận: (ngoại tuyến|mất kết nối)/);
  const shown = Date.now() - gone;
  assert.ok(shown < 10000, `the fleet showed the printer offline after ${shown} ms`);
  await shot(admin.page, "station-01-fleet-printer-offline");

  // The kiosk no longer offers printing (its next look at the agent).
  await kiosk.page.waitForFunction(() => document.body.dataset.printer === "none", null, { timeout: 15000 });

  // The printer back: offered again.
  const cmd = JSON.parse(process.env.E2E_PRINTER_CMD);
  const env = Object.assign({}, process.env);
  cmd.env.forEach((kv) => { const i = kv.indexOf("="); env[kv.slice(0, i)] = kv.slice(i + 1); });
  printer = spawn("ippeveprinter", cmd.args, { env, stdio: "ignore" });
  await kiosk.page.waitForFunction(() => document.body.dataset.printer === "ready", null, { timeout: 30000 });
});

// The idle server ends a visit after 25 s (20 s of warning). A payment
// waiting holds the idle timer: after longer than that nothing is reset,
// the visit is still open, and when the money arrives the receipt shows.
test("idle through a pending payment: nothing reset, the receipt afterwards", { timeout: 150000 }, async () => {
  const page = kiosk.page;
  await openKiosk(page, IDLE_KIOSK);
  const started = page.waitForResponse((r) => r.url().endsWith("/api/v1/kiosk/sessions") && r.request().method() === "POST");
  const bills = within(30000, "the bills are found", chooseBill(page, "Tiền nước", "demo0001"));
  const visit = await within(30000, "the visit starts", started.then((r) => r.json()));
  const payment = await within(30000, "the payment is created", payFirstBill(page, await bills));

  await page.waitForTimeout(32000); // longer than STATION_KIOSK_IDLE, without a touch
  assert.equal(await page.locator("#progress").textContent(), "Bước 4/4", "the payment screen stays");
  assert.ok(await page.locator("#chat-qr").isVisible(), "the QR code stays");
  assert.ok(await page.locator("#idle-box").isHidden(), "no idle warning while the payment waits");
  const s = await deviceCall(page, "GET", "/api/v1/kiosk/sessions/" + visit.id);
  assert.equal(s.body.ended_at, undefined, "the visit is still open on the server");
  await shot(page, "station-02-idle-payment-waits");

  await payAtBank(kiosk.context, payment.pay_url);
  await progressIs(page, "Hoàn tất", 20000);
  assert.match(await page.locator("#chat-reply").textContent(), /Đã nhận đủ .* đồng/);
});

// A name typed with the on-screen keyboard alone: the vowels with marks and
// a tone key put on the right letter; ID fields get the numeric pad.
test("type a name with the on-screen Vietnamese keyboard", { timeout: 60000 }, async () => {
  const page = kiosk.page;
  await openKiosk(page, KIOSK);
  await page.getByRole("button", { name: "Thủ tục hành chính" }).click();
  await page.locator("#ask-text").click();
  const osk = page.getByRole("group", { name: "Bàn phím trên màn hình" });
  await osk.waitFor();
  const press = (name) => osk.getByRole("button", { name, exact: true }).click();
  for (const k of ["phím N", "phím g", "phím u", "phím y", "phím ê", "phím n", "dấu ngã", "Dấu cách", "⇧ Hoa", "phím V", "phím ă", "phím n"]) await press(k);
  assert.equal(await page.inputValue("#ask-text"), "Nguyễn Văn");
  await kioskRules(page, "on-screen keyboard");
  await axeCheck(page, "on-screen keyboard");
  await shot(page, "station-03-keyboard");
  await press("Xong");
  await osk.waitFor({ state: "hidden" });

  await page.getByRole("button", { name: "Quay lại" }).click();
  await page.getByRole("button", { name: "Tra cứu hồ sơ" }).click();
  await page.locator("#progress", { hasText: "Bước 1/2" }).waitFor();
  await page.locator("#chat-text").fill("ABCD2345");
  await page.getByRole("button", { name: "Gửi" }).click();
  await page.locator("#progress", { hasText: "Bước 2/2" }).waitFor();
  await page.locator("#chat-text").click();
  await osk.waitFor();
  assert.equal(await osk.getByRole("button", { name: "phím a" }).count(), 0, "digits only for the last four digits");
  for (const d of ["1", "2", "3", "4"]) await press("phím " + d);
  assert.equal(await page.inputValue("#chat-text"), "1234");
});
