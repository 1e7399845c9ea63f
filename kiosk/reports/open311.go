package reports

import (
	"context"
	"errors"
	"math"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2), JSON only,
// so that existing civic-reporting clients can submit and read reports.
// Security reports are not public: the read side shows each request's
// category, status, times, the ward that handles it and a position rounded
// to about 100 m, never the description, address, contact or media.

// Open311Service is one entry of services.json.
type Open311Service struct {
	ServiceCode string `json:"service_code"`
	ServiceName string `json:"service_name"`
	Description string `json:"description"`
	Metadata    bool   `json:"metadata"`
	Type        string `json:"type"`
	Keywords    string `json:"keywords"`
	Group       string `json:"group"`
}

// Open311Request is a service request as GeoReport v2 names its fields.
type Open311Request struct {
	ServiceRequestID  string   `json:"service_request_id"`
	Status            string   `json:"status"` // open or closed
	StatusNotes       string   `json:"status_notes"`
	ServiceName       string   `json:"service_name"`
	ServiceCode       string   `json:"service_code"`
	Description       string   `json:"description"`
	AgencyResponsible string   `json:"agency_responsible"`
	ServiceNotice     string   `json:"service_notice"`
	RequestedDatetime string   `json:"requested_datetime"`
	UpdatedDatetime   string   `json:"updated_datetime"`
	ExpectedDatetime  string   `json:"expected_datetime"`
	Address           string   `json:"address"`
	AddressID         string   `json:"address_id"`
	Zipcode           string   `json:"zipcode"`
	Lat               *float64 `json:"lat"`
	Long              *float64 `json:"long"`
	MediaURL          string   `json:"media_url"`
}

// Open311Created is the answer to a new request.
type Open311Created struct {
	ServiceRequestID string  `json:"service_request_id"`
	ServiceNotice    string  `json:"service_notice"`
	AccountID        *string `json:"account_id"`
}

// Open311Error is one error in the spec's error list.
type Open311Error struct {
	Code        int    `json:"code"`
	Description string `json:"description"`
}

func (h *Handler) registerOpen311(r *gin.RouterGroup) {
	g := r.Group("/open311/v2")
	g.GET("/services.json", h.o311Services)
	g.GET("/services/:code", h.o311Service)
	g.POST("/requests.json", httpserver.LimitBody(1<<20), h.o311Create)
	g.GET("/requests.json", h.o311List)
	g.GET("/requests/:id", h.o311Get)
}

// o311Fail answers in the spec's error shape: a list of {code, description}.
func o311Fail(c *gin.Context, err error) {
	e := apperr.From(err)
	status := httpserver.Status(e)
	if status >= 500 {
		httpserver.LoggerFrom(c).Error("open311 request failed", "cause", e.Error())
	}
	if e.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds()+0.999)))
	}
	c.AbortWithStatusJSON(status, []Open311Error{{Code: status, Description: e.Message}})
}

// jsonOnly strips the .json suffix; other formats (XML) are not served.
func jsonOnly(name string) (string, error) {
	base, ok := strings.CutSuffix(name, ".json")
	if !ok {
		return "", apperr.New(apperr.NotFound, "format_not_supported", "Chỉ hỗ trợ định dạng JSON (.json).")
	}
	return base, nil
}

func (h *Handler) o311Services(c *gin.Context) {
	out := []Open311Service{}
	for _, cat := range h.Service.rules.Categories {
		out = append(out, open311Service(cat))
	}
	c.JSON(http.StatusOK, out)
}

func open311Service(cat Category) Open311Service {
	return Open311Service{
		ServiceCode: cat.Code, ServiceName: cat.Name, Description: cat.Description,
		Metadata: false, Type: "realtime", Keywords: strings.Join(cat.Keywords, ","), Group: "an ninh trật tự",
	}
}

func (h *Handler) o311Service(c *gin.Context) {
	code, err := jsonOnly(c.Param("code"))
	if err != nil {
		o311Fail(c, err)
		return
	}
	cat, ok := h.Service.rules.Category(code)
	if !ok {
		o311Fail(c, apperr.New(apperr.NotFound, "service_not_found", "Không có loại phản ánh này."))
		return
	}
	c.JSON(http.StatusOK, gin.H{"service_code": cat.Code, "attributes": []any{}})
}

func (h *Handler) o311Create(c *gin.Context) {
	form := func(k string) string { return strings.TrimSpace(c.PostForm(k)) }
	form("") // parses the form
	if err := httpserver.FormText(&multipart.Form{Value: c.Request.PostForm}); err != nil {
		o311Fail(c, err)
		return
	}
	sub := Submission{
		Category:    form("service_code"),
		Description: form("description"),
		Address:     form("address_string"),
		DeviceID:    form("device_id"),
		ClientIP:    c.ClientIP(),
		Channel:     App,
		Contact:     form("phone"),
	}
	if sub.Contact == "" {
		sub.Contact = form("email")
	}
	if name := strings.TrimSpace(form("first_name") + " " + form("last_name")); name != "" && sub.Contact != "" {
		sub.Contact = name + " <" + sub.Contact + ">"
	}
	if sub.Category == "" {
		o311Fail(c, apperr.New(apperr.Invalid, "service_code_required", "Thiếu service_code."))
		return
	}
	if lat, lng := form("lat"), form("long"); lat != "" || lng != "" {
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(lng, 64)
		if err1 != nil || err2 != nil {
			o311Fail(c, apperr.New(apperr.Invalid, "bad_location", "lat và long phải là số (WGS84)."))
			return
		}
		sub.Lat, sub.Lng = &la, &lo
	}
	r, err := h.Service.Submit(c, sub)
	if err != nil {
		o311Fail(c, err)
		return
	}
	notice := "Phản ánh đã được tiếp nhận và chuyển tới công an phường và Trung tâm Chỉ huy."
	if r.Emergency != nil {
		notice = r.Emergency.Message
	}
	c.JSON(http.StatusCreated, []Open311Created{{ServiceRequestID: r.Code, ServiceNotice: notice}})
}

