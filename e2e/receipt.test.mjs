// Nothing lost to a reset: a resident starts paying a bill, sees the
// payment's code beside the QR, and the kiosk is reset before the money
// arrives. The bank pays anyway; the next resident sees none of it; the
// first comes back, gives the code and four digits at "Tra cứu hồ sơ", and
// prints the signed receipt.
import { test } from "node:test";
import assert from "node:assert/strict";
import { KIOSK, testBrowser, openKiosk, shot, axeCheck, kioskRules, deviceCall, within, chooseBill, payFirstBill, payAtBank, progressIs, signedPaper } from "./lib.mjs";

const b = testBrowser();

test("a payment's receipt fetched by its code after the visit was reset", { timeout: 120000 }, async () => {
  const { page } = b;
  await openKiosk(page, KIOSK);
  const started = page.waitForResponse((r) => r.url().endsWith("/api/v1/kiosk/sessions") && r.request().method() === "POST");
  const bills = await chooseBill(page, "Internet", "demo0003");
  const visit = await (await started).json();
  const payment = await payFirstBill(page, bills);
  assert.match(payment.code, /^TT-[2-9A-Z]{3}-[2-9A-Z]{3}-[2-9A-Z]{3}$/);
  // The code in the largest type, with the QR, and said in the reply.
  assert.equal((await page.locator("#chat-code").textContent()).trim(), payment.code);
  assert.ok(await page.locator("#chat-qr").isVisible(), "the QR code shows");
  assert.match(await page.locator("#chat-reply").textContent(), new RegExp("Mã thanh toán của Bác: " + payment.code));
  const sizes = await page.evaluate(() => {
    const px = (e) => parseFloat(getComputedStyle(e).fontSize);
    const others = Array.from(document.querySelectorAll("section:not([hidden]) :is(h1, h2, p, div, a, button)")).filter((e) => e.id !== "chat-code");
    return { code: px(document.querySelector("#chat-code")), largest: Math.max(...others.map(px)) };
  });
  assert.ok(sizes.code > sizes.largest, `the code (${sizes.code}px) is the largest text (others up to ${sizes.largest}px)`);
  await kioskRules(page, "payment code beside the QR");
  await axeCheck(page, "payment code beside the QR");
  await shot(page, "receipt-01-code-beside-qr");

  // The kiosk is reset before the money arrives: the visit ends.
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.screen === "home");
  await within(10000, "the visit ends on the server", (async () => {
    for (;;) {
      const s = await deviceCall(page, "GET", "/api/v1/kiosk/sessions/" + visit.id);
      if (s.body.ended_at) return;
      await page.waitForTimeout(300);
    }
  })());

  // The bank pays after the visit ended.
  await payAtBank(b.context, payment.pay_url);

  // The next resident sees nothing of it.
  const home = await page.locator("body").innerText();
  assert.ok(!home.includes(payment.code) && !/Đã nhận đủ/.test(home), "the home screen shows nothing of the last visit");
  assert.ok(await page.locator("#chat-code").isHidden(), "no code left on the screen");
  await shot(page, "receipt-02-next-visit-home");

  // The code and the customer code's last four digits at "Tra cứu hồ sơ".
  await page.getByRole("button", { name: "Tra cứu hồ sơ" }).click();
  await progressIs(page, "Bước 1/2");
  await page.locator("#chat-text").fill(payment.code.toLowerCase());
  await page.getByRole("button", { name: "Gửi" }).click();
  await progressIs(page, "Bước 2/2");
  await page.locator("#chat-text").fill("0001"); // not this customer's digits
  await page.getByRole("button", { name: "Gửi" }).click();
  await page.locator("#chat-reply", { hasText: "Không tìm thấy giao dịch" }).waitFor();
  await page.locator("#chat-text").fill("0003");
  await page.getByRole("button", { name: "Gửi" }).click();
  await progressIs(page, "Kết quả tra cứu");
  const result = await page.locator("#chat-reply").textContent();
  assert.match(result, new RegExp("Giao dịch " + payment.code));
  assert.match(result, /Tình trạng: Đã thanh toán/);
  assert.match(result, /Số biên lai: BL\d{8}-\d{6}/);
  assert.equal((await page.locator("#chat-code").textContent()).trim(), payment.code);
  assert.deepEqual(await signedPaper(page, "#paper-receipt"), { pdf: true, signed: true }, "the receipt is a signed PDF");
  await kioskRules(page, "payment looked up");
  await axeCheck(page, "payment looked up");
  await shot(page, "receipt-03-looked-up");
});
