// Paying a bill at the kiosk through the assistant's flow: category, customer
// code, the bill, the VietQR code, and the receipt once the payment arrives
// through the sandbox gateway.
import { test } from "node:test";
import assert from "node:assert/strict";
import { KIOSK, testBrowser, openKiosk, shot, axeCheck, kioskRules, visibleScreen, assertNoBrowserStorage, chooseBill, payFirstBill, progressIs, imageShown, payAtBank, signedPaper } from "./lib.mjs";

const b = testBrowser();

test("a resident pays an electricity bill by VietQR and gets the receipt", async () => {
  const { page } = b;
  await openKiosk(page, KIOSK);
  const bills = await chooseBill(page, "Tiền điện", "demo0001");
  assert.equal(await kioskRules(page, "bill list"), "Bước 3/4");
  // Typed in lower case, the code is read back as the biller prints it.
  const said = await page.locator("#chat-reply").textContent();
  assert.match(said, /DEMO0001/);
  assert.doesNotMatch(said, /demo0001/);
  const labels = await bills.allTextContents();
  assert.ok(labels.length >= 1 && labels.every((t) => /Tiền điện/.test(t)), "only electricity bills: " + labels);
  await axeCheck(page, "bill list");
  await shot(page, "bills-01-list");

  const payment = await payFirstBill(page, bills);
  assert.equal(payment.state, "pending");
  assert.match(payment.qr_payload, /^000201/, "an EMVCo payload");
  assert.equal(await kioskRules(page, "bill VietQR"), "Bước 4/4");
  await imageShown(page, "#chat-qr", 128);
  assert.match(await page.locator("#chat-reply").textContent(), /\d{3}.\d{3} đồng/);
  await axeCheck(page, "bill VietQR");
  await shot(page, "bills-02-vietqr");

  // The resident's bank pays: here, the sandbox gateway's pay page.
  await payAtBank(b.context, payment.pay_url);

  await progressIs(page, "Hoàn tất", 20000);
  assert.match(await page.locator("#chat-reply").textContent(), /Đã nhận đủ .* đồng/);
  // The payment's code to keep, and its signed receipt to print.
  assert.equal((await page.locator("#chat-code").textContent()).trim(), payment.code);
  assert.deepEqual(await signedPaper(page, "#paper-receipt"), { pdf: true, signed: true }, "the receipt is a signed PDF");
  await kioskRules(page, "bill paid");
  await axeCheck(page, "bill paid");
  await shot(page, "bills-03-paid");
  await Promise.all([page.waitForEvent("load"), page.getByRole("button", { name: "Về trang chủ" }).click()]);
  assert.equal(await visibleScreen(page), "home");
  await assertNoBrowserStorage(page, "after paying");
});
