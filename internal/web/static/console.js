// The duty and fleet consoles: each page is rendered on the server and this
// script fills it from the staff JSON APIs with the signed-in user's cookie.
// A 401 sends the user to the login page. (The review console, the sign-in
// page and the header need no script.)
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
    if (method !== "GET") opts.headers["X-CSRF-Token"] = (await whoAmI()).csrf_token || "";
    if (payload !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(payload); }
    const res = await fetch(path, opts);
    if (res.status === 401) {
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

  ({ duty, fleet })[page]();
})();
