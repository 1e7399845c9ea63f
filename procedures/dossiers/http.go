package dossiers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/staff"
	"github.com/citizenstation/citizenstation/internal/web"
)

// SecretHeader carries the dossier secret handed out at creation. Residents
// at a kiosk have no account: whoever created the dossier holds its secret
// and only they may attach files, submit it and print its receipt.
const SecretHeader = "X-Dossier-Secret"

// Handler serves the dossiers' API and the review console; Staff signs
// staff in and guards their routes.
type Handler struct {
	Service *Service
	Staff   *staff.Service
	// Help is the box of residents calling for a person, shown on the
	// review console's pages (kiosk/help); nil: none.
	Help web.Aside
}

func (h *Handler) RegisterRoutes(r *gin.RouterGroup) {
	small := httpserver.LimitBody(256 << 10)
	r.POST("/api/v1/dossiers", small, h.create)
	r.POST("/api/v1/dossiers/:id/attachments", canonicalID, httpserver.LimitBody(h.Service.cfg.MaxAttachment+1<<20), h.attach)
	r.PATCH("/api/v1/dossiers/:id/fields", canonicalID, small, h.updateFields)
	r.POST("/api/v1/dossiers/:id/submit", canonicalID, small, h.submit)
	// A resident's proof never travels in an address: the secret in its
	// header, the four digits in a POST's body, a pass in a paper's link.
	tiny, noProof := httpserver.LimitBody(4<<10), httpserver.NoProofInAddress
	r.GET("/api/v1/dossiers/:id/receipt.pdf", canonicalID, noProof, h.receipt)
	r.POST("/api/v1/dossiers/:id/receipt.pdf", canonicalID, tiny, noProof, h.receipt)
	r.GET("/api/v1/dossiers/:id/decision.pdf", canonicalID, noProof, h.decision)
	r.POST("/api/v1/dossiers/:id/decision.pdf", canonicalID, tiny, noProof, h.decision)
	r.GET("/api/v1/track/:code", httpserver.LookupByPost)
	r.POST("/api/v1/track/:code", tiny, noProof, h.track)
	r.GET("/api/v1/track/:code/slip.pdf", noProof, h.trackingSlip)
	r.GET("/api/v1/track/:code/decision.pdf", noProof, h.decisionByCode)

	// Ward staff work dossiers, admins may step in, and the command
	// centre may look at every ward's but not change them.
	read := r.Group("/api/v1/staff/dossiers", h.Staff.Require(staff.RoleWardStaff, staff.RoleAdmin, staff.RoleCommandCentre))
	read.GET("", h.list)
	read.GET("/:id", canonicalID, h.get)
	read.GET("/:id/attachments/:attachment", canonicalID, h.attachment)
	write := r.Group("/api/v1/staff/dossiers", small, h.Staff.Require(staff.RoleWardStaff, staff.RoleAdmin))
	write.PUT("/:id/fields/:name", canonicalID, h.editField)
	write.PATCH("/:id/fields/:name", canonicalID, h.editField)
	write.POST("/:id/transition", canonicalID, h.transition)

	// The review console's pages and its one form.
	r.GET("/staff", h.Staff.RequirePage(staff.PageRoles("/staff")...), h.queuePage)
	r.GET("/staff/dossiers/:id", canonicalID, h.Staff.RequirePage(staff.PageRoles("/staff")...), h.reviewPage)
	r.POST("/staff/dossiers/:id/decision", canonicalID, small, h.Staff.RequirePage(staff.RoleWardStaff, staff.RoleAdmin), h.decide)
}

func (h *Handler) create(c *gin.Context) {
	var nd NewDossier
	if !httpserver.BindJSON(c, &nd) {
		return
	}
	created, err := h.Service.Create(c, staff.ClientOf(c), nd)
	httpserver.Reply(c, http.StatusCreated, created, err)
}

func (h *Handler) attach(c *gin.Context) {
	fh, err := c.FormFile("file")
	if err != nil {
		httpserver.Error(c, apperr.Wrap(err, apperr.Invalid, "file_required", "Xin gửi kèm tệp ảnh chụp hoặc PDF (trường «file»)."))
		return
	}
	if err := httpserver.FormText(c.Request.MultipartForm); err != nil {
		httpserver.Error(c, err)
		return
	}
	in := AttachmentInput{Filename: fh.Filename}
	if doc := c.PostForm("document"); doc != "" {
		n, err := strconv.Atoi(doc)
		if err != nil {
			httpserver.Error(c, apperr.New(apperr.Invalid, "document_invalid", "Giấy tờ này không có trong danh sách của thủ tục."))
			return
		}
		in.Document = &n
	}
	f, err := fh.Open()
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	defer f.Close()
	in.Content = f
	a, err := h.Service.Attach(c, staff.ClientOf(c), c.Param("id"), c.GetHeader(SecretHeader), in)
	httpserver.Reply(c, http.StatusCreated, a, err)
}

func (h *Handler) updateFields(c *gin.Context) {
	var req struct {
		Fields map[string]FieldInput `json:"fields"`
	}
	if !httpserver.BindJSON(c, &req) {
		return
	}
	res, err := h.Service.UpdateFields(c, staff.ClientOf(c), c.Param("id"), c.GetHeader(SecretHeader), req.Fields)
	httpserver.Reply(c, http.StatusOK, res, err)
}

func (h *Handler) submit(c *gin.Context) {
	res, err := h.Service.Submit(c, staff.ClientOf(c), c.Param("id"), c.GetHeader(SecretHeader))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	status := http.StatusOK
	if res.PaymentRequired {
		status = http.StatusAccepted
	}
	c.JSON(status, res)
}

