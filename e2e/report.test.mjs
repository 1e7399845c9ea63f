// A resident reports an incident at the kiosk; the duty officer of the ward
// sees it arrive live on the duty console, emergencies on top, and
// acknowledges it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { KIOSK, openBrowser, openKiosk, shot, axeCheck, kioskRules, signIn, visibleScreen, assertNoBrowserStorage } from "./lib.mjs";

let kiosk, officer;
before(async () => { kiosk = await openBrowser(); officer = await openBrowser(); });
after(async () => {
  await kiosk.close();
  await officer.close();
  assert.deepEqual(kiosk.errors, [], "script errors on the kiosk");
  assert.deepEqual(officer.errors, [], "script errors on the duty console");
});

async function fileReport(page, category, urgency, description) {
  await openKiosk(page, KIOSK);
  await page.getByRole("button", { name: "Phản ánh an ninh trật tự" }).click();
  await page.getByRole("button", { name: category }).click();
  assert.equal(await kioskRules(page, "r-urgent"), "Bước 2/6");
  await page.getByRole("button", { name: urgency }).click();
  assert.equal(await kioskRules(page, "r-where"), "Bước 3/6");
  await axeCheck(page, "r-where");
  await page.getByRole("button", { name: "Ngay gần trạm này" }).click();
  assert.equal(await kioskRules(page, "r-desc"), "Bước 4/6");
  await axeCheck(page, "r-desc");
  await page.getByLabel("Kể ngắn gọn").fill(description);
  await page.getByRole("button", { name: "Tiếp tục" }).click();
  assert.equal(await kioskRules(page, "r-photo"), "Bước 5/6");
  await axeCheck(page, "r-photo");
  await page.getByRole("button", { name: "Không có ảnh, tiếp tục" }).click();
  assert.equal(await kioskRules(page, "r-confirm"), "Bước 6/6");
  await axeCheck(page, "r-confirm");
  await page.getByRole("button", { name: "Gửi phản ánh" }).click();
  await page.waitForFunction(() => document.body.dataset.screen === "r-done");
  return (await page.locator("#report-code").textContent()).trim();
}

test("a report filed at the kiosk arrives live on the duty console and is acknowledged", async () => {
  const duty = officer.page;
  await signIn(duty, "truc.ban", "/duty");
  await duty.locator("#live", { hasText: "Trực tuyến" }).waitFor();
  await axeCheck(duty, "duty (empty)");

  const theft = await fileReport(kiosk.page, "Trộm cắp, cướp giật", "Không, việc đã qua", "Mất xe đạp ở bãi giữ xe tầng hầm");
  assert.match(theft, /^PA-[A-Z0-9-]+$/);
  assert.equal(await kiosk.page.locator("#report-emergency").isHidden(), true, "no emergency for a past theft");
  await shot(kiosk.page, "report-01-done");

  const fire = await fileReport(kiosk.page, "Cháy, nổ", "Có người bị thương", "Khói bốc ra từ tầng hầm chung cư");
  const em = kiosk.page.locator("#report-emergency");
  assert.equal(await em.isVisible(), true, "the emergency answer shows");
  assert.match(await em.textContent(), /114/);
  await kioskRules(kiosk.page, "r-done");
  await axeCheck(kiosk.page, "r-done emergency");
  await shot(kiosk.page, "report-02-emergency");
  await Promise.all([kiosk.page.waitForEvent("load"), kiosk.page.getByRole("button", { name: "Về trang chủ" }).click()]);
  await assertNoBrowserStorage(kiosk.page, "after a report");

  // Both arrived without reloading the console; the fire is on top.
  const cards = duty.locator("article.feed-item");
  await duty.locator("article.feed-item", { hasText: fire }).waitFor();
  await duty.locator("article.feed-item", { hasText: theft }).waitFor();
  assert.match(await cards.first().textContent(), new RegExp(fire));
  assert.match(await cards.first().textContent(), /KHẨN CẤP/);
  await axeCheck(duty, "duty feed");
  await shot(duty, "duty-01-feed");

  const card = duty.locator("article.feed-item", { hasText: fire });
  await card.getByRole("button", { name: "Tiếp nhận" }).click();
  await card.getByText("Đã tiếp nhận").waitFor();
  await card.getByRole("button", { name: "Xác minh" }).waitFor();
  await shot(duty, "duty-02-acknowledged");
  // The change is stored: a reload shows it.
  await duty.reload();
  await duty.locator("article.feed-item", { hasText: fire }).getByText("Đã tiếp nhận").waitFor();
});
