// The staff console and the duty console in Chromium: sign-in, each page
// checked by axe-core, and the redirect to sign-in without a session.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE, PASSWORD, testBrowser, shot, axeCheck, signIn, deviceCall } from "./lib.mjs";

const b = testBrowser();

test("without a session the console sends staff to sign in", async () => {
  const { page } = b;
  await page.goto(BASE + "/staff");
  await page.waitForURL(/\/staff\/login\?next=%2Fstaff/);
  await axeCheck(page, "login");
  await shot(page, "staff-01-login");
});

test("a wrong password is refused in Vietnamese", async () => {
  const { page } = b;
  await page.goto(BASE + "/staff/login");
  await page.getByLabel("Tên đăng nhập").fill("canbo.phuong");
  await page.getByLabel("Mật khẩu").fill("sai-mat-khau");
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.locator("#login-error:not(:empty)").waitFor();
  assert.match(await page.locator("#login-error").textContent(), /mật khẩu|đăng nhập/i);
  await shot(page, "staff-02-login-refused");
});

test("ward staff sign in to the dossier queue and sign out", async () => {
  const { page } = b;
  await signIn(page, "canbo.phuong", "/staff");
  await page.waitForURL(BASE + "/staff");
  await page.locator("#who:not(:empty)").waitFor();
  assert.match(await page.locator("#who").textContent(), /canbo\.phuong/);
  await axeCheck(page, "queue");
  await shot(page, "staff-03-queue");
  // The header offers only the pages a ward officer may open.
  const links = await page.locator("header nav a").allTextContents();
  assert.deepEqual(links, ["Hồ sơ", "Gọi cán bộ", "Địa điểm du lịch"]);
  // A page of another role is a page saying so, with the way back.
  await page.goto(BASE + "/staff/stations/stats", { referer: BASE + "/staff" });
  await page.locator("h1", { hasText: "Không mở được trang này" }).waitFor();
  assert.match(await page.locator("[role=alert]").textContent(), /không có quyền/);
  await shot(page, "staff-03-forbidden");
  // "Quay lại" leads back to the page the officer came from.
  await page.getByRole("link", { name: "Quay lại" }).click();
  await page.waitForURL(BASE + "/staff");
  await page.getByRole("button", { name: "Đăng xuất" }).click();
  await page.waitForURL(/\/staff\/login/);
  await page.goto(BASE + "/staff");
  await page.waitForURL(/\/staff\/login/);
});
