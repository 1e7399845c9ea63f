// An elderly resident who has just moved house registers permanent
// residence at the new address, typing the way such a resident types:
// "tôi mới chuyển nhà", a name without diacritics first, "mùng 5 tháng 3",
// "dạ nam", "không có", "không nhớ", "tôi là bố của chủ hộ", "dạ số 2". The
// explanation fits one screen, the form starts on the third touch, and the
// dossier goes to the ward of the new address, which the receipt names.
import { test } from "node:test";
import assert from "node:assert/strict";
import { KIOSK, testBrowser, openKiosk, shot, axeCheck, kioskRules, payAtBank, screenIs, replied } from "./lib.mjs";

const kiosk = testBrowser({ label: "the kiosk" });

const type = (page, text) => replied(page, async () => {
  await page.locator("#chat-text").fill(text);
  await page.getByRole("button", { name: "Gửi" }).click();
});
const touch = (page, label) => replied(page, () => page.getByRole("button", { name: label, exact: true }).click());

test("an elderly resident who moved house files permanent registration to the new address's ward", async () => {
  const { page } = kiosk;
  await openKiosk(page, KIOSK);
  await page.getByRole("button", { name: "Thủ tục hành chính" }).click();
  await page.locator("#ask-text").fill("tôi mới chuyển nhà");
  let r = await replied(page, () => page.getByRole("button", { name: "Tìm" }).click());
  assert.equal(r.stage, "confirm");
  const choice = r.choices.find((c) => c.id === "p:residence.permanent-register");
  assert.ok(choice, "permanent registration is offered: " + JSON.stringify(r.choices));
  assert.equal(r.choices.filter((c) => c.id.startsWith("p:"))[0].id, choice.id, "and offered first");
  await shot(page, "moving-01-choices");

  // A question at the list is answered there; the list stays and nothing is chosen.
  r = await type(page, "cái số 1 mất bao lâu?");
  assert.equal(r.stage, "confirm");
  assert.equal(r.procedure, null);
  assert.match(r.reply, /ngày làm việc/);

  // Turn 2: the whole procedure on one screen, with one step counter.
  r = await touch(page, choice.label);
  assert.equal(r.stage, "explain");
  assert.match(r.reply, /có 4 bước/);
  assert.match(r.reply, /CT01/);
  assert.doesNotMatch(r.reply, /Bước 1 trên/);
  assert.equal(await kioskRules(page, "f-chat explain"), "Bước 2/5");
  await axeCheck(page, "f-chat explain");
  await shot(page, "moving-02-explanation");

  // Turn 3: the first question of the form.
  r = await touch(page, "Bắt đầu khai");
  assert.equal(r.stage, "collect");
  assert.equal(r.field.name, "full_name");

  r = await type(page, "nguyen van hung");
  assert.match(r.reply, /có dấu/, "one gentle question about diacritics");
  r = await touch(page, "Viết lại có dấu");
  assert.equal(r.field.name, "full_name");
  r = await type(page, "Nguyễn Văn Hùng");
  assert.equal(r.field.name, "date_of_birth");
  r = await type(page, "mùng 5 tháng 3 năm 1952");
  assert.match(r.reply, /05\/03\/1952/);
  assert.equal(r.field.name, "sex");
  r = await type(page, "dạ nam");
  assert.equal(r.field.name, "id_number");
  r = await type(page, "0790 5200 1234");
  assert.equal(r.field.name, "phone");
  r = await type(page, "0903 123 456");
  assert.equal(r.field.name, "email");
  r = await type(page, "không có");
  assert.equal(r.field.name, "address");
  r = await type(page, "số 25 Hai Bà Trưng, phường Tân Định");
  assert.equal(r.field.name, "household_head_name");
  r = await type(page, "Nguyễn Văn Minh");
  assert.equal(r.field.name, "household_head_id_number");
  r = await type(page, "không nhớ");
  assert.match(r.reply, /không bắt buộc/);
  assert.equal(r.field.name, "relation_to_head");
  await shot(page, "moving-03-relationship");
  r = await type(page, "tôi là bố của chủ hộ");
  assert.equal(r.field.name, "housing_basis");
  r = await type(page, "dạ số 2");
  for (let i = 0; i < 3 && r.stage === "collect"; i++) r = await touch(page, "Bỏ qua");
  assert.equal(r.stage, "review", JSON.stringify(r));
  await screenIs(page, "f-review");
  const form = await page.locator("#review-fields").textContent();
  for (const want of ["Nguyễn Văn Hùng", "05/03/1952", "Cha hoặc mẹ", "Nhà của người thân", "Tân Định"]) {
    assert.ok(form.includes(want), `the review shows ${want}: ${form}`);
  }
  await axeCheck(page, "f-review");
  await shot(page, "moving-04-review");

  const submitted = page.waitForResponse((res) => /\/api\/v1\/dossiers\/[^/]+\/submit$/.test(res.url()));
  await page.getByRole("button", { name: "Đúng hết, nộp hồ sơ" }).click();
  const sub = await (await submitted).json();
  if (sub.payment_required) {
    const created = await page.waitForResponse((res) => res.url().endsWith("/api/v1/payments") && res.request().method() === "POST");
    const payment = await created.json();
    await screenIs(page, "f-pay");
    await payAtBank(kiosk.context, payment.pay_url);
  }
  await screenIs(page, "f-receipt", 20000);
  const detail = await page.locator("#receipt-detail").textContent();
  assert.match(detail, /Hồ sơ gửi tới: Phường Tân Định/);
  assert.match((await page.locator("#receipt-code").textContent()).trim(), /^[A-Z0-9]{6,}$/);
  await axeCheck(page, "f-receipt");
  await shot(page, "moving-05-receipt");
});
