package stats

import (
	"context"
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/httpserver"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
	"github.com/citizenstation/citizenstation/internal/web"
	"github.com/citizenstation/citizenstation/kiosk"
)

//go:embed templates/*.tmpl
var pageFiles embed.FS

var page = template.Must(web.ParseConsole(pageFiles, "templates/stats.tmpl"))

// Handler serves the statistics page of the fleet console and its CSV.
type Handler struct {
	Service *Service
	// Page guards both (staff.RequirePage with the roles that may see
	// every station's figures).
	Page gin.HandlerFunc
}

// RegisterRoutes adds the page and its export.
func (h *Handler) RegisterRoutes(r *gin.RouterGroup) {
	r.GET("/staff/stations/stats", h.Page, h.page)
	r.GET("/staff/stations/stats.csv", h.Page, h.csv)
}

const dateLayout = "2006-01-02"

// filterOf reads ?from=&to=&station=; the last seven days by default.
func filterOf(c *gin.Context) (Filter, error) {
	today := time.Now().In(vietnamese.Zone)
	f := Filter{From: today.AddDate(0, 0, -6), To: today, StationID: c.Query("station")}
	for _, p := range []struct {
		name string
		into *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := c.Query(p.name); v != "" {
			t, err := time.ParseInLocation(dateLayout, v, vietnamese.Zone)
			if err != nil {
				return f, apperr.New(apperr.Invalid, "stats_date_invalid", "Ngày phải theo dạng năm-tháng-ngày, ví dụ 2026-12-01.")
			}
			*p.into = t
		}
	}
	return f, nil
}

// pageData is what the page shows.
type pageData struct {
	Console  web.Console
	From, To string
	Station  string
	Stations []Station
	Report   *Report
	Error    string
	Charts   []template.HTML
	Tables   []string
	Query    string
}

func (h *Handler) page(c *gin.Context) {
	d := pageData{Console: web.ConsoleOf(c, "Thống kê nhu cầu sử dụng trạm"), Tables: Tables}
	var err error
	if d.Stations, err = h.Service.Stations(c); err != nil {
		httpserver.Error(c, err)
		return
	}
	f, err := filterOf(c)
	d.From, d.To, d.Station = f.From.Format(dateLayout), f.To.Format(dateLayout), f.StationID
	d.Query = url.Values{"from": {d.From}, "to": {d.To}, "station": {d.Station}}.Encode()
	if err == nil {
		d.Report, err = h.Service.Report(c, f)
	}
	if err != nil {
		if apperr.IsKind(err, apperr.Invalid) {
			d.Error = apperr.From(err).Message
			web.Render(c, page, http.StatusBadRequest, d)
			return
		}
		httpserver.Error(c, err)
		return
	}
	d.Charts = charts(d.Report)
	web.Render(c, page, http.StatusOK, d)
}

// charts are the page's figures, each an SVG.
func charts(r *Report) []template.HTML {
	var abandoned []Count
	for _, a := range r.Abandonment {
		abandoned = append(abandoned, Count{Key: r.ServiceName(a.Service) + " — " + kiosk.StepName(a.Step), Value: a.Visits})
	}
	var paid []Count
	for _, p := range r.Payments {
		paid = append(paid, Count{Key: p.Kind, Value: p.Count})
	}
	same := func(s string) string { return s }
	return []template.HTML{
		HeatMap("Lượt sử dụng theo thứ và giờ", r.Heat()),
		BarChart("Lượt sử dụng theo dịch vụ", r.By(ServiceOf, nil), r.ServiceName),
		BarChart("Lượt sử dụng theo nhóm người dân", r.By(GroupOf, kiosk.AgeBands), Label),
		BarChart("Có người giúp hay tự sử dụng", r.By(HelperOf, []string{"alone", "with_helper"}), Label),
		BarChart("Bỏ dở ở bước nào", abandoned, same),
		BarChart("Giao dịch thanh toán theo loại", paid, Label),
	}
}

func (h *Handler) csv(c *gin.Context) {
	f, err := filterOf(c)
	if err == nil && !slices.Contains(Tables, c.DefaultQuery("table", "visits")) {
		err = apperr.New(apperr.Invalid, "stats_table_invalid", "Bảng số liệu không có.")
	}
	var r *Report
	if err == nil {
		r, err = h.Service.Report(c, f)
	}
	if err != nil {
		httpserver.Error(c, err)
		return
	}
	table := c.DefaultQuery("table", "visits")
	name := "thong-ke-" + table + "-" + f.From.Format(dateLayout) + "-" + f.To.Format(dateLayout) + ".csv"
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	if err := WriteCSV(c.Writer, r, table); err != nil {
		httpserver.LoggerFrom(c).Error("stats csv", "err", err)
	}
}

// Station is a station in the page's choice, with the name of its ward
// ("" when no table names the code).
type Station struct{ ID, Name, WardCode, WardName string }

// Stations lists the stations, by name.
func (s *Service) Stations(ctx context.Context) ([]Station, error) {
	rows, err := s.pool.Query(ctx, `SELECT id::text, name, ward_code, coalesce(ward_name(ward_code), '')
		FROM stations ORDER BY name`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Station])
}
