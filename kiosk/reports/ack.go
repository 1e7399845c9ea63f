package reports

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/paper"
	"github.com/citizenstation/citizenstation/internal/signing"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Signer signs the papers handed out (package signing's Service).
type Signer interface {
	Sign(ctx context.Context, doc signing.Document, render signing.Render) ([]byte, error)
}

// Papers is what printing a report's acknowledgement takes: the fonts,
// and the signer when documents are signed.
type Papers struct {
	Fonts  *paper.Fonts
	Signer Signer
}

// acked is what the acknowledgement shows: what Track tells, where the
// report went and when it is to be answered. Nothing the reporter wrote.
type acked struct {
	ID, Code, Category, Ward string
	Status                   Status
	CreatedAt, AcknowledgeBy time.Time
}

// Acknowledgement renders the acknowledgement of the report with code as
// a PDF, signed with the certificate of the ward handling it or the
// service's. Like Track, it needs only the code and shows nothing personal.
func (s *Service) Acknowledgement(ctx context.Context, from, code string) ([]byte, error) {
	if s.papers.Fonts == nil {
		return nil, apperr.New(apperr.Unavailable, "papers_unavailable", "Trạm chưa in được giấy xác nhận. Xin ghi lại mã phản ánh.")
	}
	code, err := s.allowLookup(ctx, from, code)
	if err != nil {
		return nil, err
	}
	var r acked
	err = s.pool.QueryRow(ctx, `SELECT id::text, code, category, coalesce(ward_code, ''), status, created_at, acknowledge_due
		FROM reports WHERE code = $1`, code).Scan(&r.ID, &r.Code, &r.Category, &r.Ward, &r.Status, &r.CreatedAt, &r.AcknowledgeBy)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errReportNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("report acknowledgement: %w", err)
	}
	doc := signing.Document{Kind: signing.KindReportAck, Title: "Giấy xác nhận tiếp nhận phản ánh", SubjectKind: "report",
		SubjectID: r.ID, Ward: r.Ward, Reason: "Xác nhận tiếp nhận phản ánh " + r.Code}
	render := func(link string) ([]byte, error) { return s.renderAck(&r, link) }
	if s.papers.Signer == nil {
		return render("")
	}
	return s.papers.Signer.Sign(ctx, doc, render)
}

func (s *Service) renderAck(r *acked, link string) ([]byte, error) {
	p := s.papers.Fonts.New("Xác nhận tiếp nhận phản ánh "+r.Code, "TRẠM CÔNG DÂN SỐ — CÔNG AN THÀNH PHỐ HỒ CHÍ MINH",
		"GIẤY XÁC NHẬN TIẾP NHẬN PHẢN ÁNH")
	if err := p.Code("Mã phản ánh (dùng để tra cứu):", r.Code, r.Code); err != nil {
		return nil, err
	}
	category := r.Category
	if c, ok := s.rules.Category(r.Category); ok {
		category = c.Name
	}
	to := "Công an phường nơi xảy ra sự việc và Trung tâm Chỉ huy Công an Thành phố"
	if r.Ward != "" {
		to = "Công an phường (mã " + r.Ward + ") và Trung tâm Chỉ huy Công an Thành phố"
	}
	at := func(t time.Time) string { return vietnamese.Moment(t) }
	p.Row("Loại phản ánh:", category)
	p.Row("Tiếp nhận lúc:", at(r.CreatedAt))
	p.Row("Chuyển tới:", to)
	p.Row("Hạn xác nhận xử lý:", at(r.AcknowledgeBy))
	p.Row("Tình trạng:", r.Status.Label())
	p.Ln(3)
	p.Text(10, false, "Tra cứu tình trạng xử lý tại trạm công dân số bằng mã phản ánh. Nếu có nguy hiểm ngay lúc này, "+
		"xin gọi 113 (công an), 114 (cứu hỏa, cứu nạn) hoặc 115 (cấp cứu).")
	if err := p.Verify(link, "Giấy xác nhận này"); err != nil {
		return nil, err
	}
	return p.Bytes()
}
