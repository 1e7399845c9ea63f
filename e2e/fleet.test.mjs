// The station fleet console: a station's heartbeat, its peripherals and its
// use appear for an admin, rendered by the server; a peripheral failing
// later shows without reloading the page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { KIOSK, testBrowser, openKiosk, shot, axeCheck, signIn, deviceCall } from "./lib.mjs";

const b = testBrowser();

const heartbeat = (printer) => ({
  app_version: "1.0.0", uptime_seconds: 3600, network: { type: "ethernet" },
  peripherals: [
    { id: "scanner-1", class: "document_scanner", status: "online" },
    { id: "printer-1", class: "receipt_printer", status: "online", paper: printer },
    { id: "camera-1", class: "camera", status: "hardwareError" },
  ],
});

test("the fleet console shows each station online with its peripherals and its use, live", async () => {
  const kiosk = await b.context.newPage();
  await openKiosk(kiosk, KIOSK);
  const beat = await deviceCall(kiosk, "POST", "/api/v1/kiosk/heartbeat", heartbeat("low"));
  assert.equal(beat.status, 200, JSON.stringify(beat.body));
  // A visit that uses a service counts in the figures.
  await kiosk.getByRole("button", { name: "Tra cứu hồ sơ" }).click();
  await kiosk.getByRole("button", { name: "Gọi cán bộ" }).click();

  const { page } = b;
  await signIn(page, "quan.tri", "/staff/stations");
  const row = page.locator("#stations tr", { hasText: "Trạm chung cư Bến Nghé" });
  await row.waitFor();
  await row.getByText("Trực tuyến").waitFor();
  assert.match(await row.textContent(), /Phường Sài Gòn/);
  assert.match(await row.textContent(), /Máy in biên nhận: hoạt động · giấy sắp hết/);
  assert.match(await row.textContent(), /Camera: lỗi phần cứng/);
  assert.match(await row.textContent(), /\d\d\/\d\d\/\d{4} \d\d:\d\d/);
  await page.locator("#use-service tr", { hasText: "Tra cứu hồ sơ" }).waitFor();
  assert.match(await page.locator("#use-hour-text").textContent(), /\d+ giờ: \d+ lượt/);
  await page.locator('.live-feed[data-live="on"] #live').waitFor();
  await axeCheck(page, "fleet");
  await shot(page, "staff-04-fleet");

  // The printer jams: the console shows it without a reload.
  const jam = await deviceCall(kiosk, "POST", "/api/v1/kiosk/heartbeat", heartbeat("jammed"));
  assert.equal(jam.status, 200, JSON.stringify(jam.body));
  await row.locator(".badge.red", { hasText: "Máy in biên nhận: hoạt động · giấy kẹt" }).waitFor();
  await kiosk.close();
  await shot(page, "staff-05-fleet-jammed");
});
