// The staff and duty consoles: each page is rendered on the server and this
// script fills it from the staff JSON APIs with the signed-in user's cookie.
// A 401 sends the user to the login page.
"use strict";
(function () {
  const $ = (sel, root) => (root || document).querySelector(sel);
  const page = document.body.dataset.page;

  // The session's CSRF token comes from "who am I" and stays in memory.
  let me = null;
  async function whoAmI() {
    if (!me) me = api("GET", "/api/v1/auth/me").catch((e) => { me = null; throw e; });
    return me;
  }
  async function api(method, path, payload) {
    const opts = { method, credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } };
    if (method !== "GET" && page !== "login") opts.headers["X-CSRF-Token"] = (await whoAmI()).csrf_token || "";
    if (payload !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(payload); }
    const res = await fetch(path, opts);
    if (res.status === 401 && page !== "login") {
      location.href = "/staff/login?next=" + encodeURIComponent(location.pathname + location.search);
      throw new Error("Cần đăng nhập.");
    }
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (!res.ok) throw new Error((data && data.error && data.error.message) || "Lỗi " + res.status);
    return data;
  }
  const el = (tag, props, ...children) => {
    const e = document.createElement(tag);
    Object.assign(e, props || {});
    children.forEach((c) => e.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c))));
    return e;
  };
  const when = (t) => (t ? new Date(t).toLocaleString("vi-VN") : "");
  const fail = (e) => { const p = $("#page-error"); if (p) p.textContent = e.message; };

  const dossierStatus = {
    draft: "Nháp", submitted: "Đã nộp", in_review: "Đang xem xét", needs_supplement: "Chờ bổ sung",
    approved: "Đã duyệt", rejected: "Từ chối", result_ready: "Có kết quả", completed: "Hoàn tất",
  };
  const provenance = { typed: "Người dân nhập", ocr: "OCR", qr: "Mã QR", mrz: "MRZ", llm: "Trợ lý", staff: "Cán bộ sửa" };
  const LOW = 0.8;

  async function header() {
    const out = $("#logout");
    if (!out) return;
    out.addEventListener("click", async () => {
      try { await api("POST", "/api/v1/auth/logout"); } catch (e) { /* gone anyway */ }
      location.href = "/staff/login";
    });
    try {
      const u = (await whoAmI()).user;
      $("#who").textContent = u.username + (u.wards && u.wards.length ? " (" + u.wards.join(", ") + ")" : "");
    } catch (e) { /* the page's own call reports it */ }
  }

  // ---------- login ----------
  function login() {
    $("#login-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      $("#login-error").textContent = "";
      try {
        const r = await api("POST", "/api/v1/auth/login", { username: $("#username").value.trim(), password: $("#password").value });
        const next = new URLSearchParams(location.search).get("next");
        const role = r && (r.user ? r.user.role : r.role);
        location.href = next && next.startsWith("/") && !next.startsWith("//") ? next : (role === "duty_officer" ? "/duty" : "/staff");
      } catch (e) { $("#login-error").textContent = e.message; }
    });
  }

  // ---------- dossier queue ----------
  async function queue() {
    const params = new URLSearchParams(location.search);
    $("#f-status").value = params.has("status") ? params.get("status") : "submitted";
    try {
      const q = new URLSearchParams();
      if ($("#f-status").value) q.set("status", $("#f-status").value);
      const r = await api("GET", "/api/v1/staff/dossiers?" + q);
      const list = r.dossiers || r.items || [];
      const tbody = $("#queue");
      tbody.replaceChildren(...list.map((d) => el("tr", {},
        el("td", {}, el("a", { href: "/staff/dossiers/" + encodeURIComponent(d.id) }, d.tracking_code || d.id)),
        el("td", {}, d.procedure_name || d.procedure),
        el("td", {}, d.applicant_name || d.applicant || ""),
        el("td", {}, d.ward || ""),
        el("td", {}, when(d.submitted_at || d.created_at)),
        el("td", {}, dossierStatus[d.status] || d.status))));
      $("#queue-empty").hidden = list.length > 0;
    } catch (e) { fail(e); }
  }

  // ---------- dossier review ----------
  async function review() {
    const id = document.body.dataset.dossier;
    let d;
    try { d = await api("GET", "/api/v1/staff/dossiers/" + encodeURIComponent(id)); } catch (e) { fail(e); return; }
    d = d.dossier || d;
    $("#d-code").textContent = d.tracking_code || d.id;
    $("#d-procedure").textContent = d.procedure_name || d.procedure;
    $("#d-status").textContent = dossierStatus[d.status] || d.status;
    $("#d-applicant").textContent = d.applicant_name || d.applicant || "";
    const attachments = (d.attachments || []).filter((a) => !a.content_type || a.content_type.startsWith("image/"));
    const img = $("#scan");
    let shown = null;
    function showAttachment(a) {
      shown = a;
      img.src = a.url || ("/api/v1/staff/dossiers/" + encodeURIComponent(id) + "/attachments/" + encodeURIComponent(a.id));
      $("#scan-box").hidden = true;
    }
    $("#attachments-nav").replaceChildren(...attachments.map((a, i) => {
      const b = el("button", { type: "button", className: "secondary" }, a.name || a.kind || "Ảnh " + (i + 1));
      b.addEventListener("click", () => showAttachment(a));
      return b;
    }));
    if (attachments.length) showAttachment(attachments[0]); else { $("#scan-wrap").hidden = true; $("#no-scan").hidden = false; }

    // A field's box is in the pixels of the scan it came from; it is drawn
    // scaled to the image as displayed.
    function highlight(f) {
      const box = $("#scan-box");
      const b = f.box;
      if (!b || b.length !== 4 || (b[2] === 0 && b[3] === 0) || !img.naturalWidth) { box.hidden = true; return; }
      if (f.attachment_id && shown && shown.id !== f.attachment_id) {
        const a = attachments.find((x) => x.id === f.attachment_id);
        if (a) { showAttachment(a); img.addEventListener("load", () => highlight(f), { once: true }); return; }
      }
      const k = img.clientWidth / img.naturalWidth;
      Object.assign(box.style, { left: b[0] * k + "px", top: b[1] * k + "px", width: b[2] * k + "px", height: b[3] * k + "px" });
      box.hidden = false;
    }
    const fields = Array.isArray(d.fields) ? d.fields : Object.entries(d.fields || {}).map(([name, f]) => Object.assign({ name }, f));
    $("#fields").replaceChildren(...fields.map((f) => {
      const low = typeof f.confidence === "number" && f.confidence < LOW;
      const conf = typeof f.confidence === "number" ? Math.round(f.confidence * 100) + "%" : "";
      const tr = el("tr", { className: "field", tabIndex: 0 },
        el("th", { scope: "row" }, f.label || f.name),
        el("td", { className: low ? "conf-low" : "" }, f.value),
        el("td", {}, el("span", { className: "prov" }, provenance[f.provenance] || f.provenance || "")),
        el("td", { className: low ? "conf-low" : "" }, conf + (low ? " — cần kiểm tra" : "")));
      tr.dataset.field = f.name;
      const select = () => {
        document.querySelectorAll("tr.field.selected").forEach((x) => x.classList.remove("selected"));
        tr.classList.add("selected");
        highlight(f);
      };
      tr.addEventListener("click", select);
      tr.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); select(); } });
      return tr;
    }));
    document.querySelectorAll("[data-to]").forEach((b) => b.addEventListener("click", async () => {
      const to = b.dataset.to;
      const reason = $("#reason").value.trim();
      if (to !== "approved" && !reason) { fail(new Error("Xin ghi lý do hoặc lời nhắn cho người dân.")); return; }
      try {
        // A submitted dossier is taken into review first.
        if (d.status === "submitted") { await api("POST", "/api/v1/staff/dossiers/" + encodeURIComponent(id) + "/transition", { to: "in_review" }); d.status = "in_review"; }
        const r = await api("POST", "/api/v1/staff/dossiers/" + encodeURIComponent(id) + "/transition", { to, reason });
        d.status = (r && r.status) || to;
        $("#d-status").textContent = dossierStatus[d.status] || d.status;
        $("#act-result").textContent = "Đã cập nhật: " + (dossierStatus[d.status] || d.status);
        $("#page-error").textContent = "";
      } catch (e) { fail(e); }
    }));
  }

  // ---------- duty feed ----------
  const reportStatus = { received: "Mới nhận", acknowledged: "Đã tiếp nhận", verifying: "Đang xác minh", dispatched: "Đã điều lực lượng", resolved: "Đã giải quyết", unfounded: "Không có cơ sở", transferred: "Đã chuyển" };
  const category = {};
  const emergencyCats = new Set(["fire"]);
  const nextActions = { received: [["acknowledged", "Tiếp nhận"]], acknowledged: [["verifying", "Xác minh"]], verifying: [["dispatched", "Điều lực lượng"], ["unfounded", "Không có cơ sở"]], dispatched: [["resolved", "Đã giải quyết"]] };
  async function duty() {
    const reports = new Map();
    const isEmergency = (r) => r.urgency === "critical" || r.injury || emergencyCats.has(r.category);
    try {
      const c = await api("GET", "/api/v1/reports/categories");
      (c.categories || []).forEach((x) => { category[x.code] = x.name; });
    } catch (e) { /* the codes' short names above still read */ }
    const render = () => {
      const list = Array.from(reports.values()).filter((r) => !["resolved", "unfounded", "transferred"].includes(r.status));
      list.sort((a, b) => (isEmergency(b) - isEmergency(a)) || (new Date(a.created_at) - new Date(b.created_at)));
      $("#feed").replaceChildren(...list.map(card));
      $("#feed-empty").hidden = list.length > 0;
    };
    const card = (r) => {
      const overdue = r.overdue || (r.due_at && new Date(r.due_at) < new Date());
      const div = el("article", { className: "feed-item" + (isEmergency(r) ? " emergency-cat" : "") + (overdue ? " overdue" : "") },
        el("h2", {}, (isEmergency(r) ? "KHẨN CẤP · " : "") + (category[r.category] || r.category) + " · " + (r.code || r.id)),
        el("p", {}, r.description || ""),
        el("p", {}, el("span", { className: "badge" + (r.status === "received" ? " red" : "") }, reportStatus[r.status] || r.status),
          " ", overdue ? el("span", { className: "badge red" }, "QUÁ HẠN") : "",
          " Nhận lúc " + when(r.created_at), r.address ? " · " + r.address : ""));
      div.dataset.report = r.id;
      const actions = el("div", { className: "actions" });
      (nextActions[r.status] || []).forEach(([to, label]) => {
        const b = el("button", { type: "button" }, label);
        b.dataset.to = to;
        b.addEventListener("click", async () => {
          try {
            const u = await api("POST", "/api/v1/duty/reports/" + encodeURIComponent(r.id) + "/transitions", { to });
            reports.set(r.id, Object.assign({}, r, (u && u.report) || u || {}, { status: (u && u.status) || to }));
            render();
          } catch (e) { fail(e); }
        });
        actions.append(b);
      });
      div.append(actions);
      return div;
    };
    const load = async () => {
      const r = await api("GET", "/api/v1/duty/reports?open=true");
      reports.clear();
      (r.reports || []).forEach((x) => reports.set(x.id, x));
      render();
    };
    try { await load(); } catch (e) { fail(e); return; }
    // The feed says which report changed; the console fetches it, so the
    // feed itself carries no personal data.
    const es = new EventSource("/api/v1/duty/feed");
    es.addEventListener("open", () => { $("#live").textContent = "● Trực tuyến"; });
    es.addEventListener("error", () => { $("#live").textContent = "○ Đang kết nối lại…"; });
    es.addEventListener("resync", () => { load().catch(fail); });
    es.addEventListener("report", async (ev) => {
      let x;
      try { x = JSON.parse(ev.data); } catch (e) { return; }
      if (!x.report_id) return;
      try {
        const r = await api("GET", "/api/v1/duty/reports/" + encodeURIComponent(x.report_id));
        reports.set(r.id, r);
      } catch (e) {
        reports.delete(x.report_id); // transferred away from this officer's wards
      }
      render();
    });
    setInterval(render, 30000); // overdue marks move with the clock
  }

  // ---------- fleet ----------
  const serviceName = {
    procedures: "Thủ tục hành chính", tracking: "Tra cứu hồ sơ", bills: "Thanh toán hóa đơn", reports: "Phản ánh an ninh trật tự", health: "Dịch vụ y tế",
    partners: "Ngân hàng, viễn thông, chữ ký số", tourism: "Thông tin du lịch",
    "finance.bank-account": "Mở tài khoản ngân hàng", "finance.consumer-loan": "Vay tiêu dùng",
    "telecom.subscriber-identify": "Định danh thuê bao (SIM chính chủ)", "signature.personal-certificate": "Chữ ký số cá nhân",
  };
  const peripheralName = {
    document_scanner: "Máy quét giấy tờ", camera: "Camera", receipt_printer: "Máy in biên nhận", card_reader: "Đầu đọc thẻ",
    barcode_reader: "Đầu đọc mã vạch", nfc_reader: "Đầu đọc NFC", blood_pressure_monitor: "Máy đo huyết áp", scale: "Cân",
    thermometer: "Nhiệt kế", pulse_oximeter: "Máy đo SpO2", ups: "Bộ lưu điện",
  };
  const deviceState = { online: "hoạt động", offline: "mất kết nối", powerOff: "tắt nguồn", noDevice: "không có", hardwareError: "lỗi phần cứng", userError: "lỗi thao tác", deviceBusy: "đang bận" };
  const paperState = { full: "đầy", low: "sắp hết", out: "hết", jammed: "kẹt" };
  const okStates = new Set(["online"]);
  async function fleet() {
    try {
      const r = await api("GET", "/api/v1/stations");
      $("#stations").replaceChildren(...(r.stations || []).map((s) => el("tr", {},
        el("td", {}, s.name, el("br"), el("small", {}, s.address || "")),
        el("td", {}, s.ward_code || ""),
        el("td", {}, el("span", { className: "badge " + (s.online ? "green" : "red") }, s.online ? "Trực tuyến" : "Mất kết nối")),
        el("td", {}, ...(s.peripherals || []).map((p) => {
          const bad = !okStates.has(p.status) || p.paper === "out" || p.paper === "jammed";
          const warn = p.paper === "low";
          const label = (peripheralName[p.class] || p.class || p.id) + ": " + (deviceState[p.status] || p.status) + (p.paper ? " · giấy " + (paperState[p.paper] || p.paper) : "");
          return el("span", { className: "badge " + (bad ? "red" : warn ? "amber" : "green") }, label);
        })),
        el("td", {}, when(s.last_seen_at)))));
      const u = await api("GET", "/api/v1/stats/usage");
      $("#use-service").replaceChildren(...(u.by_service || []).map((c) => el("tr", {}, el("td", {}, serviceName[c.key] || c.key), el("td", {}, c.count))));
      const counts = Array.from({ length: 24 }, () => 0);
      (u.by_hour || []).forEach((c) => { const h = parseInt(c.key, 10); if (h >= 0 && h < 24) counts[h] = c.count; });
      const max = Math.max(1, ...counts);
      $("#use-hour").replaceChildren(...counts.map((c, h) => { const b = el("span", { title: h + " giờ: " + c + " lượt" }); b.style.height = (c / max) * 100 + "%"; return b; }));
      $("#use-hour-text").textContent = counts.map((c, h) => (c ? h + " giờ: " + c + " lượt" : "")).filter(Boolean).join(" · ");
      $("#use-summary").textContent = `${u.sessions} lượt sử dụng, thời gian trung vị ${Math.round(u.median_session_seconds || 0)} giây.` +
        ((u.abandoned_at || []).length ? " Bỏ dở nhiều nhất ở bước: " + u.abandoned_at.map((c) => c.key + " (" + c.count + ")").join(", ") + "." : "");
    } catch (e) { fail(e); }
  }

  header();
  ({ login, queue, review, duty, fleet })[page]();
})();
