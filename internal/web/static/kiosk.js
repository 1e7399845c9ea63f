// The kiosk screen. Everything a resident enters lives only in this page's
// memory and on the server: nothing is written to localStorage,
// sessionStorage, IndexedDB or cookies, so leaving the page (or the idle
// timer sending it home) forgets it all. One screen shows at a time; each
// has a progress line, "Quay lại" and "Gọi cán bộ".
"use strict";
(function () {
  const body = document.body;
  const idleMs = Number(body.dataset.idleMs) || 90000;
  const warnMs = Number(body.dataset.warnMs) || 15000;
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  // ---------- the API ----------
  class APIError extends Error {
    constructor(status, code, message) { super(message); this.status = status; this.code = code; }
  }
  async function api(method, path, payload, headers) {
    const opts = { method, headers: Object.assign({ Accept: "application/json" }, headers || {}), credentials: "same-origin", cache: "no-store" };
    if (payload instanceof FormData) {
      opts.body = payload;
    } else if (payload !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(payload);
    }
    let res;
    try {
      res = await fetch(path, opts);
    } catch (e) {
      throw new APIError(0, "network", "Mất kết nối. Bác thử lại hoặc chạm “Gọi cán bộ”.");
    }
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (!res.ok) {
      const err = (data && data.error) || {};
      throw new APIError(res.status, err.code || "http_" + res.status, err.message || "Có lỗi xảy ra. Bác thử lại hoặc chạm “Gọi cán bộ”.");
    }
    return data;
  }
  const randomKey = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  const money = (n) => new Intl.NumberFormat("vi-VN").format(n) + " đồng";

  // ---------- the visit (kiosk session) ----------
  // The station's device token comes in the address's fragment
  // (http://server/#device=TOKEN, set up once on the kiosk), which the
  // browser never sends to a server or a log. It is a credential of the
  // machine, not of a resident, and it stays in the address bar.
  const device = new URLSearchParams(location.hash.slice(1)).get("device") || "";
  const deviceHeaders = () => (device ? { Authorization: "Bearer " + device } : {});
  const visit = { id: null, station: "", services: [], lastSent: 0 };
  async function startVisit(service) {
    if (!visit.id && device) {
      try {
        const s = await api("POST", "/api/v1/kiosk/sessions", {}, deviceHeaders());
        visit.id = s.id;
        visit.station = s.station_id;
      } catch (e) {
        visit.id = null; // the screens still work; nothing to erase then
      }
    }
    if (service && !visit.services.includes(service)) {
      visit.services.push(service);
      activity({ service });
    }
    return visit.id;
  }
  // activity tells the server the resident is still there and where, so
  // the server's own idle sweep and the usage figures agree with the screen.
  function activity(a) {
    if (!visit.id) return;
    visit.lastSent = Date.now();
    api("POST", "/api/v1/kiosk/sessions/" + encodeURIComponent(visit.id) + "/activity", a || {}, deviceHeaders()).catch(() => {});
  }
  // endVisit tells the server the visit is over; what was not submitted is
  // erased there at once. keepalive lets the request outlive the page.
  function endVisit() {
    if (!visit.id) return Promise.resolve();
    const id = visit.id;
    visit.id = null;
    return fetch("/api/v1/kiosk/sessions/" + encodeURIComponent(id) + "/finish", {
      method: "POST", keepalive: true, credentials: "same-origin", headers: deviceHeaders(),
    }).catch(() => {});
  }
  // goHomeAndForget reloads the page: a reload is the one sure way to drop
  // everything the page held in memory.
  let leaving = false;
  async function goHomeAndForget() {
    leaving = true;
    stopSpeaking();
    $$("input, textarea").forEach((i) => { i.value = ""; });
    await endVisit();
    location.reload();
  }
  window.addEventListener("pagehide", () => { endVisit(); });

  // ---------- screens ----------
  const history = [];
  let current = "home";
  function show(name, opts) {
    const next = $(`section[data-screen="${name}"]`);
    if (!next) return;
    if (!(opts && opts.replace) && current !== name) history.push(current);
    $$("section.screen").forEach((s) => { s.hidden = s !== next; });
    $$("[data-error]", next).forEach((e) => { e.textContent = ""; });
    current = name;
    body.dataset.screen = name;
    const step = next.dataset.step, steps = next.dataset.steps;
    $("#progress").textContent = step ? `Bước ${step}/${steps}` : (next.dataset.title || "");
    $("#back").disabled = name === "home";
    if (name !== "home") activity({ service: serviceOf(name), step: name });
    stopSpeaking();
    window.scrollTo(0, 0);
    const focus = $("input:not(.visually-hidden), textarea", next) || $("h1", next);
    if (focus) { if (focus.tagName === "H1") focus.tabIndex = -1; focus.focus({ preventScroll: true }); }
  }
  function showError(err) {
    const el = $(`section[data-screen="${current}"] [data-error]`);
    if (el) el.textContent = err && err.message ? err.message : String(err);
  }
  // A screen may handle "Quay lại" itself (the assistant keeps its own
  // place in a conversation); otherwise it returns to the previous screen.
  const backHandlers = {};
  function back() {
    const prev = history.pop();
    show(prev || "home", { replace: true });
  }
  $("#back").addEventListener("click", () => {
    const h = backHandlers[current];
    if (h && h()) return;
    back();
  });
  document.addEventListener("click", (ev) => {
    const go = ev.target.closest("[data-go]");
    if (go) { ev.preventDefault(); startVisit(serviceOf(go.dataset.go)); show(go.dataset.go); }
    if (ev.target.closest("[data-finish]")) { ev.preventDefault(); goHomeAndForget(); }
    const sp = ev.target.closest("[data-speak]");
    if (sp) { ev.preventDefault(); speak($(sp.dataset.speak).innerText, sp); }
  });
  function serviceOf(screen) {
    return { f: "procedures", t: "tracking", b: "bills", r: "reports", h: "health", p: "partners", v: "tourism" }[screen.charAt(0)] || "home";
  }

  // ---------- call staff ----------
  $("#call").addEventListener("click", () => {
    $("#call-box").hidden = false;
    $("#call-close").focus();
    activity({});
  });
  $("#call-close").addEventListener("click", () => { $("#call-box").hidden = true; });

  // ---------- read aloud ----------
  let audio = null;
  function stopSpeaking() {
    if (audio) { audio.pause(); URL.revokeObjectURL(audio.src); audio = null; }
    $$("[data-speak]").forEach((b) => { b.textContent = "Nghe đọc"; });
  }
  async function speak(text, button) {
    if (audio) { stopSpeaking(); return; }
    text = (text || "").trim();
    if (!text) return;
    button.textContent = "Đang đọc… (chạm để dừng)";
    try {
      const res = await fetch("/api/v1/speech", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: text.slice(0, 1500) }) });
      if (!res.ok) throw new Error("speech " + res.status);
      const blob = await res.blob();
      audio = new Audio(URL.createObjectURL(blob));
      audio.addEventListener("ended", stopSpeaking);
      await audio.play().catch(() => {});
    } catch (e) {
      button.textContent = "Nghe đọc";
    }
  }

  // ---------- inactivity ----------
  let lastTouch = Date.now();
  let warningUntil = 0;
  function touched() {
    if (warningUntil) return;
    lastTouch = Date.now();
    if (lastTouch - visit.lastSent > 5000) activity({});
  }
  ["pointerdown", "keydown", "input", "touchstart", "wheel"].forEach((ev) =>
    document.addEventListener(ev, touched, { capture: true, passive: true }));
  $("#idle-stay").addEventListener("click", () => {
    warningUntil = 0; $("#idle-box").hidden = true; touched(); activity({});
  });
  setInterval(() => {
    if (leaving) return;
    const now = Date.now();
    $("#clock").textContent = new Date(now).toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" });
    const busy = current !== "home" || visit.id;
    if (!busy) { lastTouch = now; return; }
    // The warning takes the last warnMs of the idle time, so the screen
    // and the server end the visit together.
    if (!warningUntil && now - lastTouch >= idleMs - warnMs) {
      warningUntil = now + warnMs;
      $("#idle-box").hidden = false;
      $("#idle-stay").focus();
    }
    if (warningUntil) {
      const left = Math.max(0, Math.ceil((warningUntil - now) / 1000));
      $("#idle-count").textContent = String(left);
      if (now >= warningUntil) goHomeAndForget();
    }
  }, 250);

  // ---------- administrative procedures ----------
  // The assistant leads the conversation; this screen shows one reply at a
  // time with its choices as buttons. The scan, the review, the fee and the
  // receipt are screens of their own.
  const filing = { session: null, procedure: null, stage: "", scanFile: null, ocr: null, dossier: null, submitted: null };
  const stageStep = { identify: 1, confirm: 1, explain: 2, collect: 3, review: 4, done: 4, handoff: 1 };
  const ownButtons = new Set(["back", "handoff"]); // the screen has its own
  const keyboard = { id_number: "numeric", number: "numeric", phone: "tel", date: "text" };

  async function assistantSay(message, said) {
    await startVisit("procedures");
    if (!filing.session) {
      const s = await api("POST", "/api/v1/sessions", { kiosk_session_id: visit.id || "" }, deviceHeaders());
      filing.session = s.id;
    }
    const r = await api("POST", "/api/v1/sessions/" + encodeURIComponent(filing.session) + "/messages", message, deviceHeaders());
    renderReply(r, said);
    return r;
  }
  function renderReply(r, said) {
    filing.stage = r.stage;
    if (r.procedure && r.procedure.slug) filing.procedure = r.procedure;
    if (r.stage === "review" && r.draft) { renderReview(r); return; }
    if (r.dossier) { filing.dossier = r.dossier; submitDossier(); return; }
    // A visitor's question about places goes to the tourist screen with the
    // visitor's own words: nothing personal is asked there.
    if (r.handover && r.handover.service === "tourism.information") { findPlaces(filing.asked || "", guessLang(filing.asked || "")); return; }
    const section = $('section[data-screen="f-chat"]');
    section.dataset.step = String(stageStep[r.stage] || 1);
    $("#chat-title").textContent = filing.procedure ? filing.procedure.name : "Trợ lý thủ tục";
    $("#chat-said").textContent = said || "";
    $("#chat-reply").textContent = r.reply || "";
    const box = $("#chat-choices");
    box.replaceChildren(...(r.choices || []).filter((c) => !ownButtons.has(c.id)).map((c) => choiceButton(c.label, () => send({ choice: c.id }, "Bác đã chọn: " + c.label))));
    if (r.stage === "collect" && !filing.ocr) box.appendChild(choiceButton("Quét căn cước để máy điền sẵn", () => show("f-scan"), "secondary"));
    const input = $("#chat-text");
    input.value = "";
    input.inputMode = (r.field && keyboard[r.field.type]) || "text";
    $("#chat-text-label").textContent = r.field ? r.field.label : "Câu trả lời của bác";
    if (r.stage === "handoff") $("#call-box").hidden = false;
    showChatQR(r);
    // A partner service: its own screen opens from here, after the guide has
    // said what the partner will ask and warned about scams.
    $("#handover").hidden = !r.handover;
    if (r.handover) {
      $("#handover-open").textContent = "Mở màn hình: " + r.handover.name;
      $("#handover-open").href = r.handover.url || "#";
    }
    show("f-chat", { replace: current === "f-chat" });
  }
  // A bill or fee paid in the conversation: the order's VietQR, and the
  // payment followed live; when it settles the assistant is asked for the
  // receipt (or the way forward).
  let paymentFeed = null;
  function showChatQR(r) {
    let qr = document.getElementById("chat-qr");
    if (!qr) {
      qr = document.createElement("img");
      qr.id = "chat-qr"; qr.className = "qr"; qr.alt = "Mã QR thanh toán";
      $("#chat-reply").after(qr);
    }
    const pending = r.stage === "pay" && r.payment && r.payment.state === "pending";
    qr.hidden = !(pending && r.payment.qr_url);
    if (!qr.hidden) qr.src = r.payment.qr_url;
    if (paymentFeed) { paymentFeed.abort(); paymentFeed = null; }
    if (!pending) return;
    const feed = paymentFeed = new AbortController();
    follow("/api/v1/sessions/" + encodeURIComponent(r.session_id) + "/payment/events", feed.signal, (name, data) => {
      if (name !== "payment" || data.state === "pending") return;
      feed.abort(); if (paymentFeed === feed) paymentFeed = null;
      send({ choice: "check" }, "");
    }).catch(() => {}).finally(() => { if (paymentFeed === feed) paymentFeed = null; });
  }
  // follow reads a server-sent event stream with the station's token
  // (EventSource cannot send one), calling onEvent(name, data) per event.
  async function follow(path, signal, onEvent) {
    const res = await fetch(path, { headers: Object.assign({ Accept: "text/event-stream" }, deviceHeaders()), cache: "no-store", signal });
    if (!res.ok || !res.body) return;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value.replace(/\r\n/g, "\n");
      let end;
      while ((end = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, end); buf = buf.slice(end + 2);
        let name = "message", data = "";
        block.split("\n").forEach((line) => {
          if (line.startsWith("event:")) name = line.slice(6).trim();
          else if (line.startsWith("data:")) data += (data ? "\n" : "") + line.slice(5).replace(/^ /, "");
        });
        if (data) { try { onEvent(name, JSON.parse(data)); } catch (e) { /* not JSON: ignored */ } }
      }
    }
  }
  function choiceButton(label, fn, cls) {
    const b = document.createElement("button");
    b.type = "button"; b.textContent = label;
    if (cls) b.className = cls;
    b.addEventListener("click", fn);
    return b;
  }
  async function send(message, said) {
    try { await assistantSay(message, said); } catch (e) { showError(e); }
  }
  // "Quay lại" in the conversation steps back in the assistant, except at
  // its start, where it leaves for the previous screen.
  backHandlers["f-chat"] = () => {
    if (!filing.session || filing.stage === "identify" || filing.stage === "confirm") return false;
    send({ choice: "back" }, "");
    return true;
  };
  backHandlers["f-review"] = () => { send({ choice: "back" }, ""); return true; };
  // After a service is done, "Quay lại" ends the visit like "Về trang chủ".
  ["f-receipt", "t-result", "b-done", "r-done"].forEach((name) => { backHandlers[name] = () => { goHomeAndForget(); return true; }; });
  $("#ask-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = $("#ask-text").value.trim();
    filing.asked = text;
    if (text) send({ text }, "Bác vừa hỏi: " + text);
  });
  $("#chat-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = $("#chat-text").value.trim();
    if (text) send({ text }, "Bác vừa trả lời: " + text);
  });
  $$("[data-ask]").forEach((b) => b.addEventListener("click", () => {
    show("f-ask"); $("#ask-text").value = b.dataset.ask; filing.asked = b.dataset.ask; send({ text: b.dataset.ask }, "Bác vừa hỏi: " + b.dataset.ask);
  }));

  // ---------- tourist information ----------
  // Places, directions from this station and safety tips, in Vietnamese or
  // English; the server decides every word shown. The question is sent
  // with the station's id only, never with the visit.
  const placesText = {
    vi: { title: "Thông tin du lịch", label: "Bác muốn đi đâu?", search: "Tìm", tips: "An toàn khi đi chơi", qr: "Quét để mở đường đi trên điện thoại", hours: "Giờ mở cửa: ", source: "Nguồn: " },
    en: { title: "Tourist information", label: "Where would you like to go?", search: "Search", tips: "Staying safe", qr: "Scan for the route on your phone", hours: "Opening hours: ", source: "Source: " },
  };
  let placesLang = "vi";
  function guessLang(text) { return /[^\x00-\x7f]/.test(text) ? "vi" : (/\b(museum|market|near|where|how|church|pagoda|park|zoo|palace|street|tourist|visit)\b/i.test(text) ? "en" : "vi"); }
  async function findPlaces(q, lang) {
    placesLang = lang || placesLang;
    const t = placesText[placesLang];
    $("#places-title").textContent = t.title;
    $("#places-label").textContent = t.label;
    $("#places-search").textContent = t.search;
    $("#places-tips-title").textContent = t.tips;
    $("section[data-screen=v-places]").lang = placesLang;
    $$("[data-lang]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === placesLang)));
    $("#places-text").value = q;
    if (current !== "v-places") { startVisit("tourism"); show("v-places"); }
    try {
      const r = await api("GET", "/api/v1/places?" + new URLSearchParams({ q, lang: placesLang, station_id: visit.station || "" }));
      $("#places-message").textContent = r.message;
      $("#places-results").replaceChildren(...r.results.map((p) => {
        const li = document.createElement("li");
        const add = (cls, text) => { const e = document.createElement("div"); e.className = cls; e.textContent = text; li.appendChild(e); return e; };
        add("place-name", p.name);
        if (p.directions) add("place-way", p.directions);
        add("place-hours", t.hours + p.hours);
        add("place-address", p.address);
        add("place-summary hint", p.summary + " — " + t.source + p.source + ", " + p.checked_on);
        if (p.map_qr) { const img = document.createElement("img"); img.src = p.map_qr; img.alt = t.qr + ": " + p.name; li.appendChild(img); }
        return li;
      }));
      $("#places-tips").replaceChildren(...r.tips.map((tip) => { const li = document.createElement("li"); li.textContent = tip; return li; }));
    } catch (e) { showError(e); }
  }
  $("#places-form").addEventListener("submit", (ev) => { ev.preventDefault(); findPlaces($("#places-text").value.trim(), guessLang($("#places-text").value)); });
  $$("[data-lang]").forEach((b) => b.addEventListener("click", () => findPlaces($("#places-text").value.trim(), b.dataset.lang)));
  $$('[data-go="v-places"]').forEach((b) => b.addEventListener("click", () => findPlaces("", placesLang)));

  // Scan: the picture goes to the OCR endpoint tagged with the visit, so the
  // server erases it with the visit unless the dossier is submitted. The
  // file stays in memory to be attached to the dossier.
  const labels = {
    full_name: "Họ và tên", id_number: "Số căn cước", date_of_birth: "Ngày sinh", sex: "Giới tính",
    nationality: "Quốc tịch", place_of_origin: "Quê quán", place_of_residence: "Nơi thường trú",
    date_of_expiry: "Có giá trị đến", expiry_date: "Có giá trị đến", issue_date: "Ngày cấp", date_of_issue: "Ngày cấp", old_id_number: "Số CMND cũ",
  };
  const provenanceLabel = { typed: "bác nhập", ocr: "đọc từ ảnh", qr: "đọc từ mã QR", mrz: "đọc từ dòng MRZ", text: "đọc từ ảnh", llm: "trợ lý điền", staff: "cán bộ sửa" };
  const LOW = 0.8;
  $("#scan-file").addEventListener("change", async (ev) => {
    const file = ev.target.files[0];
    if (!file) return;
    $("#scan-status").textContent = "Đang đọc giấy tờ, bác chờ một chút…";
    try {
      await startVisit("procedures");
      const form = new FormData();
      form.append("file", file);
      if (visit.id) form.append("kiosk_session_id", visit.id);
      const r = await api("POST", "/api/v1/ocr", form, deviceHeaders());
      filing.ocr = r;
      filing.scanFile = file;
      $("#scan-preview").src = URL.createObjectURL(file);
      const rows = Object.entries(r.fields || {}).filter(([, f]) => f && f.value);
      $("#scan-fields").replaceChildren(fieldTable(rows.map(([name, f]) => ({ label: labels[name] || name, value: f.value, provenance: f.source, confidence: f.confidence }))));
      $("#scan-empty").hidden = rows.length > 0;
      $("#scan-status").textContent = "";
      show("f-scan-confirm");
    } catch (e) {
      $("#scan-status").textContent = "";
      showError(e);
    } finally {
      ev.target.value = "";
    }
  });
  $("#scan-skip").addEventListener("click", () => back());
  $("#scan-retake").addEventListener("click", () => { filing.ocr = null; filing.scanFile = null; show("f-scan", { replace: true }); });
  $("#scan-ok").addEventListener("click", () => send({ ocr_result_id: filing.ocr.id }, "Bác đã dùng thông tin trên giấy tờ."));

  // fieldTable shows values with where each came from; a value read with
  // low confidence is marked for the resident to check.
  function fieldTable(rows, edit) {
    const table = document.createElement("table");
    table.className = "fields";
    rows.forEach((f) => {
      const tr = table.insertRow();
      const th = document.createElement("th");
      th.scope = "row"; th.textContent = f.label;
      tr.appendChild(th);
      const td = tr.insertCell();
      td.textContent = f.value || "—";
      if (f.provenance && f.provenance !== "typed") {
        const low = typeof f.confidence === "number" && f.confidence < LOW;
        const tag = document.createElement("span");
        tag.className = "tag" + (low ? " low" : "");
        tag.textContent = (provenanceLabel[f.provenance] || f.provenance) + (low ? " – bác kiểm tra lại" : "");
        td.append(" ", tag);
      }
      if (edit) tr.insertCell().appendChild(edit(f));
    });
    return table;
  }

  // The review reply lists "N. label: value" with values as the resident
  // reads them (a choice's words rather than its code); the table shows
  // those.
  function shownValues(reply) {
    const m = new Map();
    (reply || "").split("\n").forEach((line) => {
      const x = line.match(/^\d+\.\s+(.+?):\s+(.*)$/);
      if (x) m.set(x[1], x[2]);
    });
    return m;
  }
  function renderReview(r) {
    filing.draft = r.draft;
    const shown = shownValues(r.reply);
    $("#review-procedure").textContent = filing.procedure ? filing.procedure.name : "";
    const edits = new Map((r.choices || []).filter((c) => c.id.startsWith("edit:")).map((c) => [c.id.slice(5), c]));
    const rows = r.draft.fields.map((f) => Object.assign({}, f, { value: shown.get(f.label) || f.value }));
    $("#review-fields").replaceChildren(fieldTable(rows, (f) => {
      const c = edits.get(f.name);
      if (!c) return document.createTextNode("");
      const b = choiceButton("Sửa", () => send({ choice: c.id }, "Bác muốn " + c.label.toLowerCase()), "secondary");
      b.setAttribute("aria-label", c.label);
      return b;
    }));
    show("f-review", { replace: current === "f-review" });
  }
  $("#review-submit").addEventListener("click", () => send({ choice: "confirm" }, ""));

  // submitDossier attaches the scan to the dossier the assistant filed and
  // submits it; a fee is paid first, and the payment submits it.
  async function submitDossier() {
    const d = filing.dossier;
    const secret = { "X-Dossier-Secret": d.secret };
    try {
      if (filing.scanFile) {
        const form = new FormData();
        form.append("file", filing.scanFile);
        await api("POST", "/api/v1/dossiers/" + encodeURIComponent(d.id) + "/attachments", form, secret);
        const boxed = scanBoxes();
        if (Object.keys(boxed).length) await api("PATCH", "/api/v1/dossiers/" + encodeURIComponent(d.id) + "/fields", { fields: boxed }, secret);
      }
      filing.submitted = await api("POST", "/api/v1/dossiers/" + encodeURIComponent(d.id) + "/submit", {}, secret);
      if (filing.submitted.payment_required) await payFee(); else showReceipt();
    } catch (e) {
      if (current !== "f-review") show("f-review");
      showError(e);
    }
  }
  // scanBoxes tells staff where on the attached scan each value filled
  // from it was read: the draft's scanned values with the boxes the OCR
  // reported, matched by name or else by value.
  function scanBoxes() {
    const out = {};
    if (!filing.draft || !filing.ocr) return out;
    const read = Object.entries(filing.ocr.fields || {});
    const same = (a, b) => String(a).toLowerCase().replace(/\s+/g, " ").trim() === String(b).toLowerCase().replace(/\s+/g, " ").trim();
    filing.draft.fields.forEach((f) => {
      if (!["qr", "ocr", "mrz"].includes(f.provenance)) return;
      const hit = read.find(([name]) => name === f.name) || read.find(([, o]) => same(o.value, f.value));
      if (hit && hit[1].box) out[f.name] = { value: f.value, provenance: f.provenance, confidence: f.confidence, box: hit[1].box };
    });
    return out;
  }
  async function payFee() {
    const p = await api("POST", "/api/v1/payments", { purpose: "fee", dossier_id: filing.dossier.id, kiosk_session_id: visit.id || undefined },
      Object.assign({ "Idempotency-Key": randomKey() }, deviceHeaders()));
    filing.payment = p;
    $("#pay-amount").textContent = money(p.amount);
    showQR($("#pay-qr"), p);
    show("f-pay");
    waitPaid(p.id, "#pay-status", showReceipt);
  }
  function showQR(img, p) {
    img.hidden = !p.vietqr;
    if (p.vietqr) img.src = p.vietqr.png;
  }
  function waitPaid(id, statusSel, done) {
    const screen = current;
    const tick = async () => {
      if (current !== screen) return;
      try {
        const p = await api("GET", "/api/v1/payments/" + encodeURIComponent(id), undefined, deviceHeaders());
        if (p.state === "paid") { done(p); return; }
        if (p.state === "failed" || p.state === "expired") { $(statusSel).textContent = "Thanh toán không thành công. Bác chạm “Gọi cán bộ” để được giúp."; return; }
      } catch (e) { /* keep waiting */ }
      setTimeout(tick, 1500);
    };
    tick();
  }
  // The receipt PDF is fetched with the dossier's secret and shown from
  // memory, so the secret never appears in an address.
  async function showReceipt(paid) {
    const d = filing.dossier;
    $("#receipt-code").textContent = d.tracking_code;
    const lines = [];
    if (filing.procedure) lines.push("Thủ tục: " + filing.procedure.name);
    if (d.ward) lines.push("Hồ sơ gửi tới: " + d.ward);
    if (paid && paid.amount) lines.push("Đã nộp lệ phí: " + money(paid.amount));
    const expected = filing.submitted && filing.submitted.expected_on;
    if (expected) lines.push("Ngày hẹn trả kết quả: " + new Date(expected).toLocaleDateString("vi-VN"));
    $("#receipt-detail").textContent = lines.join("\n");
    activity({ outcome: "dossier_filed" });
    history.length = 0;
    show("f-receipt");
    try {
      const res = await fetch("/api/v1/dossiers/" + encodeURIComponent(d.id) + "/receipt.pdf", { headers: { "X-Dossier-Secret": d.secret }, cache: "no-store" });
      if (!res.ok) throw new Error("receipt " + res.status);
      $("#receipt-pdf").href = URL.createObjectURL(await res.blob());
      $("#receipt-pdf").hidden = false;
    } catch (e) { $("#receipt-pdf").hidden = true; }
  }

  // ---------- follow a dossier (or a report) ----------
  // A dossier needs its code and the last four digits of the applicant's ID
  // or phone; a report's code (PA-…) alone shows its status.
  const tracking = { code: "" };
  const day = (t) => new Date(t).toLocaleDateString("vi-VN");
  $("#track-code-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    tracking.code = $("#track-code").value.trim().toUpperCase().replace(/\s+/g, "");
    if (!tracking.code) return;
    if (!tracking.code.startsWith("PA-")) { tracking.code = tracking.code.replace(/-/g, ""); show("t-last4"); return; }
    try {
      const r = await api("GET", "/api/v1/reports/track/" + encodeURIComponent(tracking.code));
      showTracking([`Phản ánh ${r.code}`, "Tình trạng: " + (r.status_label || r.status), "Gửi ngày " + day(r.created_at)]);
    } catch (e) { showError(e); }
  });
  $("#track-last4-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const r = await api("GET", "/api/v1/track/" + encodeURIComponent(tracking.code) + "?last4=" + encodeURIComponent($("#track-last4").value.trim()));
      const lines = [`Hồ sơ ${r.tracking_code}`, "Tình trạng: " + (r.status_label || r.status)];
      if (r.next_step) lines.push("Việc tiếp theo: " + r.next_step);
      if (r.submitted_at) lines.push("Đã nộp ngày " + day(r.submitted_at));
      if (r.expected_on) lines.push("Ngày hẹn trả kết quả: " + day(r.expected_on));
      showTracking(lines);
    } catch (e) { showError(e); }
  });
  function showTracking(lines) {
    $("#track-result").textContent = lines.join("\n");
    show("t-result");
  }

  // ---------- pay a bill ----------
  const bill = { category: "", code: "", chosen: null };
  $$("[data-bill]").forEach((b) => b.addEventListener("click", () => { bill.category = b.dataset.bill; show("b-code"); }));
  $("#bill-code-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    bill.code = $("#bill-code").value.trim().toUpperCase();
    try {
      const r = await api("GET", "/api/v1/bills?biller=demo&customer_code=" + encodeURIComponent(bill.code), undefined, deviceHeaders());
      const list = (r.bills || []).filter((x) => !bill.category || x.category === bill.category);
      const box = $("#bill-list");
      box.replaceChildren();
      if (!list.length) { showError({ message: "Không có hóa đơn nào chưa trả với mã này." }); return; }
      list.forEach((x) => {
        const b = document.createElement("button");
        b.type = "button"; b.textContent = `${x.description || "Kỳ " + x.period}: ${money(x.amount)}`;
        b.addEventListener("click", () => payBill(x));
        box.appendChild(b);
      });
      show("b-list");
    } catch (e) { showError(e); }
  });
  async function payBill(x) {
    try {
      const p = await api("POST", "/api/v1/payments", { purpose: "bill", biller: "demo", customer_code: bill.code, bill_id: x.id, kiosk_session_id: visit.id || undefined },
        Object.assign({ "Idempotency-Key": randomKey() }, deviceHeaders()));
      $("#bill-amount").textContent = money(p.amount);
      showQR($("#bill-qr"), p);
      show("b-pay");
      waitPaid(p.id, "#bill-status", (paid) => {
        $("#bill-done").textContent = `Đã trả ${money(paid.amount)}: ${x.description || "kỳ " + x.period}.` + (paid.receipt ? ` Biên lai số ${paid.receipt.number}.` : "");
        history.length = 0;
        show("b-done");
      });
    } catch (e) { showError(e); }
  }

  // ---------- report ----------
  // The categories come from the routing rules, so the buttons match what
  // the duty officers receive.
  const report = { category: "", injury: false, inProgress: false, photo: null, loaded: false };
  const emergencyCategories = new Set(["fire", "violence"]);
  async function loadCategories() {
    if (report.loaded) return;
    try {
      const r = await api("GET", "/api/v1/reports/categories");
      const box = $("#report-categories");
      box.replaceChildren(...(r.categories || []).map((c) => {
        const b = document.createElement("button");
        b.type = "button"; b.textContent = c.name; b.dataset.report = c.code;
        if (c.urgency === "critical" || emergencyCategories.has(c.code)) b.className = "danger";
        b.addEventListener("click", () => { report.category = c.code; show("r-urgent"); });
        return b;
      }));
      report.loaded = true;
    } catch (e) { showError(e); }
  }
  $$('[data-go="r-cat"]').forEach((b) => b.addEventListener("click", loadCategories));
  $$("[data-urgent]").forEach((b) => b.addEventListener("click", () => {
    report.injury = b.dataset.urgent === "injury";
    report.inProgress = b.dataset.urgent !== "over";
    show("r-where");
  }));
  $("#report-where-form").addEventListener("submit", (ev) => { ev.preventDefault(); show("r-desc"); });
  $("#report-here").addEventListener("click", () => { $("#report-where").value = ""; show("r-desc"); });
  $("#report-desc-form").addEventListener("submit", (ev) => { ev.preventDefault(); show("r-photo"); });
  $("#report-photo").addEventListener("change", (ev) => {
    report.photo = ev.target.files[0] || null;
    $("#report-photo-status").textContent = report.photo ? "Đã có ảnh." : "";
    if (report.photo) show("r-confirm");
  });
  $("#report-send").addEventListener("click", async () => {
    const form = new FormData();
    form.append("category", report.category);
    form.append("description", $("#report-desc").value.trim());
    if (report.injury) form.append("injury", "true");
    if (report.inProgress) form.append("in_progress", "true");
    form.append("occurred_at", new Date().toISOString().replace(/\.\d+Z$/, "Z"));
    const where = $("#report-where").value.trim();
    if (where) form.append("address", where);
    if (visit.station) { form.append("station_id", visit.station); form.append("channel", "kiosk"); } else form.append("channel", "web");
    const contact = $("#report-contact").value.trim();
    if (contact) form.append("contact", contact);
    if (report.photo) form.append("files", report.photo);
    try {
      const r = await api("POST", "/api/v1/reports", form, deviceHeaders());
      $("#report-code").textContent = r.code;
      const em = $("#report-emergency");
      if (r.emergency) { em.textContent = r.emergency.message || ("Gọi ngay " + r.emergency.call.join(", ")); em.hidden = false; }
      activity({ outcome: "report_sent" });
      history.length = 0;
      show("r-done");
    } catch (e) { showError(e); }
  });

  show("home", { replace: true });
})();
