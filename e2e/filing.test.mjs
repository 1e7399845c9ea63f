// The whole filing flow at the kiosk, from the home screen to the receipt:
// the assistant found by typing without diacritics, read aloud, an ID card
// scanned and its fields confirmed, the pre-filled form reviewed and
// corrected, the fee paid by VietQR, the receipt with its tracking code.
// Then a ward officer, whose browser runs no script, reviews that dossier
// beside its scan and approves it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { KIOSK, testBrowser, openKiosk, shot, axeCheck, kioskRules, visibleScreen, assertNoBrowserStorage, signIn, BASE, signedPaper, printedText, screenIs, replied, answer, imageShown, payAtBank } from "./lib.mjs";

const SCAN = process.env.E2E_SCAN;
const SCAN_NAME = process.env.E2E_SCAN_NAME || "";

const kiosk = testBrowser({ label: "the kiosk" });
const desk = testBrowser({ label: "the staff console" });
const noScript = testBrowser({ label: "the console without scripts", javaScript: false });
let tracking = "";

test("a resident files a dossier from the home screen to the receipt", async () => {
  const { page } = kiosk;
  await openKiosk(page, KIOSK);
  await page.getByRole("button", { name: "Thủ tục hành chính" }).click();
  assert.equal(await kioskRules(page, "f-ask"), "Bước 1/5");

  // Typed the way many residents type: no diacritics.
  await page.locator("#ask-text").fill("cap ban sao giay khai sinh");
  let r = await replied(page, () => page.getByRole("button", { name: "Tìm" }).click());
  assert.equal(r.stage, "confirm");
  await screenIs(page, "f-chat");
  assert.equal(await kioskRules(page, "f-chat confirm"), "Bước 1/5");
  const choice = r.choices.find((c) => /trích lục hộ tịch/.test(c.label));
  assert.ok(choice, "the procedure is offered: " + JSON.stringify(r.choices));
  await axeCheck(page, "f-chat confirm");
  await shot(page, "filing-01-choices");

  // Every reply can be read aloud.
  const spoken = page.waitForResponse((res) => res.url().endsWith("/api/v1/speech"));
  await page.getByRole("button", { name: "Nghe đọc" }).click();
  const speech = await spoken;
  assert.equal(speech.status(), 200);
  assert.equal(speech.headers()["content-type"], "audio/wav");

  r = await replied(page, () => page.getByRole("button", { name: choice.label }).click());
  for (let i = 0; i < 12 && r.stage === "explain"; i++) {
    assert.equal(await kioskRules(page, "f-chat explain"), "Bước 2/5");
    r = await replied(page, () => page.getByRole("button", { name: "Bắt đầu khai", exact: true }).click());
  }
  assert.equal(r.stage, "collect");
  assert.equal(await kioskRules(page, "f-chat collect"), "Bước 3/5");
  await axeCheck(page, "f-chat collect");
  await shot(page, "filing-02-question");

  // Scan the ID card; the fields read are shown to confirm.
  await page.getByRole("button", { name: "Quét căn cước để máy điền sẵn" }).click();
  assert.equal(await kioskRules(page, "f-scan"), "Bước 3/5");
  await axeCheck(page, "f-scan");
  // The station's scanner (SANE's pnm backend, reading the card's image)
  // scans through the station agent, which sends the page to the visit's OCR.
  await page.waitForFunction(() => document.body.dataset.scanner === "ready");
  await page.getByRole("button", { name: "Quét giấy tờ" }).click();
  await screenIs(page, "f-scan-confirm", 60000);
  assert.equal(await kioskRules(page, "f-scan-confirm"), "Bước 3/5");
  const read = await page.locator("#scan-fields").textContent();
  assert.ok(read.toLowerCase().includes(SCAN_NAME.toLowerCase()), `the card's name ${SCAN_NAME} is read: ${read}`);
  await axeCheck(page, "f-scan-confirm");
  await shot(page, "filing-03-scan-fields");
  r = await replied(page, () => page.getByRole("button", { name: "Đúng, dùng thông tin này" }).click());

  for (let i = 0; i < 15 && r.stage === "collect"; i++) r = await answer(page, r);
  assert.equal(r.stage, "review", JSON.stringify(r));
  await screenIs(page, "f-review");
  assert.equal(await kioskRules(page, "f-review"), "Bước 4/5");
  const form = await page.locator("#review-fields").textContent();
  assert.ok(form.toLowerCase().includes(SCAN_NAME.toLowerCase()), "the form is pre-filled from the card: " + form);
  assert.match(form, /đọc từ/, "provenance is shown");
  // Submitting stands apart from the outlined "Sửa": filled, full width, after the list.
  const [submit, list] = [await page.locator("#review-submit").boundingBox(), await page.locator("#review-fields").boundingBox()];
  assert.ok(submit.y > list.y + list.height && submit.width > list.width * 0.95, "submit after the list, full width");
  await axeCheck(page, "f-review");
  await shot(page, "filing-04-review");

  // Correct one line: the assistant asks it again and the form shows it.
  const copies = r.draft.fields.find((f) => f.name === "copies");
  if (copies) {
    r = await replied(page, () => page.getByRole("button", { name: /Sửa: Số bản sao/ }).click());
    await page.locator("#chat-text").fill("2");
    r = await replied(page, () => page.getByRole("button", { name: "Gửi" }).click());
    await screenIs(page, "f-review");
    assert.equal(r.draft.fields.find((f) => f.name === "copies").value, "2");
  }

  const created = page.waitForResponse((res) => res.url().endsWith("/api/v1/payments") && res.request().method() === "POST");
  await page.getByRole("button", { name: "Đúng hết, nộp hồ sơ" }).click();
  const payment = await (await created).json();
  await screenIs(page, "f-pay");
  assert.equal(await kioskRules(page, "f-pay"), "Bước 5/5");
  assert.match(await page.locator("#pay-amount").textContent(), /\d.\d{3} đồng/);
  await imageShown(page, "#pay-qr", 128);
  await axeCheck(page, "f-pay");
  await shot(page, "filing-05-fee-vietqr");

  await payAtBank(kiosk.context, payment.pay_url);

  await screenIs(page, "f-receipt", 20000);
  tracking = (await page.locator("#receipt-code").textContent()).trim();
  assert.match(tracking, /^[A-Z0-9]{6,}$/);
  assert.deepEqual(await signedPaper(page, "#receipt-pdf"), { pdf: true, signed: true }, "the receipt is a signed PDF");
  // "In biên nhận" prints on the station's printer (ippeveprinter), no
  // browser window: the job is followed to the end and holds the code.
  const pages = kiosk.context.pages().length;
  await page.getByRole("link", { name: "In biên nhận" }).click();
  await page.locator("#receipt-pdf-status", { hasText: "Đã in xong" }).waitFor({ timeout: 30000 });
  assert.equal(kiosk.context.pages().length, pages, "no window opened");
  // The paper groups the code for reading (ABC-DEF-GHK).
  assert.ok(printedText().replace(/[\s-]/g, "").includes(tracking), "the printer received a job with the tracking code " + tracking);
  await kioskRules(page, "f-receipt");
  await axeCheck(page, "f-receipt");
  await shot(page, "filing-06-receipt");
  await assertNoBrowserStorage(page, "at the receipt");
  await Promise.all([page.waitForEvent("load"), page.getByRole("button", { name: "Xong, về trang chủ" }).click()]);
  assert.equal(await visibleScreen(page), "home");
});

