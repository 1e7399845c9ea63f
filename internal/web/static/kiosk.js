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

  // ---------- the station's devices ----------
  // The station agent (`station agent`) on the kiosk PC scans, prints and
  // reports what works; the page asks it on the loopback address. Without
  // a ready printer no paper is offered for printing; without a ready
  // scanner the scan screen falls back to typing.
  const agent = { url: body.dataset.agent || "", devices: {} };
  async function agentCall(method, path, payload) {
    if (!agent.url) throw new APIError(0, "no_agent", "Trạm chưa có thiết bị này. Bác chạm “Gọi cán bộ” để được giúp.");
    const opts = { method, cache: "no-store", headers: { Accept: "application/json" } };
    if (payload instanceof Blob) {
      opts.body = payload; opts.headers["Content-Type"] = "application/pdf";
    } else if (payload !== undefined) {
      opts.body = JSON.stringify(payload); opts.headers["Content-Type"] = "application/json";
    }
    let res;
    try { res = await fetch(agent.url + path, opts); } catch (e) {
      throw new APIError(0, "agent_unreachable", "Thiết bị của trạm đang không sẵn sàng. Bác chạm “Gọi cán bộ” để được giúp.");
    }
    const data = await res.json().catch(() => null);
    if (!res.ok) {
      const err = (data && data.error) || {};
      throw new APIError(res.status, err.code || "agent_error", err.message || "Thiết bị của trạm gặp lỗi. Bác chạm “Gọi cán bộ” để được giúp.");
    }
    return data;
  }
  const deviceReady = (cls) => {
    const p = agent.devices[cls];
    return !!p && p.status === "online" && p.paper !== "out" && p.paper !== "jammed";
  };
  async function agentStatus() {
    const devices = {};
    try {
      const s = await agentCall("GET", "/v1/status");
      (s.peripherals || []).forEach((p) => { devices[p.class] = p; });
    } catch (e) { /* no agent: no devices */ }
    agent.devices = devices;
    body.dataset.printer = deviceReady("receipt_printer") ? "ready" : "none";
    body.dataset.scanner = deviceReady("document_scanner") ? "ready" : "none";
    body.dataset.camera = deviceReady("camera") ? "ready" : "none";
  }
  body.dataset.printer = body.dataset.scanner = body.dataset.camera = "none";
  if (agent.url) { agentStatus(); setInterval(agentStatus, 10000); }

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

  // ---------- the screen's language ----------
  // The kiosk's own buttons (data-label) are worded in the screen's
  // language when the server's reply gives their words (places.labels);
  // the Vietnamese written in the page stays beneath, smaller, for staff.
  let labels = null, labelsLang = "vi";
  $$("[data-label]").forEach((b) => { b.dataset.vi = b.textContent; });
  function setLabel(b, vi, key) {
    const own = labels && b.dataset.label && labels[key || b.dataset.label];
    if (!own) { b.textContent = vi; return; }
    const main = document.createElement("span");
    main.lang = labelsLang; main.textContent = own;
    const second = document.createElement("small");
    second.className = "label-vi"; second.lang = "vi"; second.textContent = vi;
    b.replaceChildren(main, second);
  }
  function showLabels(l, lang) {
    labels = l || null; labelsLang = l ? lang : "vi";
    $$("[data-label]").forEach((b) => setLabel(b, b.dataset.vi));
  }
  function show(name, opts) {
    const next = $(`section[data-screen="${name}"]`);
    if (!next) return;
    if (!(opts && opts.replace) && current !== name) history.push(current);
    $$("section.screen").forEach((s) => { s.hidden = s !== next; });
    $$("[data-error]", next).forEach((e) => { e.textContent = ""; });
    current = name;
    body.dataset.screen = name;
    if (name !== "f-chat") showLabels(null);
    const step = next.dataset.step, steps = next.dataset.steps;
    $("#progress").textContent = next.dataset.progress || (step ? `Bước ${step}/${steps}` : (next.dataset.title || ""));
    $("#back").disabled = name === "home";
    // A screen is the visit's step, but for the guide's, whose turns record
    // their own (data-guide-steps).
    if (name !== "home") activity({ service: serviceOf(name), step: "guideSteps" in next.dataset ? "" : name });
    stopSpeaking();
    if (window.KioskKeyboard) window.KioskKeyboard.close();
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
    const start = ev.target.closest("[data-start]");
    if (start) { ev.preventDefault(); startService(start.dataset.start, start.dataset.service); }
    if (ev.target.closest("[data-finish]")) { ev.preventDefault(); goHomeAndForget(); }
    const sp = ev.target.closest("[data-speak]");
    // A reply may carry its own words for reading aloud (it names the
    // options its buttons show).
    if (sp) { ev.preventDefault(); const el = $(sp.dataset.speak); speak(el.dataset.speech || el.innerText, sp, el.closest("[lang]").lang); }
  });
  function serviceOf(screen) {
    return { f: "procedures", h: "health", p: "partners" }[screen.charAt(0)] || "home";
  }

  // ---------- call staff ----------
  // "Gọi cán bộ" creates a help request that the ward's staff and the duty
  // console see at once; the box follows it until someone acknowledges it
  // (their name is shown) or, when nobody came in time, shows and reads the
  // ward's number. While a call waits the visit is not ended for idleness.
  const call = { id: null, status: "", timer: null };
  async function callStaff() {
    $("#call-box").hidden = false;
    $("#call-close").focus();
    activity({});
    if (!device) return; // not a registered station: the hotline shows
    await startVisit();
    try {
      const v = await api("POST", "/api/v1/kiosk/help", { kiosk_session_id: visit.id || "", step: current.slice(0, 80) }, deviceHeaders());
      showCall(v);
      clearInterval(call.timer);
      call.timer = setInterval(followCall, 1500);
    } catch (e) {
      $("#call-message").textContent = e.message;
    }
  }
  async function followCall() {
    if (!call.id) return;
    try { showCall(await api("GET", "/api/v1/kiosk/help/" + encodeURIComponent(call.id), undefined, deviceHeaders())); } catch (e) { /* try again */ }
  }
  function showCall(v) {
    const changed = v.status !== call.status;
    call.id = v.id; call.status = v.status;
    $("#call-message").textContent = v.message;
    $("#call-phone").textContent = v.phone || "";
    $("#call-phone").hidden = !v.phone;
    $("#call-fallback").hidden = !!v.phone;
    body.dataset.help = v.status;
    if (v.status === "acknowledged" || v.status === "cancelled") { clearInterval(call.timer); call.timer = null; }
    if (changed && v.status !== "waiting") {
      $("#call-box").hidden = false;
      speak(v.message, $('#call-box [data-speak]'), "vi");
    }
  }
  function callWaiting() { return call.status === "waiting" || call.status === "escalated"; }
  $("#call").addEventListener("click", callStaff);
  $("#call-close").addEventListener("click", () => { $("#call-box").hidden = true; });

  // ---------- read aloud ----------
  // The text goes to the server with its language (the lang the server's
  // reply marked it with), which reads it with that language's voice.
  let audio = null;
  function stopSpeaking() {
    if (audio) { audio.pause(); URL.revokeObjectURL(audio.src); audio = null; }
    $$("[data-speak]").forEach((b) => setLabel(b, "Nghe đọc"));
  }
  async function speak(text, button, lang) {
    if (audio) { stopSpeaking(); return; }
    text = (text || "").trim();
    if (!text) return;
    setLabel(button, "Đang đọc… (chạm để dừng)", "reading");
    try {
      const res = await fetch("/api/v1/speech", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: text.slice(0, 1500), lang: lang || "vi" }) });
      if (!res.ok) throw new Error("speech " + res.status);
      const blob = await res.blob();
      audio = new Audio(URL.createObjectURL(blob));
      audio.addEventListener("ended", stopSpeaking);
      await audio.play().catch(() => {});
    } catch (e) {
      setLabel(button, "Nghe đọc");
    }
  }

  // ---------- inactivity ----------
  // Idle time does not run while the resident is waiting on the station:
  // a payment, a scan or a print in progress, a call for staff, audio
  // playing. Any touch, key or pointer movement counts, during the warning
  // too.
  let lastTouch = Date.now();
  let warningUntil = 0;
  let holds = 0;
  function pauseIdle(d) { holds = Math.max(0, holds + d); lastTouch = Date.now(); }
  const holding = () => holds > 0 || !!audio || callWaiting() || !!paymentFeed || paying > 0;
  function stay() {
    warningUntil = 0;
    $("#idle-box").hidden = true;
    lastTouch = Date.now();
    activity({});
  }
  function touched(ev) {
    // During the warning a touch lands on the warning itself (its click
    // ends it), so that it never passes through to the screen below; a key
    // ends it at once.
    if (warningUntil) { if (ev.type === "keydown") stay(); return; }
    lastTouch = Date.now();
    if (lastTouch - visit.lastSent > 5000) activity({});
  }
  ["pointerdown", "pointermove", "keydown", "input", "touchstart", "wheel"].forEach((ev) =>
    document.addEventListener(ev, touched, { capture: true, passive: true }));
  $("#idle-box").addEventListener("click", stay);
  // The clock keeps the city's time, whatever zone the PC is set to.
  const clock = new Intl.DateTimeFormat("vi-VN", { hour: "2-digit", minute: "2-digit", timeZone: $("#clock").dataset.zone });
  setInterval(() => {
    if (leaving) return;
    const now = Date.now();
    $("#clock").textContent = clock.format(now);
    const busy = current !== "home" || visit.id;
    if (!busy) { lastTouch = now; return; }
    if (holding()) {
      // The server's idle sweep must not end the visit meanwhile either.
      if (now - visit.lastSent > 20000) activity({});
      if (warningUntil) { warningUntil = 0; $("#idle-box").hidden = true; }
      lastTouch = now;
      return;
    }
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
  const filing = { session: null, procedure: null, stage: "", scanFile: null, ocr: null, dossier: null, submitted: null, canBack: false, served: false };
  const ownButtons = new Set(["back", "handoff"]); // the screen has its own

  // startService enters the assistant's flow of a tile's service in a
  // conversation of its own: the server asks, the screen shows.
  async function startService(slug, service) {
    Object.assign(filing, { service, session: null, procedure: null, stage: "", ocr: null, scanFile: null, dossier: null, submitted: null, served: false });
    await send({ choice: "start:" + slug });
  }

  async function assistantSay(message) {
    await startVisit(filing.service || "procedures");
    if (!filing.session) {
      const s = await api("POST", "/api/v1/sessions", { kiosk_session_id: visit.id || "" }, deviceHeaders());
      filing.session = s.id;
    }
    const r = await api("POST", "/api/v1/sessions/" + encodeURIComponent(filing.session) + "/messages", message, deviceHeaders());
    renderReply(r);
    return r;
  }
  function renderReply(r) {
    filing.stage = r.stage;
    if (r.procedure && r.procedure.slug) filing.procedure = r.procedure;
    // A procedure's form is checked on its own screen, beside the scan; a
    // tile's service reads its answers back in the conversation.
    if (r.stage === "review" && r.draft && !filing.service) { renderReview(r); return; }
    if (r.dossier) { filing.dossier = r.dossier; submitDossier(); return; }
    const section = $('section[data-screen="f-chat"]');
    section.dataset.progress = r.progress || "";
    filing.canBack = !!r.can_go_back;
    filing.served = r.stage === "done" && !!(r.dossier_status || r.report || (r.payment && r.payment.state === "paid"));
    $("#chat-title").textContent = filing.procedure ? filing.procedure.name : "Trợ lý thủ tục";
    $("#chat-said").textContent = r.said || "";
    $("#chat-reply").textContent = r.reply || "";
    $("#chat-reply").dataset.speech = r.speech || "";
    // The server's primary choice (the review's confirmation) comes last,
    // across the whole width; beside it the others are outlined.
    const box = $("#chat-choices");
    const shown = (r.choices || []).filter((c) => !ownButtons.has(c.id));
    const led = shown.some((c) => c.primary);
    box.replaceChildren(...shown.filter((c) => !c.primary).concat(shown.filter((c) => c.primary)).map((c) => {
      const b = choiceButton(c.label, () => send({ choice: c.id }), c.primary ? "primary" : led ? "secondary" : "");
      b.dataset.choice = c.id;
      if (c.pressed !== undefined) b.setAttribute("aria-pressed", String(c.pressed));
      return b;
    }));
    if (r.stage === "collect" && !filing.ocr && !filing.service) box.appendChild(choiceButton("Quét căn cước để máy điền sẵn", () => show("f-scan"), "secondary"));
    const input = $("#chat-text");
    input.value = "";
    input.inputMode = (r.field && r.field.keyboard) || "text";
    $("#chat-text-label").textContent = r.field ? r.field.label : "Câu trả lời của bác";
    if (r.stage === "handoff") $("#call-box").hidden = false;
    showChatQR(r);
    showServed(r);
    showEmergency(r.emergency);
    showPhotos(r.photos);
    showPlaces(r.places);
    // A partner service: its own screen opens from here, after the guide has
    // said what the partner will ask and warned about scams.
    $("#handover").hidden = !r.handover;
    if (r.handover) {
      $("#handover-open").textContent = "Mở màn hình: " + r.handover.name;
      $("#handover-open").href = r.handover.url || "#";
    }
    show("f-chat", { replace: current === "f-chat" });
  }
  // showServed puts what a service gave on the screen: the code to keep in
  // the largest type (a dossier's, a report's, a payment's from its QR
  // on), and the papers the server offers for printing.
  function showServed(r) {
    const served = r.dossier_status || r.report || (r.payment && { tracking_code: r.payment.code, papers: r.payment.papers });
    const code = served ? (served.tracking_code || served.code) : "";
    $("#chat-code").textContent = code || "";
    $("#chat-code").hidden = !code;
    $("#chat-finish").hidden = r.stage !== "done";
    $("#chat-form").hidden = r.stage === "done";
    const papers = (served && served.papers) || [];
    $("#chat-papers").replaceChildren(...papers.map((p) => {
      const a = document.createElement("a");
      a.className = "button"; a.id = "paper-" + p.name; a.textContent = p.label; a.hidden = true;
      return a;
    }));
    papers.forEach((p) => paperLink("#paper-" + p.name, p.url, deviceHeaders()));
  }
  // showEmergency puts the numbers the server says to call above
  // everything, the first one largest.
  function showEmergency(em) {
    $("#chat-emergency").hidden = !em;
    $("#chat-numbers").replaceChildren(...((em && em.numbers) || []).map((n) => {
      const li = document.createElement("li");
      const num = document.createElement("strong");
      num.textContent = n.number;
      li.append(num, " " + n.label);
      if (n.primary) li.className = "primary";
      return li;
    }));
  }
  // showPlaces lists the places the tourist information found, each as the
  // server worded it, with the route's QR code, then the safety tips; the
  // answer is marked in its language for reading aloud.
  function showPlaces(p) {
    $("#chat-places").hidden = !p;
    showLabels(p && p.labels, p && p.lang);
    ["#chat-said", "#chat-reply", "#chat-text-label", "#chat-places"].forEach((sel) => { $(sel).lang = p ? p.lang : "vi"; });
    const add = (li, cls, text) => { const e = document.createElement("div"); e.className = cls; e.textContent = text; li.appendChild(e); };
    $("#chat-place-list").replaceChildren(...((p && p.cards) || []).map((c) => {
      const li = document.createElement("li");
      add(li, "place-name", c.name);
      if (c.way) add(li, "place-way", c.way);
      c.lines.forEach((line) => add(li, "place-line", line));
      if (c.map_qr) { const img = document.createElement("img"); img.src = c.map_qr; img.alt = c.map_alt; li.appendChild(img); }
      return li;
    }));
    $("#chat-tips-title").textContent = p ? p.tips_title : "";
    $("#chat-tips").replaceChildren(...((p && p.tips) || []).map((tip) => { const li = document.createElement("li"); li.textContent = tip; return li; }));
  }
  // showPhotos offers the station's camera while the step takes photos;
  // each photo goes to the server at once, which says how many it holds.
  let photoURL = "";
  function showPhotos(p) {
    photoURL = p ? p.url : "";
    $("#chat-photo").hidden = !p;
    $("#chat-photo-label").textContent = p ? p.label : "";
    if (!p) $("#chat-photo-status").textContent = "";
  }
  $("#chat-photo-file").addEventListener("change", async (ev) => {
    const file = ev.target.files[0];
    if (!file || !photoURL) return;
    const form = new FormData();
    form.append("photo", file);
    try {
      const r = await api("POST", photoURL, form, deviceHeaders());
      $("#chat-photo-status").textContent = r.message;
    } catch (e) { showError(e); } finally { ev.target.value = ""; }
  });
  // A bill or fee paid in the conversation: the order's VietQR, and the
  // payment followed live; when it settles the assistant is asked for the
  // receipt (or the way forward).
  let paymentFeed = null;
  function showChatQR(r) {
    let qr = document.getElementById("chat-qr");
    if (!qr) {
      qr = document.createElement("img");
      qr.id = "chat-qr"; qr.className = "qr"; qr.alt = "Mã QR thanh toán";
      $("#chat-code").after(qr); // beside the payment's code, to keep
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
      send({ choice: "check" });
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
  async function send(message) {
    try { await assistantSay(message); } catch (e) { showError(e); }
  }
  // "Quay lại" in the conversation steps back in the assistant, except at
  // its start, where it leaves for the previous screen.
  backHandlers["f-chat"] = () => {
    if (filing.served) { goHomeAndForget(); return true; }
    if (!filing.session || filing.stage === "identify" || filing.stage === "confirm" || !filing.canBack) return false;
    send({ choice: "back" });
    return true;
  };
  backHandlers["f-review"] = () => { send({ choice: "back" }); return true; };
  // After a service is done, "Quay lại" ends the visit like "Về trang chủ".
  backHandlers["f-receipt"] = () => { goHomeAndForget(); return true; };
  // A question typed after a tile's service opens a conversation of its own.
  function askAnew() { if (filing.service) Object.assign(filing, { service: undefined, session: null, procedure: null, served: false }); }
  $("#ask-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    askAnew();
    const text = $("#ask-text").value.trim();
    if (text) send({ text });
  });
  $("#chat-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = $("#chat-text").value.trim();
    if (text) send({ text });
  });
  $$("[data-ask]").forEach((b) => b.addEventListener("click", () => {
    askAnew(); show("f-ask"); $("#ask-text").value = b.dataset.ask; send({ text: b.dataset.ask });
  }));

  // Scan: the picture goes to the OCR endpoint tagged with the visit, so the
  // server erases it with the visit unless the dossier is submitted. The
  // file stays in memory to be attached to the dossier.
  const provenanceLabel = { typed: "bác nhập", ocr: "đọc từ ảnh", qr: "đọc từ mã QR", mrz: "đọc từ dòng MRZ", text: "đọc từ ảnh", model: "trợ lý điền", staff: "cán bộ sửa" };
  const LOW = 0.8;
  // With the station's scanner or document camera ready, the agent reads
  // the page and sends it straight to the visit's OCR; otherwise a picture
  // may be chosen.
  $$("#scan-start, #scan-camera").forEach((button) => button.addEventListener("click", async () => {
    if (button.getAttribute("aria-busy") === "true") return;
    button.setAttribute("aria-busy", "true");
    pauseIdle(1);
    $("#scan-status").textContent = button.dataset.status;
    try {
      await startVisit("procedures");
      const r = await agentCall("POST", "/v1/scan", { kiosk_session_id: visit.id || "", device: button.dataset.device });
      const bytes = Uint8Array.from(atob(r.image_png), (c) => c.charCodeAt(0));
      useScan(r.ocr, new File([bytes], "scan.png", { type: "image/png" }));
    } catch (e) {
      $("#scan-status").textContent = "";
      showError(e);
      agentStatus();
    } finally {
      button.removeAttribute("aria-busy");
      pauseIdle(-1);
    }
  }));
  $("#scan-file").addEventListener("change", async (ev) => {
    const file = ev.target.files[0];
    if (!file) return;
    $("#scan-status").textContent = "Đang đọc giấy tờ, bác chờ một chút…";
    try {
      await startVisit("procedures");
      const form = new FormData();
      form.append("file", file);
      if (visit.id) form.append("kiosk_session_id", visit.id);
      useScan(await api("POST", "/api/v1/ocr", form, deviceHeaders()), file);
    } catch (e) {
      $("#scan-status").textContent = "";
      showError(e);
    } finally {
      ev.target.value = "";
    }
  });
  function useScan(r, file) {
    filing.ocr = r;
    filing.scanFile = file;
    $("#scan-preview").src = URL.createObjectURL(file);
    const rows = r.shown || [];
    $("#scan-fields").replaceChildren(fieldTable(rows.map((f) => ({ label: f.label, value: f.value, provenance: f.source, confidence: f.confidence }))));
    $("#scan-empty").hidden = rows.length > 0;
    $("#scan-status").textContent = "";
    show("f-scan-confirm");
  }
  $("#scan-skip").addEventListener("click", () => back());
  $("#scan-retake").addEventListener("click", () => { filing.ocr = null; filing.scanFile = null; show("f-scan", { replace: true }); });
  $("#scan-ok").addEventListener("click", () => {
    // The demand statistics count visits by age band: the server keeps the
    // band of the card's birth year, never the year.
    const dob = ((filing.ocr.fields || {}).date_of_birth || {}).value;
    const year = dob && (String(dob).match(/(19|20)\d\d/) || [])[0];
    if (year) activity({ birth_year: Number(year) });
    send({ ocr_result_id: filing.ocr.id });
  });

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
      const b = choiceButton("Sửa", () => send({ choice: c.id }), "secondary");
      b.setAttribute("aria-label", c.label);
      return b;
    }));
    show("f-review", { replace: current === "f-review" });
  }
  $("#review-submit").addEventListener("click", () => send({ choice: "confirm" }));

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
    $("#pay-code").textContent = p.lookup_code || "";
    showQR($("#pay-qr"), p);
    show("f-pay");
    waitPaid(p.id, "#pay-status", showReceipt);
  }
  function showQR(img, p) {
    img.hidden = !p.vietqr;
    if (p.vietqr) img.src = p.vietqr.png;
  }
  // paying counts payments the page waits on: idle time stops meanwhile.
  let paying = 0;
  function waitPaid(id, statusSel, done) {
    const screen = current;
    paying++;
    const stop = () => { paying = Math.max(0, paying - 1); };
    const tick = async () => {
      if (current !== screen) { stop(); return; }
      try {
        const p = await api("GET", "/api/v1/payments/" + encodeURIComponent(id), undefined, deviceHeaders());
        if (p.state === "paid") { stop(); done(p); return; }
        if (p.state === "failed" || p.state === "expired") { stop(); $(statusSel).textContent = "Thanh toán không thành công. Bác chạm “Gọi cán bộ” để được giúp."; return; }
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
    // The receipt and the tracking screen say the same words.
    const next = filing.submitted && filing.submitted.after_filing;
    if (next) lines.push("Việc tiếp theo: " + next);
    $("#receipt-detail").textContent = lines.join("\n");
    activity({ outcome: "dossier_filed" });
    history.length = 0;
    show("f-receipt");
    paperLink("#receipt-pdf", "/api/v1/dossiers/" + encodeURIComponent(d.id) + "/receipt.pdf", { "X-Dossier-Secret": d.secret });
  }
  // paperLink fetches a signed paper (PDF) and offers it from memory, so
  // no secret or digits appear in an address; the link stays hidden when
  // there is no paper.
  async function paperLink(sel, url, headers) {
    const a = $(sel);
    a.hidden = true;
    a.dataset.paper = "print";
    try {
      const res = await fetch(url, { headers: headers || {}, cache: "no-store" });
      if (!res.ok) throw new Error(sel + " " + res.status);
      a.href = URL.createObjectURL(await res.blob());
      a.hidden = false;
    } catch (e) { a.hidden = true; }
  }

  // A paper is printed by the station's printer, never in a browser
  // window; the job is followed until the printer says it is done.
  document.addEventListener("click", (ev) => {
    const a = ev.target.closest("a[data-paper]");
    if (!a) return;
    ev.preventDefault();
    printPaper(a);
  });
  async function printPaper(a) {
    let note = document.getElementById(a.id + "-status");
    if (!note) {
      note = document.createElement("p");
      note.id = a.id + "-status"; note.className = "print-status"; note.setAttribute("aria-live", "polite");
      a.parentElement.after(note);
    }
    if (a.getAttribute("aria-busy") === "true") return;
    a.setAttribute("aria-busy", "true");
    pauseIdle(1);
    note.textContent = "Đang in, bác chờ một chút…";
    try {
      const pdf = await (await fetch(a.href)).blob();
      await agentCall("POST", "/v1/print", pdf);
      note.textContent = "Đã in xong. Bác nhận giấy ở khay máy in.";
    } catch (e) {
      note.textContent = e.message;
      agentStatus();
    } finally {
      a.removeAttribute("aria-busy");
      pauseIdle(-1);
    }
  }

  show("home", { replace: true });
})();
