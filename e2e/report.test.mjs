// A resident reports an incident at the kiosk; the duty officer of the ward
// sees it arrive live on the duty console (rendered by the server, updated by
// htmx from the live stream), with a sound, emergencies on top, and takes it
// through to its closing, which asks for a reason from a list. A report left
// past its acknowledgement deadline turns red. With scripts off the console
// still works through its forms.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { BASE, KIOSK, openBrowser, testBrowser, openKiosk, shot, axeCheck, kioskRules, signIn, assertNoBrowserStorage, signedPaper, replied, progressIs } from "./lib.mjs";

const kiosk = testBrowser({ label: "the kiosk" });
const officer = testBrowser({ label: "the duty console" });

// A photo as the station's camera takes it (a PNG of one pixel).
const PHOTO = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

// fileReport takes the report tile through the assistant's report flow:
// the category, whether it is still happening, what happened, the place
// (right here), the date, photos, the name and the phone number (skipped:
// anonymous), the read-back; it returns the reply that sent it.
async function fileReport(page, category, urgency, description, { phone, photo, shots } = {}) {
  await openKiosk(page, KIOSK);
  const step = async (n, label) => {
    await progressIs(page, `Bước ${n}/9`);
    assert.equal(await kioskRules(page, label), `Bước ${n}/9`);
    if (shots) { await axeCheck(page, label); await shot(page, "report-00-" + n + "-" + label); }
  };
  const choose = (text) => replied(page, () => page.locator("#chat-choices button", { hasText: text }).click());
  const type = (text) => replied(page, async () => { await page.locator("#chat-text").fill(text); await page.getByRole("button", { name: "Gửi" }).click(); });
  await page.getByRole("button", { name: "Phản ánh an ninh trật tự" }).click();
  await step(1, "category");
  assert.match(await page.locator("#chat-reply").textContent(), /113.*114.*115/, "the emergency numbers come before any question");
  await choose(category);
  await step(2, "happening");
  const now = await choose(urgency);
  await step(3, "description");
  await type(description);
  await step(4, "place");
  await choose("Ngay tại trạm công dân số này");
  await step(5, "date");
  await choose("Bỏ qua");
  await step(6, "photos");
  if (photo) {
    await page.locator("#chat-photo-file").setInputFiles({ name: "anh.png", mimeType: "image/png", buffer: PHOTO });
    await page.locator("#chat-photo-status", { hasText: "Trạm đã nhận 1/5 ảnh" }).waitFor();
    await choose("Tiếp tục");
  } else await choose("Bỏ qua");
  await step(7, "name");
  await choose("Bỏ qua");
  await step(8, "phone");
  if (phone) await type(phone); else await choose("Bỏ qua");
  await step(9, "review");
  const review = await page.locator("#chat-reply").textContent();
  // Read back in groups, as the resident reads a number; none is anonymous.
  assert.match(review, new RegExp("Số điện thoại để công an liên hệ: " + (phone ? phone.replace(/^(\d{4})(\d{3})(\d{3})$/, "$1 $2 $3") : "—")));
  // The confirmation stands apart: last, across the whole width, filled;
  // the edits beside one another, outlined.
  const buttons = page.locator("#chat-choices button");
  const last = buttons.last();
  assert.equal((await last.textContent()).trim(), "Xác nhận");
  assert.match(await last.getAttribute("class"), /\bprimary\b/);
  const [lastBox, listBox] = [await last.boundingBox(), await page.locator("#chat-choices").boundingBox()];
  assert.ok(lastBox.width > listBox.width * 0.95, "full width: " + lastBox.width + " of " + listBox.width);
  assert.equal(await buttons.filter({ hasText: "Sửa" }).evaluateAll((bs) => bs.every((b) => b.classList.contains("secondary"))), true, "the edits are outlined");
  const sent = await choose("Xác nhận");
  await progressIs(page, "Hoàn tất");
  assert.equal((await page.locator("#chat-code").textContent()).trim(), sent.report.code, "the code in the largest type");
  return { code: sent.report.code, now, sent };
}

// sql runs a statement on the test's database, as an operator would.
function sql(statement) {
  execFileSync("psql", [process.env.E2E_DATABASE_URL, "-v", "ON_ERROR_STOP=1", "-c", statement]);
}

const stamp = /\d\d\/\d\d\/\d{4} \d\d:\d\d/;

