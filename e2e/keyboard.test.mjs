// The on-screen keyboard's tone rule, without a browser: a tone key puts
// its mark on the vowel Vietnamese spelling puts it on.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";

const source = fs.readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), "..", "internal", "web", "static", "keyboard.js"), "utf8");
const element = () => ({ setAttribute() {}, appendChild() {}, classList: { add() {}, remove() {} } });
const sandbox = { window: {}, document: { createElement: element, body: element(), addEventListener() {} } };
vm.runInNewContext(source, sandbox);
const { addTone } = sandbox.window.KioskKeyboard;

test("a tone goes on the right vowel", () => {
  const sac = "\u0301", huyen = "\u0300", hoi = "\u0309", nga = "\u0303", nang = "\u0323";
  for (const [typed, mark, want] of [
    ["Nguyên", nga, "Nguyễn"], ["hoang", huyen, "hoàng"], ["mua", huyen, "mùa"], ["Văn", sac, "Vắn"],
    ["người", huyen, "người"], ["ngươi", huyen, "người"], ["tiêng", sac, "tiếng"], ["giup", sac, "giúp"],
    ["quyên", huyen, "quyền"], ["thuy", hoi, "thủy"], ["Lê Thi", nang, "Lê Thị"], ["hoà", sac, "hóa"], ["Tran", huyen, "Tràn"],
  ]) assert.equal(addTone(typed, mark), want, `${typed} + tone`);
});