func (h *Handler) o311List(c *gin.Context) {
	q := open311Query{Limit: 1000}
	if ids := c.Query("service_request_id"); ids != "" {
		for _, id := range strings.Split(ids, ",") {
			if code := normalizeCode(id); code != "" {
				q.Codes = append(q.Codes, code)
			}
		}
		if len(q.Codes) == 0 {
			c.JSON(http.StatusOK, []Open311Request{})
			return
		}
	} else {
		q.End = time.Now()
		var err error
		for _, p := range []struct {
			name string
			t    *time.Time
		}{{"start_date", &q.Start}, {"end_date", &q.End}} {
			if v := c.Query(p.name); v != "" {
				if *p.t, err = time.Parse(time.RFC3339, v); err != nil {
					o311Fail(c, apperr.Errorf(apperr.Invalid, "bad_date", "%s phải theo ISO 8601, ví dụ 2026-11-24T08:00:00+07:00.", p.name))
					return
				}
			}
		}
		if q.Start.IsZero() {
			q.Start = q.End.AddDate(0, 0, -90)
		}
		if q.End.Sub(q.Start) > 90*24*time.Hour {
			o311Fail(c, apperr.New(apperr.Invalid, "date_range_too_long", "Khoảng thời gian tối đa là 90 ngày."))
			return
		}
		if v := c.Query("service_code"); v != "" {
			q.Services = strings.Split(v, ",")
		}
		for _, st := range strings.Split(c.Query("status"), ",") {
			switch strings.TrimSpace(st) {
			case "open":
				q.Open = true
			case "closed":
				q.Closed = true
			case "":
			default:
				o311Fail(c, apperr.New(apperr.Invalid, "bad_status", "status chỉ nhận open hoặc closed."))
				return
			}
		}
	}
	list, err := h.open311Requests(c, q)
	if err != nil {
		o311Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list)
}

func (h *Handler) o311Get(c *gin.Context) {
	id, err := jsonOnly(c.Param("id"))
	if err != nil {
		o311Fail(c, err)
		return
	}
	code := normalizeCode(id)
	list, err := h.open311Requests(c, open311Query{Codes: []string{code}, Limit: 1})
	if err == nil && len(list) == 0 {
		err = apperr.New(apperr.NotFound, "request_not_found", "Không tìm thấy phản ánh này.")
	}
	if err != nil {
		o311Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list)
}

type open311Query struct {
	Codes        []string
	Services     []string
	Start, End   time.Time
	Open, Closed bool
	Limit        int
}

// open311Requests reads requests in the public, redacted Open311 view.
func (h *Handler) open311Requests(ctx context.Context, q open311Query) ([]Open311Request, error) {
	where := []string{"r.spam_at IS NULL"}
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(args))))
	}
	if len(q.Codes) > 0 {
		add("r.code = ANY($?)", q.Codes)
	} else {
		add("r.created_at >= $?", q.Start)
		add("r.created_at <= $?", q.End)
		if len(q.Services) > 0 {
			add("r.category = ANY($?)", q.Services)
		}
		if q.Open != q.Closed {
			add("(r.closed_at IS NULL) = $?", q.Open)
		}
	}
	args = append(args, q.Limit)
	rows, err := h.Service.pool.Query(ctx, `
		SELECT r.code, r.status, r.category, coalesce(w.name, ''), r.created_at, r.updated_at, r.resolve_due,
			ST_Y(r.location::geometry), ST_X(r.location::geometry)
		FROM reports r LEFT JOIN wards w ON w.code = r.ward_code
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY r.created_at DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Open311Request{}
	for rows.Next() {
		var (
			code, category, ward string
			status               Status
			created, updated     time.Time
			due                  time.Time
			lat, lng             *float64
		)
		if err := rows.Scan(&code, &status, &category, &ward, &created, &updated, &due, &lat, &lng); err != nil {
			return nil, err
		}
		req := Open311Request{
			ServiceRequestID:  code,
			Status:            "open",
			StatusNotes:       status.Label(),
			ServiceCode:       category,
			AgencyResponsible: h.Service.rules.CommandCentre.Name,
			RequestedDatetime: created.In(vietnamese.Zone).Format(time.RFC3339),
			UpdatedDatetime:   updated.In(vietnamese.Zone).Format(time.RFC3339),
			ExpectedDatetime:  due.In(vietnamese.Zone).Format(time.RFC3339),
			Lat:               round3(lat),
			Long:              round3(lng),
		}
		if status.Closed() {
			req.Status = "closed"
		}
		if cat, ok := h.Service.rules.Category(category); ok {
			req.ServiceName = cat.Name
		}
		if ward != "" {
			req.AgencyResponsible = "Công an " + ward
		}
		out = append(out, req)
	}
	if err := rows.Err(); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	return out, nil
}

// round3 rounds a coordinate to three decimals, about 110 m.
func round3(v *float64) *float64 {
	if v == nil {
		return nil
	}
	r := math.Round(*v*1000) / 1000
	return &r
}