test("a report filed at the kiosk arrives live on the duty console, with a sound, and is closed with a reason", async () => {
  const duty = officer.page;
  // Count the arrival sounds the page plays.
  await duty.addInitScript(() => {
    window.__played = 0;
    HTMLMediaElement.prototype.play = function () { window.__played++; return Promise.resolve(); };
  });
  await signIn(duty, "truc.ban", "/duty");
  await duty.locator('.live-feed[data-live="on"] #live').waitFor();
  await axeCheck(duty, "duty (empty)");

  const { code: theft } = await fileReport(kiosk.page, "Trộm cắp, cướp giật", "Không, việc đã qua", "Mất xe đạp ở bãi giữ xe tầng hầm", { phone: "0903123456", photo: true, shots: true });
  assert.match(theft, /^PA-[A-Z0-9-]+$/);
  assert.equal(await kiosk.page.locator("#chat-emergency").isHidden(), true, "no emergency for a past theft");
  assert.deepEqual(await signedPaper(kiosk.page, "#paper-ack"), { pdf: true, signed: true }, "the acknowledgement is a signed PDF");
  await shot(kiosk.page, "report-01-done");

  const { code: fire, now } = await fileReport(kiosk.page, "Cháy, nổ", "Có người bị thương", "Khói bốc ra từ tầng hầm chung cư");
  // Someone hurt: the numbers lead every reply from there, 114 first for a fire.
  assert.deepEqual(now.emergency.numbers.map((n) => n.number), ["114", "113", "115"]);
  const em = kiosk.page.locator("#chat-emergency");
  assert.equal(await em.isVisible(), true, "the emergency answer shows");
  assert.match(await em.textContent(), /^114/);
  assert.match(await kiosk.page.locator("#chat-reply").textContent(), /^Việc đang nguy hiểm: Bác gọi ngay 114/);
  await kioskRules(kiosk.page, "report sent, emergency");
  await axeCheck(kiosk.page, "report sent, emergency");
  await shot(kiosk.page, "report-02-emergency");
  await Promise.all([kiosk.page.waitForEvent("load"), kiosk.page.getByRole("button", { name: "Xong, về trang chủ" }).click()]);
  await assertNoBrowserStorage(kiosk.page, "after a report");

  // Both arrived without reloading the console, each with a sound; the fire is on top.
  const cards = duty.locator("article.feed-item");
  const fireCard = duty.locator("article.feed-item", { hasText: fire });
  const theftCard = duty.locator("article.feed-item", { hasText: theft });
  await fireCard.waitFor();
  await theftCard.waitFor();
  await duty.waitForFunction(() => window.__played >= 2);
  assert.match(await cards.first().textContent(), new RegExp(fire));
  const fireText = await fireCard.textContent();
  assert.match(fireText, /KHẨN CẤP · Cháy, nổ/);
  assert.match(fireText, /Có người bị thương/);
  assert.match(fireText, /Trạm chung cư Bến Nghé/);
  assert.match(fireText, /Ẩn danh/);
  assert.match(fireText, stamp);
  assert.match(fireText, /Hạn tiếp nhận/);
  await fireCard.getByRole("img", { name: /Bản đồ phường/ }).waitFor();
  assert.equal(await fireCard.getByRole("img", { name: /Bản đồ phường/ }).evaluate((img) => img.naturalWidth > 0), true, "the ward map loads");
  assert.equal(await theftCard.getByRole("link", { name: "0903123456" }).getAttribute("href"), "tel:0903123456");
  assert.match(await theftCard.textContent(), /Trộm cắp, cướp giật/);
  await axeCheck(duty, "duty feed");
  await shot(duty, "duty-01-feed");

  // The officer takes the fire through its steps; each step answers with its card.
  await fireCard.getByRole("button", { name: "Tiếp nhận" }).click();
  await fireCard.getByText("Đã tiếp nhận").waitFor();
  await fireCard.getByRole("button", { name: "Xác minh" }).click();
  await fireCard.getByText("Đang xác minh").waitFor();
  await fireCard.getByRole("button", { name: "Điều lực lượng" }).click();
  await fireCard.getByText("Đã điều lực lượng").waitFor();
  await shot(duty, "duty-02-dispatched");
  // Closing asks for a reason from the list: without one nothing is sent.
  await fireCard.getByRole("button", { name: "Đã giải quyết" }).click();
  assert.equal(await fireCard.getByLabel("Lý do «Đã giải quyết»").evaluate((s) => s.validity.valueMissing), true);
  await fireCard.getByText("Đã điều lực lượng").waitFor();
  await axeCheck(duty, "duty closing");
  await fireCard.getByLabel("Lý do «Đã giải quyết»").selectOption({ label: "Đã xử lý tại chỗ" });
  await fireCard.getByRole("button", { name: "Đã giải quyết" }).click();
  // Closed, the fire leaves the console; the stored change survives a reload.
  await fireCard.waitFor({ state: "detached" });
  await duty.reload();
  await theftCard.waitFor();
  assert.equal(await fireCard.count(), 0);

  // Past its acknowledgement deadline the theft turns red, with no reload.
  await duty.locator('.live-feed[data-live="on"] #live').waitFor();
  sql(`UPDATE reports SET acknowledge_due = now() + interval '2 seconds' WHERE code = '${theft}'`);
  sql(`SELECT pg_notify('reports_feed', json_build_object('report_id', id, 'code', code, 'action', 'note', 'ward', ward_code, 'at', now())::text) FROM reports WHERE code = '${theft}'`);
  await duty.locator("article.feed-item.overdue", { hasText: theft }).waitFor({ timeout: 15000 });
  assert.match(await theftCard.textContent(), /QUÁ HẠN/);
  await axeCheck(duty, "duty overdue");
  await shot(duty, "duty-03-overdue");
});

test("with scripts off the duty console still acknowledges through its form", async () => {
  const b = await openBrowser({ javaScript: false });
  try {
    const page = b.page;
    await signIn(page, "truc.ban", "/duty");
    const card = page.locator("article.feed-item").first();
    await card.waitFor();
    const code = (await card.locator("h3").textContent()).split(" · ").pop().trim();
    await Promise.all([page.waitForURL(BASE + "/duty"), card.getByRole("button", { name: "Tiếp nhận" }).click()]);
    await page.locator("article.feed-item", { hasText: code }).getByText("Đã tiếp nhận").waitFor();
  } finally {
    await b.close();
  }
});
