// Paying a bill at the kiosk: category, customer code, the bill, the VietQR
// code, and the receipt once the payment arrives through the sandbox gateway.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { KIOSK, openBrowser, openKiosk, shot, axeCheck, kioskRules, visibleScreen, assertNoBrowserStorage } from "./lib.mjs";

let b;
before(async () => { b = await openBrowser(); });
after(async () => {
  await b.close();
  assert.deepEqual(b.errors, [], "script errors on the pages");
});

test("a resident pays an electricity bill by VietQR and gets the receipt", async () => {
  const { page } = b;
  await openKiosk(page, KIOSK);
  await page.getByRole("button", { name: "Thanh toán phí và hóa đơn" }).click();
  await page.getByRole("button", { name: "Tiền điện" }).click();
  assert.equal(await kioskRules(page, "b-code"), "Bước 2/4");
  await page.getByLabel("Mã khách hàng").fill("demo0001");
  await page.getByRole("button", { name: "Tìm hóa đơn" }).click();
  await page.waitForFunction(() => document.body.dataset.screen === "b-list");
  assert.equal(await kioskRules(page, "b-list"), "Bước 3/4");
  const bills = await page.locator("#bill-list button").allTextContents();
  assert.ok(bills.length >= 1 && bills.every((t) => /Tiền điện/.test(t)), "only electricity bills: " + bills);
  await axeCheck(page, "b-list");
  await shot(page, "bills-01-list");

  const created = page.waitForResponse((r) => r.url().endsWith("/api/v1/payments") && r.request().method() === "POST");
  await page.locator("#bill-list button").first().click();
  const payment = await (await created).json();
  assert.equal(payment.state, "pending");
  assert.match(payment.vietqr.payload, /^000201/, "an EMVCo payload");
  await page.waitForFunction(() => document.body.dataset.screen === "b-pay");
  assert.equal(await kioskRules(page, "b-pay"), "Bước 4/4");
  await page.locator("#bill-qr").evaluate((img) => img.decode());
  assert.ok(await page.locator("#bill-qr").evaluate((img) => img.naturalWidth >= 128), "the QR image loaded");
  assert.match(await page.locator("#bill-amount").textContent(), /\d{3}.\d{3} đồng/);
  await axeCheck(page, "b-pay");
  await shot(page, "bills-02-vietqr");

  // The resident's bank pays: here, the sandbox gateway's pay page.
  const bank = await b.context.newPage();
  await bank.goto(payment.pay_url);
  await bank.getByRole("button", { name: "Thanh toán" }).click();
  await bank.close();

  await page.waitForFunction(() => document.body.dataset.screen === "b-done", null, { timeout: 20000 });
  assert.match(await page.locator("#bill-done").textContent(), /Đã trả .* đồng/);
  await kioskRules(page, "b-done");
  await axeCheck(page, "b-done");
  await shot(page, "bills-03-paid");
  await Promise.all([page.waitForEvent("load"), page.getByRole("button", { name: "Về trang chủ" }).click()]);
  assert.equal(await visibleScreen(page), "home");
  await assertNoBrowserStorage(page, "after paying");
});
