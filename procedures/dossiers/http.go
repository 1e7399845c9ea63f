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
)

// SecretHeader carries the dossier secret handed out at creation. Residents
// at a kiosk have no account: whoever created the dossier holds its secret
// and only they may attach files, submit it and print its receipt.
const SecretHeader = "X-Dossier-Secret"

// Routes returns the HTTP routes of dossiers and the review console; auth
// guards the staff ones.
func (s *Service) Routes(auth *staff.Service) httpserver.Routes { return &handler{svc: s, auth: auth} }

type handler struct {
	svc  *Service
	auth *staff.Service
}

func (h *handler) RegisterRoutes(r *gin.RouterGroup) {
	small := httpserver.LimitBody(256 << 10)
	r.POST("/api/v1/dossiers", small, h.create)
	r.POST("/api/v1/dossiers/:id/attachments", canonicalID, httpserver.LimitBody(h.svc.cfg.MaxAttachment+1<<20), h.attach)
	r.PATCH("/api/v1/dossiers/:id/fields", canonicalID, small, h.updateFields)
	r.POST("/api/v1/dossiers/:id/submit", canonicalID, small, h.submit)
	r.GET("/api/v1/dossiers/:id/receipt.pdf", canonicalID, h.receipt)
	r.GET("/api/v1/track/:code", h.track)

	// Ward staff work dossiers, admins may step in, and the command
	// centre may look at every ward's but not change them.
	read := r.Group("/api/v1/staff/dossiers", h.auth.Require(staff.RoleWardStaff, staff.RoleAdmin, staff.RoleCommandCentre))
	read.GET("", h.list)
	read.GET("/:id", canonicalID, h.get)
	read.GET("/:id/attachments/:attachment", canonicalID, h.attachment)
	write := r.Group("/api/v1/staff/dossiers", small, h.auth.Require(staff.RoleWardStaff, staff.RoleAdmin))
	write.PUT("/:id/fields/:name", canonicalID, h.editField)
	write.PATCH("/:id/fields/:name", canonicalID, h.editField)
	write.POST("/:id/transition", canonicalID, h.transition)

	// The review console's pages and its one form.
	r.GET("/staff", h.auth.RequirePage(staff.RoleWardStaff, staff.RoleAdmin, staff.RoleCommandCentre), h.queuePage)
	r.GET("/staff/dossiers/:id", canonicalID, h.auth.RequirePage(staff.RoleWardStaff, staff.RoleAdmin, staff.RoleCommandCentre), h.reviewPage)
	r.POST("/staff/dossiers/:id/decision", canonicalID, small, h.auth.RequirePage(staff.RoleWardStaff, staff.RoleAdmin), h.decide)
}

func (h *handler) create(c *gin.Context) {
	var nd NewDossier
	if err := c.ShouldBindJSON(&nd); err != nil {
		httpserver.Error(c, apperr.Wrap(err, apperr.Invalid, "body_invalid", "Dữ liệu hồ sơ không đúng định dạng."))
		return
	}
	created, err := h.svc.Create(c, staff.ClientOf(c), nd)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, created)
}

func (h *handler) attach(c *gin.Context) {
	fh, err := c.FormFile("file")
	if err != nil {
		httpserver.Error(c, apperr.Wrap(err, apperr.Invalid, "file_required", "Xin gửi kèm tệp ảnh chụp hoặc PDF (trường «file»)."))
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
	a, err := h.svc.Attach(c, staff.ClientOf(c), c.Param("id"), c.GetHeader(SecretHeader), in)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, a)
}

func (h *handler) updateFields(c *gin.Context) {
	var req struct {
		Fields map[string]FieldInput `json:"fields"`
	}
	if err := c.ShouldBindJSON(&req); err != nil {
		httpserver.Error(c, apperr.Wrap(err, apperr.Invalid, "body_invalid", "Dữ liệu hồ sơ không đúng định dạng."))
		return
	}
	res, err := h.svc.UpdateFields(c, staff.ClientOf(c), c.Param("id"), c.GetHeader(SecretHeader), req.Fields)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (h *handler) submit(c *gin.Context) {
	res, err := h.svc.Submit(c, staff.ClientOf(c), c.Param("id"), c.GetHeader(SecretHeader))
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

func (h *handler) receipt(c *gin.Context) {
	var u *staff.User
	if token, err := c.Cookie(staff.CookieName); err == nil {
		if sess, err := h.auth.Authenticate(c, token); err == nil {
			u = sess.User
		}
	}
	proof := Proof{Secret: c.GetHeader(SecretHeader), Last4: c.Query("last4")}
	if proof.Secret == "" {
		proof.Secret = c.Query("secret")
	}
	pdf, err := h.svc.Receipt(c, staff.ClientOf(c), c.Param("id"), u, proof)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Disposition", `inline; filename="bien-nhan-ho-so.pdf"`)
	c.Data(http.StatusOK, "application/pdf", pdf)
}

func (h *handler) track(c *gin.Context) {
	t, err := h.svc.Track(c, staff.ClientOf(c), c.Param("code"), c.Query("last4"))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, t)
}

func (h *handler) list(c *gin.Context) {
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
	page, err := h.svc.Queue(c, u, staff.ActorFrom(c), f)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, page)
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

func (h *handler) get(c *gin.Context) {
	u, _ := staff.UserFrom(c)
	d, err := h.svc.Get(c, u, staff.ActorFrom(c), c.Param("id"))
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, d)
}

func (h *handler) attachment(c *gin.Context) {
	u, _ := staff.UserFrom(c)
	path, contentType, err := h.svc.AttachmentFile(c, u, staff.ActorFrom(c), c.Param("id"), c.Param("attachment"))
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

func (h *handler) editField(c *gin.Context) {
	var req editRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		httpserver.Error(c, apperr.Wrap(err, apperr.Invalid, "body_invalid", "Dữ liệu gửi lên không đúng định dạng."))
		return
	}
	u, _ := staff.UserFrom(c)
	f, err := h.svc.EditField(c, u, staff.ActorFrom(c), c.Param("id"), c.Param("name"), req.Value, req.Reason)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, f)
}

func (h *handler) transition(c *gin.Context) {
	var req TransitionRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		httpserver.Error(c, apperr.Wrap(err, apperr.Invalid, "body_invalid", "Dữ liệu gửi lên không đúng định dạng."))
		return
	}
	u, _ := staff.UserFrom(c)
	d, err := h.svc.Transition(c, u, staff.ActorFrom(c), c.Param("id"), req)
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
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