func (h *Handler) receipt(c *gin.Context) {
	u, proof := h.owner(c)
	pdf, err := h.Service.Receipt(c, staff.ClientOf(c), c.Param("id"), u, proof)
	httpserver.ReplyPDF(c, "bien-nhan-ho-so.pdf", pdf, err)
}

func (h *Handler) decision(c *gin.Context) {
	u, proof := h.owner(c)
	pdf, err := h.Service.Decision(c, staff.ClientOf(c), c.Param("id"), u, proof)
	httpserver.ReplyPDF(c, "quyet-dinh-ho-so.pdf", pdf, err)
}

func (h *Handler) decisionByCode(c *gin.Context) {
	pdf, err := h.Service.DecisionByCode(c, staff.ClientOf(c), c.Param("code"), codeProof(c))
	httpserver.ReplyPDF(c, "quyet-dinh-ho-so.pdf", pdf, err)
}

func (h *Handler) trackingSlip(c *gin.Context) {
	pdf, err := h.Service.TrackingSlip(c, staff.ClientOf(c), c.Param("code"), codeProof(c))
	httpserver.ReplyPDF(c, "phieu-theo-doi-ho-so.pdf", pdf, err)
}

// codeProof is the pass a look-up handed out (?pass=).
func codeProof(c *gin.Context) CodeProof {
	return CodeProof{Pass: c.Query("pass")}
}

// owner is who asks for a dossier's paper: signed-in staff, or a resident
// with the dossier's secret (in its header) or the last four digits (in a
// POST's body); never from the address.
func (h *Handler) owner(c *gin.Context) (*staff.User, Proof) {
	var u *staff.User
	if token, err := c.Cookie(staff.CookieName); err == nil {
		if sess, err := h.Staff.Authenticate(c, token); err == nil {
			u = sess.User
		}
	}
	return u, Proof{Secret: c.GetHeader(SecretHeader), Last4: httpserver.ProofValue(c, "last4")}
}

func (h *Handler) track(c *gin.Context) {
	t, err := h.Service.Track(c, staff.ClientOf(c), c.Param("code"), httpserver.ProofValue(c, "last4"))
	httpserver.ReplyNoStore(c, http.StatusOK, t, err)
}

func (h *Handler) list(c *gin.Context) {
	f := QueueFilter{Procedure: c.Query("procedure"), After: c.Query("after")}
	for _, v := range c.QueryArray("status") {
		for _, st := range strings.Split(v, ",") {
			if st = strings.TrimSpace(st); st != "" {
				f.Statuses = append(f.Statuses, Status(st))
			}
		}
	}
	var err error
	if f.OlderThan, err = parseAge(c.Query("older_than"), "older_than"); err != nil {
		httpserver.Error(c, err)
		return
	}
	if f.NewerThan, err = parseAge(c.Query("newer_than"), "newer_than"); err != nil {
		httpserver.Error(c, err)
		return
	}
	if l := c.Query("limit"); l != "" {
		if f.Limit, err = strconv.Atoi(l); err != nil || f.Limit < 1 {
			httpserver.Error(c, apperr.New(apperr.Invalid, "limit_invalid", "Số hồ sơ mỗi trang phải là số dương."))
			return
		}
	}
	u, _ := staff.UserFrom(c)
	page, err := h.Service.Queue(c, u, staff.ActorFrom(c), f)
	httpserver.ReplyNoStore(c, http.StatusOK, page, err)
}

// parseAge reads a duration such as 36h or 3d.
func parseAge(s, param string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return d, nil
	}
	return 0, apperr.New(apperr.Invalid, "age_invalid", fmt.Sprintf("Tham số %s phải là khoảng thời gian như 36h hoặc 3d.", param))
}

func (h *Handler) get(c *gin.Context) {
	u, _ := staff.UserFrom(c)
	d, err := h.Service.Get(c, u, staff.ActorFrom(c), c.Param("id"))
	httpserver.ReplyNoStore(c, http.StatusOK, d, err)
}

func (h *Handler) attachment(c *gin.Context) {
	u, _ := staff.UserFrom(c)
	path, contentType, err := h.Service.AttachmentFile(c, u, staff.ActorFrom(c), c.Param("id"), c.Param("attachment"))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Type", contentType)
	c.Header("X-Content-Type-Options", "nosniff")
	// A PDF from a kiosk is shown, never allowed to run scripts.
	c.Header("Content-Security-Policy", "sandbox")
	c.File(path)
}

type editRequest struct {
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

func (h *Handler) editField(c *gin.Context) {
	var req editRequest
	if !httpserver.BindJSON(c, &req) {
		return
	}
	u, _ := staff.UserFrom(c)
	f, err := h.Service.EditField(c, u, staff.ActorFrom(c), c.Param("id"), c.Param("name"), req.Value, req.Reason)
	httpserver.Reply(c, http.StatusOK, f, err)
}

func (h *Handler) transition(c *gin.Context) {
	var req TransitionRequest
	if !httpserver.BindJSON(c, &req) {
		return
	}
	u, _ := staff.UserFrom(c)
	d, err := h.Service.Transition(c, u, staff.ActorFrom(c), c.Param("id"), req)
	httpserver.Reply(c, http.StatusOK, d, err)
}

// canonicalID writes a request's dossier id in its one spelling, the
// lower-case UUID, before any handler reads it: ids are compared, sealed
// into the fields' encryption and logged in that form, so an upper-case id
// must not make values no one can open. Anything else is no dossier.
func canonicalID(c *gin.Context) {
	for i, p := range c.Params {
		if p.Key != "id" {
			continue
		}
		id, err := uuid.Parse(p.Value)
		if err != nil || len(p.Value) != 36 {
			httpserver.Error(c, errNotFound)
			return
		}
		c.Params[i].Value = id.String()
	}
	c.Next()
}
