// What the station offers besides procedures: a visitor finds a museum in
// English with directions from the station; a resident is handed over to
// the SIM-owner service after the scam warning, and the use shows in the
// fleet statistics.
import { test } from "node:test";
import assert from "node:assert/strict";
import { KIOSK, BASE, testBrowser, openKiosk, shot, axeCheck, kioskRules, signIn, replied, progressIs, belowTheFold } from "./lib.mjs";

const b = testBrowser();

test("a visitor finds a museum near the station, in English, with directions", async () => {
  const { page } = b;
  await openKiosk(page, KIOSK);
  await page.getByRole("button", { name: /Thông tin du lịch/ }).click();
  await progressIs(page, "Thông tin du lịch / Tourist information");
  await page.locator("#chat-place-list li").first().waitFor();
  // Typed without diacritics, the way many do: the places found are on
  // the screen at once, under the question written once.
  await page.locator("#chat-text").fill("bao tang");
  await replied(page, () => page.getByRole("button", { name: "Gửi" }).click());
  await page.locator("#chat-said", { hasText: "Bác vừa hỏi: bao tang" }).waitFor();
  await shot(page, "offerings-00-bao-tang", { fold: true });
  assert.equal(await page.getByText("Bác muốn đi đâu?").count(), 1, "the question is written once");
  assert.deepEqual(await belowTheFold(page, "#chat-place-list li:first-child :is(.place-name, .place-way, .place-line, img)"), [], "the first place is on the screen");
  assert.equal(await page.getByRole("button", { name: "Tiếng Việt" }).getAttribute("aria-pressed"), "true");
  assert.equal(await page.getByRole("button", { name: "English" }).getAttribute("aria-pressed"), "false");
  await kioskRules(page, "tourist places, Vietnamese");
  await axeCheck(page, "tourist places, Vietnamese");
  await replied(page, () => page.getByRole("button", { name: "English" }).click());
  await page.getByText("Where would you like to go?").first().waitFor({ state: "attached" });
  assert.equal(await page.getByRole("button", { name: "English" }).getAttribute("aria-pressed"), "true", "the language in effect is shown");
  assert.equal(await page.getByRole("button", { name: "Tiếng Việt" }).getAttribute("aria-pressed"), "false");
  // The kiosk's own buttons are in English, as the server words them, the
  // Vietnamese beneath for staff.
  const label = async (sel) => page.locator(sel).evaluate((e) => [...e.children].map((c) => [c.lang, c.textContent]));
  assert.deepEqual(await label("#chat-form button[type=submit]"), [["en", "Send"], ["vi", "Gửi"]]);
  assert.deepEqual(await label('[data-speak="#chat-reply"]'), [["en", "Read aloud"], ["vi", "Nghe đọc"]]);
  assert.deepEqual(await label("#back"), [["en", "Back"], ["vi", "Quay lại"]]);
  assert.deepEqual(await label("#call"), [["en", "Call staff"], ["vi", "Gọi cán bộ"]]);
  await page.locator("#chat-text").fill("museum near here");
  const body = await replied(page, () => page.getByRole("button", { name: /^Send/ }).click());
  assert.equal(body.places.lang, "en");
  assert.equal(body.places.labels.back, "Back");
  // Read aloud asks for English, and the server reads it with its English voice.
  const spoken = page.waitForRequest((r) => r.url().endsWith("/api/v1/speech"));
  const audio = page.waitForResponse((r) => r.url().endsWith("/api/v1/speech"));
  await page.getByRole("button", { name: /^Read aloud/ }).click();
  const said = JSON.parse((await spoken).postData());
  assert.equal(said.lang, "en");
  assert.match(said.text, /Where would you like to go\?/);
  assert.equal((await audio).status(), 200);
  assert.equal((await audio).headers()["content-type"], "audio/wav");
  assert.equal(await page.locator("#chat-said").textContent(), "You asked: museum near here", "the visitor's words, in English");
  assert.equal(await page.locator("#chat-said").getAttribute("lang"), "en");
  assert.ok(body.places.cards.length >= 3, JSON.stringify(body.places.cards.map((p) => p.name)));
  const first = page.locator("#chat-place-list li").first();
  await first.getByText("Ho Chi Minh City Museum").waitFor();
  assert.match(await first.locator(".place-way").textContent(), /^About \d+ m \w+(-\w+)? of this station: about \d+ minutes on foot\.$/);
  assert.match(await first.textContent(), /Opening hours: 8 am–5 pm every day/);
  assert.match(await first.textContent(), /Source: [^,]+, checked on \d{4}-\d{2}-\d{2}/, "each place says where its facts come from and when they were checked");
  assert.ok(await first.locator("img[alt^='Scan for the route']").isVisible());
  await page.getByText(/113 police, 114 fire and rescue, 115 ambulance/).waitFor();
  assert.equal(await page.locator("#chat-places").getAttribute("lang"), "en");
  await kioskRules(page, "tourist places");
  await axeCheck(page, "tourist places");
  await shot(page, "offerings-01-museum-in-english", { fold: true });
});

