// The kiosk's on-screen Vietnamese keyboard: large keys with the vowels
// ă â đ ê ô ơ ư and the five tones (the tone goes on the right vowel of the
// word, as Telex typing does), a numeric pad for ID and phone fields, and
// each key read aloud when the resident asks. A tap on a text field opens
// it; nothing depends on the PC's physical keyboard.
"use strict";
(function () {
  const TONES = [["sắc", "\u0301"], ["huyền", "\u0300"], ["hỏi", "\u0309"], ["ngã", "\u0303"], ["nặng", "\u0323"]];
  const ROWS = [
    ["q", "w", "e", "r", "t", "y", "u", "i", "o", "p"],
    ["a", "s", "d", "f", "g", "h", "j", "k", "l", "đ"],
    ["z", "x", "c", "v", "b", "n", "m", "ă", "â", "ê"],
    ["ô", "ơ", "ư"],
  ];
  const VOWELS = "aăâeêioôơuưy";
  const toneless = (s) => s.normalize("NFD").replace(/[\u0300\u0301\u0303\u0309\u0323]/g, "").normalize("NFC");

  // toneIndex is where a tone goes in a word without tones: on the vowel
  // with a mark (ơ of ươ), else on the one vowel, the middle of three, or
  // of two the first when the word ends with them ("mùa") and the second
  // when a consonant follows ("hoàng"). The u of qu and the i of gi are
  // consonants here.
  function toneIndex(word) {
    const w = word.toLowerCase();
    for (const v of ["ơ", "ê", "ô", "â", "ă", "ư"]) { const i = w.lastIndexOf(v); if (i >= 0) return i; }
    let end = -1;
    for (let i = w.length - 1; i >= 0; i--) { if (VOWELS.includes(w[i])) { end = i; break; } }
    if (end < 0) return -1;
    let start = end;
    while (start > 0 && VOWELS.includes(w[start - 1])) start--;
    if (start < end && ((w[start] === "u" && w[start - 1] === "q") || (w[start] === "i" && w[start - 1] === "g"))) start++;
    const n = end - start + 1;
    if (n === 1) return start;
    if (n === 3) return start + 1;
    return end === w.length - 1 ? start : end;
  }
  function addTone(text, mark) {
    const m = /[\p{L}]+$/u.exec(text);
    if (!m) return text;
    const word = toneless(m[0]);
    const i = toneIndex(word);
    if (i < 0) return text;
    return (text.slice(0, m.index) + word.slice(0, i + 1) + mark + word.slice(i + 1)).normalize("NFC");
  }
  window.KioskKeyboard = { addTone, toneIndex };

  const board = document.createElement("div");
  board.id = "osk"; board.className = "osk"; board.hidden = true;
  board.setAttribute("role", "group"); board.setAttribute("aria-label", "Bàn phím trên màn hình");
  document.body.appendChild(board);
  let target = null, upper = true, readKeys = false, numeric = false;

  function key(label, name, fn, cls) {
    const b = document.createElement("button");
    b.type = "button"; b.className = "osk-key" + (cls ? " " + cls : ""); b.textContent = label;
    b.setAttribute("aria-label", name);
    b.addEventListener("pointerdown", (e) => e.preventDefault()); // the field keeps the focus
    b.addEventListener("click", () => { fn(); if (readKeys) say(name); });
    return b;
  }
  function type(s) {
    if (!target) return;
    const start = target.selectionStart ?? target.value.length, end = target.selectionEnd ?? target.value.length;
    target.value = (target.value.slice(0, start) + s + target.value.slice(end)).normalize("NFC");
    const at = Math.min(target.value.length, start + s.length);
    try { target.setSelectionRange(at, at); } catch (e) { /* number fields have no selection */ }
    changed();
  }
  function changed() { target.dispatchEvent(new Event("input", { bubbles: true })); }
  function render() {
    const rows = [];
    if (numeric) {
      rows.push(["1", "2", "3", "4", "5"], ["6", "7", "8", "9", "0"]);
    } else {
      ROWS.forEach((r) => rows.push(r.map((c) => (upper ? c.toUpperCase() : c))));
    }
    board.replaceChildren(...rows.map((r) => {
      const row = document.createElement("div"); row.className = "osk-row";
      r.forEach((c) => row.appendChild(key(c, "phím " + c, () => { type(c); if (upper && !numeric) { upper = false; render(); } })));
      return row;
    }));
    const tones = document.createElement("div"); tones.className = "osk-row";
    const last = document.createElement("div"); last.className = "osk-row";
    if (!numeric) {
      board.appendChild(tones);
      TONES.forEach(([name, mark]) => tones.appendChild(key("dấu " + name, "dấu " + name, () => {
        const before = target.value.slice(0, target.selectionStart ?? target.value.length);
        const after = target.value.slice(before.length);
        target.value = addTone(before, mark) + after;
        changed();
      }, "osk-tone")));
      last.appendChild(key("⇧ Hoa", "⇧ Hoa", () => { upper = !upper; render(); }));
      last.appendChild(key("Dấu cách", "Dấu cách", () => type(" "), "osk-wide"));
    }
    last.appendChild(key("⌫ Xóa", "⌫ Xóa", () => {
      const start = target.selectionStart ?? target.value.length;
      if (start > 0) { target.value = target.value.slice(0, start - 1) + target.value.slice(start); try { target.setSelectionRange(start - 1, start - 1); } catch (e) { /* ok */ } changed(); }
    }));
    const reading = readKeys ? "Đọc phím: bật" : "Đọc phím: tắt";
    last.appendChild(key(reading, reading, () => { readKeys = !readKeys; render(); }));
    last.appendChild(key("Xong", "Xong", close, "osk-done"));
    board.appendChild(last);
  }
  function open(input) {
    target = input;
    numeric = ["numeric", "tel", "decimal"].includes(input.inputMode) || input.type === "tel" || input.type === "number";
    upper = !input.value;
    render();
    board.hidden = false;
    document.body.classList.add("osk-open");
  }
  function close() {
    board.hidden = true; target = null;
    document.body.classList.remove("osk-open");
  }
  window.KioskKeyboard.close = close;
  document.addEventListener("pointerdown", (e) => {
    const f = e.target.closest("input:not([type=file]):not([type=checkbox]):not([type=radio]), textarea");
    if (f && !f.readOnly && !f.disabled) open(f);
  }, { capture: true });
  document.addEventListener("submit", close, { capture: true });

  let audio = null;
  async function say(text) {
    try {
      const res = await fetch("/api/v1/speech", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text }) });
      if (!res.ok) return;
      if (audio) audio.pause();
      audio = new Audio(URL.createObjectURL(await res.blob()));
      audio.play().catch(() => {});
    } catch (e) { /* the key was typed; reading it is a help */ }
  }
})();
