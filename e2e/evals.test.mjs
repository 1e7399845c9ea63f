// The evaluators' viewer on the staff console: stored runs, a run filtered
// to the cases that changed, and the comparison of two runs, rendered by
// the server (it works with JavaScript off).
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE, testBrowser, shot, axeCheck, signIn } from "./lib.mjs";

const b = testBrowser();

test("an evaluator sees what an edited prompt set broke", async () => {
  const { page } = b;
  await page.goto(BASE + "/staff/evals");
  await page.waitForURL(/\/staff\/login\?next=%2Fstaff%2Fevals/);
  await signIn(page, "danh.gia", "/staff/evals");
  await page.getByRole("cell", { name: "after", exact: true }).waitFor();
  assert.ok(await page.getByRole("cell", { name: "before", exact: true }).isVisible());
  await axeCheck(page, "eval runs");
  await shot(page, "evals-01-runs");

  // The newer run, only the cases that changed against the one before.
  await page.getByRole("row").filter({ hasText: "after" }).getByRole("link").click();
  await page.getByLabel("Trạng thái").selectOption("changed");
  await page.getByRole("button", { name: "Lọc" }).click();
  await page.waitForURL(/status=changed/);
  assert.match(await page.locator("#shown").textContent(), /Hiện 1 \/ 2 ca/);
  const changed = page.locator("details.case");
  assert.match(await changed.textContent(), /căn cước bị mất/);
  assert.match(await changed.textContent(), /100% → 0%/);
  assert.match(await changed.textContent(), /Đổi kết quả: end contains .*: pass → FAIL/);
  assert.match(await changed.textContent(), /Mời chọn\./);
  // The filter is a plain form the server answers: the page has no script.
  assert.equal(await page.locator("script").count(), 0);
  await axeCheck(page, "eval run changed");
  await shot(page, "evals-02-run-changed");

  // The comparison by label.
  await page.goto(BASE + "/staff/evals");
  await page.getByLabel("Lần cũ (số hoặc nhãn)").fill("before");
  await page.getByLabel("Lần mới (số hoặc nhãn)").fill("after");
  await page.getByRole("button", { name: "So sánh" }).click();
  await page.getByRole("heading", { name: /Kém đi \(1\)/ }).waitFor();
  const body = await page.locator("body").textContent();
  assert.match(body, /Tỉ lệ đạt 100\.0% → 50\.0%/);
  assert.match(body, /--assistant-prompts/);
  const suiteRow = await page.locator("tr", { hasText: "-50.0 points" }).locator("td").allTextContents();
  assert.deepEqual(suiteRow, ["residence", "guide", "100.0%", "50.0%", "-50.0 points"]);
  await axeCheck(page, "eval compare");
  await shot(page, "evals-03-compare");
});
