// "Gọi cán bộ": the resident presses it at the kiosk, the ward's staff
// console shows the call within 2 seconds, one touch acknowledges it and the
// kiosk tells the resident who is coming. The cards are the server's: with
// scripts off a console still shows and acknowledges a call, and the ward's
// staff set the number the kiosk reads when nobody comes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, KIOSK, openBrowser, shot, axeCheck, signIn, openKiosk } from "./lib.mjs";

let kiosk, staff, plain;
before(async () => {
  kiosk = await openBrowser();
  staff = await openBrowser();
  plain = await openBrowser({ javaScript: false });
});
after(async () => {
  await kiosk.close();
  await staff.close();
  await plain.close();
  assert.deepEqual([...kiosk.errors, ...staff.errors, ...plain.errors], [], "script errors on the pages");
});

test("a call reaches the ward's staff console live and the kiosk names who comes", async () => {
  await signIn(staff.page, "canbo.phuong", "/staff");
  await staff.page.waitForFunction(() => typeof EventSource !== "undefined");
  // The console's stream is open before the resident calls.
  await staff.page.waitForTimeout(500);
  await openKiosk(kiosk.page, KIOSK);
  await kiosk.page.getByRole("button", { name: "Thủ tục hành chính" }).click();
  await kiosk.page.getByRole("button", { name: "Gọi cán bộ" }).click();
  await kiosk.page.locator("#call-message", { hasText: "Đã báo cán bộ phường" }).waitFor({ timeout: 5000 });

  const pressed = Date.now();
  const card = staff.page.locator("#help-requests .help-item");
  await card.first().waitFor({ timeout: 2000 });
  const shownAfter = Date.now() - pressed;
  assert.ok(shownAfter <= 2000, `the console showed the call after ${shownAfter} ms`);
  const text = (await card.first().textContent()).replace(/\s+/g, " ");
  assert.match(text, /Trạm chung cư Bến Nghé.*Đang ở: [^(]+ \(Thủ tục hành chính\)/);
  assert.doesNotMatch(text, /f-ask/);
  await staff.page.waitForFunction(() => Number(document.querySelector(".help-live").dataset.rang || 0) >= 1, null, { timeout: 2000 });
  await axeCheck(staff.page, "help request on the staff console");
  await shot(staff.page, "help-01-staff-console");

  await card.first().getByRole("button", { name: "Tôi sẽ tới" }).click();
  await staff.page.locator("#help-requests").waitFor({ state: "hidden" });
  await kiosk.page.locator("#call-message", { hasText: "Anh/Chị canbo.phuong ở phường đã nhận" }).waitFor({ timeout: 5000 });
  await axeCheck(kiosk.page, "help acknowledged");
  await shot(kiosk.page, "help-02-kiosk-acknowledged");
});

test("the duty console shows a call of its ward too", async () => {
  await signIn(staff.page, "truc.ban", "/duty");
  await staff.page.waitForTimeout(500);
  await openKiosk(kiosk.page, KIOSK);
  await kiosk.page.getByRole("button", { name: "Gọi cán bộ" }).click();
  const card = staff.page.locator("#help-requests .help-item");
  await card.first().waitFor({ timeout: 2000 });
  await card.first().getByRole("button", { name: "Tôi sẽ tới" }).click();
  await kiosk.page.locator("#call-message", { hasText: "Anh/Chị truc.ban" }).waitFor({ timeout: 5000 });
});

test("with scripts off the console shows the call and its form acknowledges it", async () => {
  await signIn(plain.page, "canbo.phuong", "/staff");
  await openKiosk(kiosk.page, KIOSK);
  await kiosk.page.getByRole("button", { name: "Gọi cán bộ" }).click();
  await kiosk.page.locator("#call-message", { hasText: "Đã báo cán bộ phường" }).waitFor({ timeout: 5000 });

  await plain.page.goto(BASE + "/staff");
  const card = plain.page.locator("#help-requests .help-item");
  await card.first().waitFor();
  assert.match((await card.first().textContent()).replace(/\s+/g, " "), /Đang ở: màn hình chính/);
  await shot(plain.page, "help-03-staff-console-no-script");
  await card.first().getByRole("button", { name: "Tôi sẽ tới" }).click();
  await plain.page.waitForURL(BASE + "/staff");
  assert.equal(await plain.page.locator("#help-requests .help-item").count(), 0, "the call is still shown");
  await kiosk.page.locator("#call-message", { hasText: "Anh/Chị canbo.phuong ở phường đã nhận" }).waitFor({ timeout: 5000 });
});

test("the ward's staff set the number the kiosk reads when nobody comes", async () => {
  await signIn(staff.page, "canbo.phuong", "/staff/help");
  const phone = staff.page.getByLabel(/Số điện thoại \(di động/).first();
  await phone.fill("12345");
  await staff.page.getByRole("button", { name: "Lưu số điện thoại" }).first().click();
  await staff.page.locator("#page-error", { hasText: "Số điện thoại không hợp lệ" }).waitFor();
  await staff.page.getByLabel(/Số điện thoại \(di động/).first().fill("(028) 3829 1234");
  await staff.page.getByRole("button", { name: "Lưu số điện thoại" }).first().click();
  await staff.page.locator("#page-done", { hasText: "Đã lưu số điện thoại" }).waitFor();
  assert.match(await staff.page.locator("main").textContent(), /028 3829 1234/);
  await axeCheck(staff.page, "the help page of a ward's staff");
  await shot(staff.page, "help-04-ward-phone");
  // The duty officer of the same ward is not offered the form.
  await signIn(staff.page, "truc.ban", "/staff/help");
  assert.equal(await staff.page.getByRole("button", { name: "Lưu số điện thoại" }).count(), 0);
});
