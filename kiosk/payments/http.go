package payments

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/kiosk"
)

// Handler serves the payment API.
type Handler struct {
	Service *Service
	// Device authenticates the station asking (kiosk.Service.RequireDevice).
	Device gin.HandlerFunc
	// Admin guards the payments owed back (staff admins); nil: not served.
	Admin gin.HandlerFunc
}

// RegisterRoutes adds the payment routes. Orders are made and bills looked
// up by stations only; an order is then read by its unguessable id (the
// kiosk's <img> of the QR cannot send a token); the gateway's IPN and
// return carry their own signature.
func (h *Handler) RegisterRoutes(r *gin.RouterGroup) {
	r.GET("/api/v1/billers", h.billers)
	r.GET("/api/v1/bills", h.Device, h.bills)
	r.POST("/api/v1/payments", httpserver.LimitBody(16<<10), h.Device, h.create)
	r.GET("/api/v1/payments/:id", h.optionalDevice, h.get)
	r.GET("/api/v1/payments/:id/qr.png", h.qr)
	r.GET("/api/v1/payments/:id/receipt.pdf", h.Device, h.stationReceipt)
	r.GET("/api/v1/payments/lookup/:code", httpserver.LookupByPost)
	r.POST("/api/v1/payments/lookup/:code", httpserver.LimitBody(4<<10), httpserver.NoProofInAddress, h.optionalDevice, h.lookup)
	r.GET("/api/v1/payments/lookup/:code/receipt.pdf", httpserver.NoProofInAddress, h.optionalDevice, h.lookupReceipt)
	r.GET("/api/v1/payments/vnpay/ipn", h.ipn)
	r.GET("/api/v1/payments/vnpay/return", h.ret)
	if h.Admin != nil {
		g := r.Group("/api/v1/payment-refunds", httpserver.LimitBody(16<<10), h.Admin)
		g.GET("", h.refundsDue)
		g.POST("/:id", h.refund)
	}
}

// refundsDue lists the money taken for something already paid.
func (h *Handler) refundsDue(c *gin.Context) {
	list, err := h.Service.RefundsDue(c)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"payments": list})
}

// refund gives an order's money back: {"reason"}.
func (h *Handler) refund(c *gin.Context) {
	var req struct {
		Reason string `json:"reason"`
	}
	if !httpserver.BindJSON(c, &req) {
		return
	}
	p, err := h.Service.Refund(c, staff.ActorFrom(c), c.Param("id"), req.Reason)
	httpserver.Reply(c, http.StatusOK, p, err)
}

func (h *Handler) billers(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"billers": h.Service.Billers()})
}

func (h *Handler) bills(c *gin.Context) {
	bills, err := h.Service.Bills(c, c.Query("biller"), c.Query("customer_code"))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"bills": bills})
}

func (h *Handler) create(c *gin.Context) {
	var req Request
	if !httpserver.BindJSON(c, &req) {
		return
	}
	if d := kiosk.DeviceFrom(c); d != nil {
		req.StationID = d.StationID
	}
	req.IPAddr = c.ClientIP()
	p, created, err := h.Service.Create(c, c.GetHeader("Idempotency-Key"), req)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, p)
}

// optionalDevice authenticates a station that sends its token; a request
// without one goes on as anyone's.
func (h *Handler) optionalDevice(c *gin.Context) {
	if c.GetHeader("Authorization") == "" {
		c.Next()
		return
	}
	h.Device(c)
}

// get shows an order: whole to the station that made it, its public part
// to anyone else holding the link.
func (h *Handler) get(c *gin.Context) {
	p, err := h.Service.Get(c, c.Param("id"))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	if d := kiosk.DeviceFrom(c); d == nil || d.StationID != p.StationID {
		p = p.Public()
	}
	c.JSON(http.StatusOK, p)
}

func (h *Handler) qr(c *gin.Context) {
	size, _ := strconv.Atoi(c.DefaultQuery("size", "320"))
	if size < 128 || size > 1024 {
		size = 320
	}
	png, err := h.Service.QR(c, c.Param("id"), size)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "image/png", png)
}

// ipn answers the gateway in its protocol: HTTP 200 and a RspCode.
func (h *Handler) ipn(c *gin.Context) {
	c.JSON(http.StatusOK, h.Service.IPN(c, c.Request.URL.Query()))
}