// The review console needs no script: links, forms and the server's pages.
test("a ward officer reviews the dossier beside its scan and approves it, with scripts off", async () => {
  assert.ok(tracking, "the filing test made a dossier");
  const { page } = noScript;
  await signIn(page, "canbo.phuong", "/staff");
  // Found by the applicant's name typed without diacritics.
  await page.getByLabel("Tìm theo mã hồ sơ, họ tên hoặc 4 số cuối căn cước").fill(SCAN_NAME.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase());
  await Promise.all([page.waitForURL(/q=/), page.getByRole("button", { name: "Tìm" }).click()]);
  const row = page.locator("#queue tr", { hasText: tracking });
  await row.waitFor();
  assert.match(await row.textContent(), /Phường|Trạm chung cư Bến Nghé/);
  assert.match(await row.textContent(), /Đã nộp \d|Không mất phí|Chưa nộp/);
  await shot(page, "staff-05-queue");
  await Promise.all([page.waitForURL(/\/staff\/dossiers\//), row.getByRole("link").click()]);

  // A field read from the card: its link draws only its box on the scan.
  const fromCard = page.locator("#fields tr.field", { hasText: SCAN_NAME });
  assert.match(await fromCard.textContent(), /QR|OCR|MRZ/);
  assert.equal(await page.locator("#scan-box").count(), 0, "no box before a field is chosen");
  await Promise.all([page.waitForURL(/field=/), fromCard.getByRole("link", { name: /Xem trên ảnh/ }).click()]);
  assert.equal(await page.locator("#scan-box").count(), 1, "one box");
  const b = await page.locator("#scan-box").boundingBox();
  assert.ok(b.width > 20 && b.height > 5, "the field's box is drawn: " + JSON.stringify(b));
  await shot(page, "staff-06-review");

  // Taken in, then approved; each move is confirmed first.
  await page.getByRole("button", { name: "Tiếp nhận hồ sơ" }).click();
  await page.getByRole("button", { name: "Xác nhận: Tiếp nhận hồ sơ" }).click();
  await page.locator("#d-status", { hasText: "Đang giải quyết" }).waitFor();
  await page.getByRole("button", { name: "Duyệt hồ sơ" }).click();
  await page.getByRole("heading", { name: "Duyệt hồ sơ này?" }).waitFor();
  await shot(page, "staff-07-confirm");
  await page.getByRole("button", { name: "Xác nhận: Duyệt hồ sơ" }).click();
  await page.locator("#act-result", { hasText: "Đã được duyệt" }).waitFor();
  assert.equal(await page.locator("#d-status").textContent(), "Đã được duyệt");
  await shot(page, "staff-07-approved");
});

test("the resident follows the dossier at the kiosk with its code and four digits", async () => {
  assert.ok(tracking, "the filing test made a dossier");
  const { page } = kiosk;
  await openKiosk(page, KIOSK);
  await page.getByRole("button", { name: "Tra cứu hồ sơ" }).click();
  await page.locator("#progress", { hasText: "Bước 1/2" }).waitFor();
  await page.locator("#chat-text").fill(tracking.toLowerCase());
  await page.getByRole("button", { name: "Gửi" }).click();
  await page.locator("#progress", { hasText: "Bước 2/2" }).waitFor();
  // Wrong digits are refused without saying whether the code exists, and
  // the digits are asked again.
  await page.locator("#chat-text").fill("0000");
  await page.getByRole("button", { name: "Gửi" }).click();
  await page.locator("#chat-reply", { hasText: "Không tìm thấy hồ sơ với mã và 4 số cuối này" }).waitFor();
  assert.equal(await page.locator("#progress").textContent(), "Bước 2/2");
  await shot(page, "track-01-wrong-digits");
  await page.locator("#chat-text").fill(process.env.E2E_SCAN_LAST4);
  await page.getByRole("button", { name: "Gửi" }).click();
  await page.locator("#progress", { hasText: "Kết quả tra cứu" }).waitFor();
  await screenIs(page, "f-chat");
  const result = await page.locator("#chat-reply").textContent();
  assert.match(result, new RegExp("Hồ sơ " + tracking));
  assert.match(result, /Tình trạng: /);
  // The code in the largest type on the screen.
  assert.equal((await page.locator("#chat-code").textContent()).trim(), tracking);
  const sizes = await page.evaluate(() => {
    const px = (e) => parseFloat(getComputedStyle(e).fontSize);
    const others = Array.from(document.querySelectorAll("section:not([hidden]) :is(h1, h2, p, div, a, button)")).filter((e) => e.id !== "chat-code");
    return { code: px(document.querySelector("#chat-code")), largest: Math.max(...others.map(px)) };
  });
  assert.ok(sizes.code > sizes.largest, `the code (${sizes.code}px) is the largest text (others up to ${sizes.largest}px)`);
  // The dossier was approved: the slip and the ward's notice, both signed.
  assert.deepEqual(await signedPaper(page, "#paper-slip"), { pdf: true, signed: true }, "the tracking slip");
  assert.deepEqual(await signedPaper(page, "#paper-decision"), { pdf: true, signed: true }, "the notice of the result");
  await kioskRules(page, "tracking result");
  await axeCheck(page, "tracking result");
  await shot(page, "track-02-result");
});

// A dossier filed through the API with a value read poorly: the review page
// marks it in amber, and the officer asks the resident for a supplement.
test("low-confidence values stand out and an officer requests a supplement", async () => {
  const { page } = desk;
  await signIn(page, "canbo.phuong", "/staff");
  const created = await page.request.post(BASE + "/api/v1/dossiers", { data: {
    procedure: "residence.stay-notify", ward: process.env.E2E_WARD,
    fields: {
      full_name: { value: "Lê Thị Mai", provenance: "ocr", confidence: 0.55, box: [250, 330, 330, 40] },
      date_of_birth: { value: "1980-03-12", provenance: "ocr", confidence: 0.97, box: [250, 380, 330, 30] },
      id_number: { value: "079150012345", provenance: "ocr", confidence: 0.92, box: [250, 280, 330, 30] },
      address: "12 Tôn Đức Thắng, Phường Sài Gòn", stay_from: "2026-12-01", stay_until: "2026-12-05", phone: "0903123456",
    },
  } });
  assert.equal(created.status(), 201, await created.text());
  const d = await created.json();
  const secret = { "X-Dossier-Secret": d.secret };
  const fs = await import("node:fs");
  const attached = await page.request.post(BASE + `/api/v1/dossiers/${d.id}/attachments`, { headers: secret,
    multipart: { file: { name: "cccd.png", mimeType: "image/png", buffer: fs.readFileSync(SCAN) } } });
  assert.equal(attached.status(), 201, await attached.text());
  const submitted = await page.request.post(BASE + `/api/v1/dossiers/${d.id}/submit`, { headers: secret, data: {} });
  assert.equal(submitted.status(), 200, await submitted.text());

  await page.goto(BASE + "/staff/dossiers/" + d.id);
  const low = page.locator("#fields tr.field", { hasText: "Lê Thị Mai" });
  assert.match(await low.textContent(), /55% — cần kiểm tra/);
  // Values in words: the date as dd/mm/yyyy.
  assert.match(await page.locator("#fields").textContent(), /12\/03\/1980/);
  const colours = await page.evaluate(() => {
    const rows = [...document.querySelectorAll("#fields tr.field")];
    const bg = (r) => getComputedStyle(r.cells[1]).backgroundColor;
    return { low: bg(rows.find((r) => r.textContent.includes("Lê Thị Mai"))), sure: bg(rows.find((r) => r.textContent.includes("0903123456"))) };
  });
  assert.notEqual(colours.low, colours.sure, "low confidence has its own colour");
  await low.getByRole("link", { name: /Xem trên ảnh/ }).click();
  await page.locator("#scan-box").waitFor();
  await axeCheck(page, "review with low confidence");
  await shot(page, "staff-08-low-confidence");

  await page.getByRole("button", { name: "Tiếp nhận hồ sơ" }).click();
  await page.getByRole("button", { name: "Xác nhận: Tiếp nhận hồ sơ" }).click();
  await page.getByRole("button", { name: "Yêu cầu bổ sung" }).click();
  await page.locator("#page-error", { hasText: "Xin ghi rõ" }).waitFor(); // a message to the resident is needed
  await page.getByLabel("Lý do hoặc lời nhắn cho người dân").fill("Xin chụp lại căn cước cho rõ họ tên.");
  await page.getByRole("button", { name: "Yêu cầu bổ sung" }).click();
  await axeCheck(page, "confirmation");
  await page.getByRole("button", { name: "Xác nhận: Yêu cầu bổ sung" }).click();
  await page.locator("#d-status", { hasText: "Cần bổ sung" }).waitFor();
  assert.match(await page.locator(".events").textContent(), /Xin chụp lại căn cước cho rõ họ tên/);
});