test("a resident is handed over to the SIM-owner service, and the use is counted", async () => {
  const { page } = b;
  await openKiosk(page, KIOSK);
  await page.getByRole("button", { name: /Ngân hàng, viễn thông, chữ ký số/ }).click();
  let res = page.waitForResponse((r) => /\/api\/v1\/sessions\/[^/]+\/messages$/.test(r.url()));
  await page.getByRole("button", { name: "Định danh thuê bao, SIM chính chủ" }).click();
  let r = await (await res).json();
  const warned = [];
  for (let i = 0; i < 8 && r.stage !== "done"; i++) {
    warned.push(r.reply);
    const c = (r.choices || []).find((c) => c.id === "p:telecom.subscriber-identify") ||
      (r.choices || []).find((c) => c.id === "yes" || c.id === "next");
    assert.ok(c, "no way forward: " + JSON.stringify(r));
    res = page.waitForResponse((r) => /\/api\/v1\/sessions\/[^/]+\/messages$/.test(r.url()));
    await page.locator("#chat-choices").getByRole("button", { name: c.label, exact: true }).click();
    r = await (await res).json();
  }
  assert.equal(r.stage, "done");
  assert.equal(r.handover.service, "telecom.subscriber-identify");
  assert.ok(warned.some((t) => /mã OTP/.test(t)), "the explanation warns about OTP scams");
  await page.locator("#handover-open").waitFor();
  assert.match(await page.locator("#handover-open").textContent(), /Định danh, chuẩn hóa thông tin thuê bao/);
  assert.match(await page.locator("#chat-reply").textContent(), /không ai ở trạm công dân số.*hỏi mã OTP/i);
  await kioskRules(page, "handover");
  await axeCheck(page, "handover");
  await shot(page, "offerings-02-sim-handover");

  const staffPage = await b.context.newPage();
  await signIn(staffPage, "quan.tri", "/staff/stations");
  await staffPage.locator("#use-service tr", { hasText: "Định danh, chuẩn hóa thông tin thuê bao di động (SIM chính chủ)" }).waitFor();
  await shot(staffPage, "offerings-03-fleet-use");
  await staffPage.close();
});

test("ward staff correct a place's hours, and visitors see them as checked", async () => {
  const staffPage = await b.context.newPage();
  await signIn(staffPage, "canbo.phuong", "/staff/places");
  const row = staffPage.locator("#places tr", { hasText: "Chợ Bến Thành" });
  assert.match(await row.textContent(), /Giờ mở cửa của từng quầy khác nhau/, "what is unconfirmed is shown to staff");
  await axeCheck(staffPage, "staff places");
  await row.getByRole("link", { name: "Chợ Bến Thành" }).click();
  await staffPage.getByLabel("Giờ mở cửa", { exact: true }).fill("6:00–19:00 hằng ngày");
  await staffPage.getByLabel("Giờ mở cửa (tiếng Anh)").fill("6 am–7 pm every day");
  await staffPage.getByLabel(/Điều còn chưa xác minh/).fill("");
  await axeCheck(staffPage, "staff place form");
  await shot(staffPage, "offerings-04-place-form");
  await staffPage.getByRole("button", { name: "Lưu và ghi đã kiểm tra hôm nay" }).click();
  await staffPage.getByText("Đã lưu «Chợ Bến Thành»").waitFor();
  await staffPage.close();

  const r = await (await b.page.request.get(BASE + "/api/v1/places?lang=en&q=" + encodeURIComponent("Ben Thanh market"))).json();
  assert.equal(r.results[0].slug, "ben-thanh-market");
  assert.equal(r.results[0].hours, "6 am–7 pm every day");
  assert.equal(r.results[0].unverified, undefined, "settled by staff: no longer marked unverified");
});