var returnPage = template.Must(template.New("return").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Kết quả thanh toán</title>
<style>body{font:24px/1.5 sans-serif;max-width:36em;margin:2em auto;padding:0 1em}.ok{color:#0a6b2d}.no{color:#a61b1b}</style>
</head><body>
{{if not .Valid}}<h1 class="no">Không xác nhận được kết quả</h1><p>Thông tin trả về từ cổng thanh toán không hợp lệ.</p>
{{else if eq .Payment.State "paid"}}<h1 class="ok">Đã thanh toán</h1>
<p>{{.Payment.Description}}: <b>{{.Payment.Amount}} đồng</b></p>{{with .Payment.Receipt}}<p>Biên lai số <b>{{.Number}}</b></p>{{end}}
{{else if eq .Payment.State "refund_due"}}<h1>Khoản này đã được thanh toán trước đó</h1><p>Số tiền vừa trả sẽ được hoàn lại; cán bộ đã được báo.</p>
{{else if eq .Payment.State "superseded"}}<h1>Khoản này đã được thanh toán bằng một giao dịch trước</h1><p>Mã này không cần trả nữa.</p>
{{else if eq .Payment.State "pending"}}<h1>Đang chờ xác nhận</h1><p>Trạm sẽ báo ngay khi nhận được tiền. Vui lòng chờ.</p>
{{else}}<h1 class="no">Chưa thanh toán</h1><p>Giao dịch không thành công. Bạn có thể thử lại.</p>{{end}}
</body></html>`))

// ret shows the result to the payer's browser; it changes nothing (the IPN
// is what records a payment).
func (h *Handler) ret(c *gin.Context) {
	v, err := h.Service.Return(c, c.Request.URL.Query())
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	if c.NegotiateFormat(gin.MIMEHTML, gin.MIMEJSON) == gin.MIMEHTML {
		c.Header("Content-Type", "text/html; charset=utf-8")
		c.Status(http.StatusOK)
		returnPage.Execute(c.Writer, v)
		return
	}
	c.JSON(http.StatusOK, v)
}

// lookedUp is what a lookup by code answers: the payment's public part,
// its code, and where its receipt is printed from once paid.
type lookedUp struct {
	*Payment
	ReceiptPDF string `json:"receipt_pdf,omitempty"`
}

// lookup finds a payment by its code and four characters (POST
// {"last4"}), from a station or a resident's own browser.
func (h *Handler) lookup(c *gin.Context) {
	p, err := h.Service.Lookup(c, lookupClient(c), c.Param("code"), httpserver.ProofValue(c, "last4"))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	out := lookedUp{Payment: p.Public()}
	out.LookupCode = p.LookupCode
	if p.Receipt != nil {
		out.ReceiptPDF = ReceiptURL(p.LookupCode, h.Service.ReceiptPass(p.LookupCode))
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
}

// ReceiptURL is where the receipt of the payment with code is printed
// from, proved by the pass its lookup handed out (ReceiptPass): the four
// characters never travel in an address.
func ReceiptURL(code, pass string) string {
	return "/api/v1/payments/lookup/" + url.PathEscape(code) + "/receipt.pdf?" + url.Values{"pass": {pass}}.Encode()
}

// lookupReceipt is the signed receipt of a payment found by its code, with
// the pass of its lookup.
func (h *Handler) lookupReceipt(c *gin.Context) {
	p, err := h.Service.LookupByPass(c, lookupClient(c), c.Param("code"), c.Query("pass"))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	h.receipt(c, p)
}

// stationReceipt is the signed receipt of a payment the asking station
// took, for its paid screen.
func (h *Handler) stationReceipt(c *gin.Context) {
	p, err := h.Service.Get(c, c.Param("id"))
	if err == nil {
		if d := kiosk.DeviceFrom(c); d == nil || d.StationID != p.StationID {
			err = errPaymentNotFound
		}
	}
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	h.receipt(c, p)
}

func (h *Handler) receipt(c *gin.Context, p *Payment) {
	pdf, err := h.Service.ReceiptPDF(c, p)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Disposition", `inline; filename="bien-lai-thanh-toan.pdf"`)
	c.Data(http.StatusOK, "application/pdf", pdf)
}

// lookupClient is whom a lookup counts against: the station asking, or the
// client address.
func lookupClient(c *gin.Context) string {
	if d := kiosk.DeviceFrom(c); d != nil {
		return "station:" + d.StationID
	}
	return c.ClientIP()
}
