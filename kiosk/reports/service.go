package reports

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/ratelimit"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Service stores, routes and tracks reports. Tests call it directly; the
// HTTP handlers are thin shells around it.
type Service struct {
	pool     *pgxpool.Pool
	rules    *Rules
	stations Stations
	limits   MediaLimits
	papers   Papers

	perStation, perDevice, perPhone, perAddress *ratelimit.Limiter
	// lookups limits Track and Acknowledgement, whoever asks.
	lookups *ratelimit.Lookups
	// sealer seals the reporters' contacts at rest and keys the phone
	// limit's digest.
	sealer *seal.Sealer
	// slots admits a bounded number of submissions to the database at once.
	slots chan struct{}

	// notify inserts the departments' notification jobs (SetNotifier).
	notify Inserter

	// beforeCommit, when set, runs inside the transaction that stores a
	// report, after everything is written; tests use it to stop mid-request.
	beforeCommit func(ctx context.Context, tx pgx.Tx) error
}

// NewService returns a service; stations may be nil when no station
// directory is wired (kiosk reports then need a position or an address).
// cfg.Sealer must be set.
func NewService(pool *pgxpool.Pool, cfg Config, rules *Rules, stations Stations) *Service {
	if cfg.Sealer == nil {
		panic("reports: NewService without a sealer")
	}
	return &Service{
		sealer:     cfg.Sealer,
		pool:       pool,
		rules:      rules,
		stations:   stations,
		limits:     cfg.Limits(),
		papers:     cfg.Papers,
		perStation: ratelimit.New(pool, cfg.RatePerStation, cfg.RateWindow),
		perDevice:  ratelimit.New(pool, cfg.RatePerDevice, cfg.RateWindow),
		perPhone:   ratelimit.New(pool, cfg.RatePerPhone, cfg.RateWindow),
		perAddress: ratelimit.New(pool, cfg.RatePerAddress, cfg.RateWindow),
		slots:      make(chan struct{}, max(1, cfg.Concurrency)),
		lookups: cmp.Or(cfg.Lookups, ratelimit.NewLookups(pool, cfg.Sealer,
			ratelimit.DefaultLookupsPerCode, ratelimit.DefaultLookupsPerAddress)),
	}
}

// Rules returns the routing rules in force.
func (s *Service) Rules() *Rules { return s.rules }

// querier is what both a pool and a transaction offer.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

const maxDescription = 4000

// Submit checks a report, stores it with its media and routes it, all in one
// transaction, and tells the reporter whether to call an emergency number.
func (s *Service) Submit(ctx context.Context, sub Submission) (*Receipt, error) {
	cat, err := s.check(&sub)
	if err != nil {
		return nil, err
	}
	media, err := prepareMedia(ctx, sub.Files, s.limits)
	if err != nil {
		return nil, err
	}
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if err := s.rateLimit(ctx, sub); err != nil {
		return nil, err
	}
	a := s.rules.Assess(cat, sub.Injury, sub.InProgress)

	var receipt *Receipt
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		loc, err := s.locate(ctx, tx, sub, media)
		if err != nil {
			return err
		}
		receipt, err = s.store(ctx, tx, sub, cat, a, loc, media)
		if err != nil {
			return err
		}
		if s.beforeCommit != nil {
			return s.beforeCommit(ctx, tx)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return receipt, nil
}

// check validates and normalises a submission.
func (s *Service) check(sub *Submission) (*Category, error) {
	cat, ok := s.rules.Category(strings.TrimSpace(sub.Category))
	if !ok {
		return nil, apperr.New(apperr.Invalid, "unknown_category", "Xin chọn loại sự việc cần phản ánh.")
	}
	sub.Description = vietnamese.NFC(strings.TrimSpace(sub.Description))
	if sub.Description == "" && len(sub.Files) == 0 {
		return nil, apperr.New(apperr.Invalid, "description_required", "Xin mô tả ngắn sự việc, hoặc gửi kèm ảnh hay video.")
	}
	if utf8.RuneCountInString(sub.Description) > maxDescription {
		return nil, apperr.Errorf(apperr.Invalid, "description_too_long", "Phần mô tả dài quá %d ký tự.", maxDescription)
	}
	switch sub.Channel {
	case Kiosk, App, Web:
	case "":
		sub.Channel = Web
	default:
		return nil, apperr.New(apperr.Invalid, "unknown_channel", "Kênh gửi phản ánh phải là kiosk, app hoặc web.")
	}
	if sub.OccurredAt != nil && sub.OccurredAt.After(time.Now().Add(10*time.Minute)) {
		return nil, apperr.New(apperr.Invalid, "occurred_in_future", "Thời điểm xảy ra sự việc không thể ở tương lai.")
	}
	if (sub.Lat == nil) != (sub.Lng == nil) || (sub.Lat != nil && !validLatLng(*sub.Lat, *sub.Lng)) {
		return nil, apperr.New(apperr.Invalid, "bad_location", "Vị trí không hợp lệ: cần cả vĩ độ và kinh độ.")
	}
	sub.Address = vietnamese.NFC(strings.TrimSpace(sub.Address))
	sub.Contact = vietnamese.NFC(strings.TrimSpace(sub.Contact))
	sub.StationID = strings.TrimSpace(sub.StationID)
	sub.DeviceID = strings.TrimSpace(sub.DeviceID)
	if len(sub.Address) > 500 || len(sub.Contact) > 200 || len(sub.StationID) > 100 || len(sub.DeviceID) > 200 {
		return nil, apperr.New(apperr.Invalid, "field_too_long", "Địa chỉ, liên hệ hoặc mã thiết bị quá dài.")
	}
	if sub.Channel == Kiosk && sub.StationID == "" {
		return nil, apperr.New(apperr.Invalid, "station_required", "Phản ánh gửi từ trạm cần mã trạm (station_id).")
	}
	if sub.Lat == nil && sub.StationID == "" && sub.Address == "" && !sub.UsePhotoLocation {
		return nil, apperr.New(apperr.Invalid, "location_required", "Xin cho biết nơi xảy ra sự việc: vị trí trên bản đồ hoặc địa chỉ.")
	}
	return cat, nil
}

// rateLimit applies the per-station (or, for reports from no kiosk,
// per-address), per-device and per-phone limits. Keys carry a keyed digest
// under the data key (the subject sealed beside its count), never the phone
// number, address or device itself.
func (s *Service) rateLimit(ctx context.Context, sub Submission) error {
	if sub.StationID != "" {
		if err := s.perStation.Allow(ctx, "report:station:"+sub.StationID); err != nil {
			return err
		}
	} else if sub.ClientIP != "" {
		if err := s.perAddress.AllowSubject(ctx, s.sealer, "report:ip:", sub.ClientIP); err != nil {
			return err
		}
	}
	if sub.DeviceID != "" {
		if err := s.perDevice.AllowSubject(ctx, s.sealer, "report:device:", sub.DeviceID); err != nil {
			return err
		}
	}
	if phone := phoneDigits(sub.Contact); phone != "" {
		if err := s.perPhone.AllowSubject(ctx, s.sealer, "report:phone:", phone); err != nil {
			return err
		}
	}
	return nil
}

// contactContext binds a sealed contact to its report.
func contactContext(code string) string { return "report/" + code + "/contact" }

// phoneDigits returns a Vietnamese phone number in a contact, in the 0xxx
// form, or "" when the contact is not a phone number.
func phoneDigits(contact string) string {
	var b strings.Builder
	for _, r := range contact {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' || r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		default:
			return ""
		}
	}
	d := b.String()
	if strings.HasPrefix(d, "84") && len(d) == 11 {
		d = "0" + d[2:]
	}
	if len(d) < 9 || len(d) > 11 {
		return ""
	}
	return d
}

// location is where a report happened and how the ward was found.
type location struct {
	Lat, Lng   *float64
	Source     string // gps, exif, station, address, none
	Ward       string
	WardSource string // polygon, station, nearest, address, none
}

// locate works out where the report happened and which ward it belongs to:
// a given position (the ward whose polygon holds it, or the nearest ward), a
// kiosk's station, the position in a photo when the reporter allows it, or a
// ward named in the address.
func (s *Service) locate(ctx context.Context, q querier, sub Submission, media []storedMedia) (location, error) {
	loc := location{Source: "none", WardSource: "none"}
	switch {
	case sub.Lat != nil:
		loc.Lat, loc.Lng, loc.Source = sub.Lat, sub.Lng, "gps"
	case sub.StationID != "":
		if s.stations == nil {
			return loc, apperr.New(apperr.Invalid, "unknown_station", "Không tìm thấy trạm công dân số này.")
		}
		st, err := s.stations.Station(ctx, sub.StationID)
		if err != nil {
			if apperr.IsKind(err, apperr.NotFound) {
				return loc, apperr.Wrap(err, apperr.Invalid, "unknown_station", "Không tìm thấy trạm công dân số này.")
			}
			return loc, err
		}
		loc.Lat, loc.Lng, loc.Source = st.Lat, st.Lng, "station"
		if st.WardCode != "" {
			loc.Ward, loc.WardSource = st.WardCode, "station"
			return loc, nil
		}
	default:
		if sub.UsePhotoLocation {
			for _, m := range media {
				if m.Lat != nil {
					loc.Lat, loc.Lng, loc.Source = m.Lat, m.Lng, "exif"
					break
				}
			}
		}
		if loc.Lat == nil && sub.Address != "" {
			loc.Source = "address"
		}
	}
	if loc.Lat != nil {
		ward, src, err := locateWard(ctx, q, *loc.Lat, *loc.Lng)
		if err != nil {
			return loc, fmt.Errorf("locate ward: %w", err)
		}
		loc.Ward, loc.WardSource = ward, src
		return loc, nil
	}
	if sub.Address != "" {
		ward, err := wardFromAddress(ctx, q, sub.Address)
		if err != nil {
			return loc, fmt.Errorf("ward from address: %w", err)
		}
		if ward != "" {
			loc.Ward, loc.WardSource = ward, "address"
		}
	}
	if loc.Source == "none" {
		return loc, apperr.New(apperr.Invalid, "location_required", "Ảnh không có vị trí. Xin cho biết nơi xảy ra sự việc: vị trí trên bản đồ hoặc địa chỉ.")
	}
	return loc, nil
}

// store writes the report (linked to a likely duplicate), its routes, media
// and first event, and announces it on the live feed, all inside tx.
func (s *Service) store(ctx context.Context, tx pgx.Tx, sub Submission, cat *Category, a Assessment, loc location, media []storedMedia) (*Receipt, error) {
	code, err := newCode()
	if err != nil {
		return nil, err
	}
	id, created, dup, err := s.insert(ctx, tx, code, sub, cat, a, loc)
	if err != nil {
		return nil, err
	}
	r := &Receipt{ID: id, Code: code, Status: Received, Emergency: a.Emergency, RoutedTo: s.routes(loc, a), DuplicateOf: dup}
	batch := &pgx.Batch{}
	queueRoutes(batch, id, r.RoutedTo, cat, a, loc)
	queueMedia(batch, id, media)
	batch.Queue(`INSERT INTO report_events (report_id, action, to_status, actor_id, actor_name) VALUES ($1, 'received', 'received', $2, $3)`,
		id, "reporter:"+string(sub.Channel), "Người phản ánh")
	queueNotify(batch, FeedEvent{
		ReportID: id, Code: code, Action: "received", Ward: loc.Ward, Category: cat.Code,
		Urgency: a.Urgency, Status: Received, DuplicateOf: dup, At: created,
	})
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return nil, fmt.Errorf("route report: %w", err)
	}
	if err := s.queueNotifications(ctx, tx, id, r.RoutedTo); err != nil {
		return nil, err
	}
	return r, nil
}

// insert writes the report's row and returns its id, time and the
// original it duplicates, if any.
func (s *Service) insert(ctx context.Context, tx pgx.Tx, code string, sub Submission, cat *Category, a Assessment, loc location) (id string, created time.Time, dup string, err error) {
	var contact []byte
	if sub.Contact != "" {
		contact = s.sealer.Seal(sub.Contact, contactContext(code))
	}
	var station, device, ward *string
	if sub.StationID != "" {
		station = &sub.StationID
	}
	if sub.DeviceID != "" {
		device = &sub.DeviceID
	}
	if loc.Ward != "" {
		ward = &loc.Ward
	}
	// The insert links a likely duplicate as it goes: to the earliest open
	// original (a report that is no one's duplicate) of the same category
	// nearby, or from the same station, within the rules' time window; so
	// duplicates form a star around it, and the search looks only at
	// originals, however many duplicates pile up. Duplicates are linked,
	// never dropped: each still reaches the officers.
	err = tx.QueryRow(ctx, `
		WITH p AS (
			SELECT CASE WHEN $8::float8 IS NULL THEN NULL
				ELSE ST_SetSRID(ST_MakePoint($9, $8), 4326)::geography END AS loc),
		original AS (
			SELECT o.id FROM reports o, p
			WHERE o.duplicate_of IS NULL AND o.category = $2 AND o.spam_at IS NULL AND o.closed_at IS NULL
			  AND o.created_at >= now() - $20::interval
			  AND ((p.loc IS NOT NULL AND o.location IS NOT NULL AND ST_DWithin(o.location, p.loc, $21))
			       OR (p.loc IS NULL AND o.station_id = $11))
			ORDER BY o.created_at LIMIT 1)
		INSERT INTO reports (code, category, urgency, injury, in_progress, description, occurred_at,
			location, location_source, address, station_id, ward_code, ward_source, channel,
			contact_sealed, device_id, acknowledge_due, resolve_due, duplicate_of)
		SELECT $1, $2, $3, $4, $5, $6, $7, p.loc, $10, $11, $12, $13, $14, $15, $16, $17,
			now() + $18::interval, now() + $19::interval, (SELECT id FROM original)
		FROM p
		RETURNING id, created_at, coalesce(duplicate_of::text, '')`,
		code, cat.Code, a.Urgency, sub.Injury, sub.InProgress, sub.Description, sub.OccurredAt,
		loc.Lat, loc.Lng, loc.Source, sub.Address, station, ward, loc.WardSource, sub.Channel,
		contact, device, a.SLA.Acknowledge, a.SLA.Resolve,
		s.rules.Duplicates.Window, s.rules.Duplicates.DistanceM).Scan(&id, &created, &dup)
	if err != nil {
		return "", time.Time{}, "", fmt.Errorf("insert report: %w", err)
	}
	return id, created, dup, nil
}

// routes are where a report goes: its ward, the departments the rules
// name, and the command centre.
func (s *Service) routes(loc location, a Assessment) []Target {
	var out []Target
	if loc.Ward != "" {
		out = append(out, Target{ToWard, loc.Ward})
	}
	for _, d := range a.Departments {
		out = append(out, Target{ToDepartment, d})
	}
	return append(out, Target{ToCommandCentre, s.rules.CommandCentre.Code})
}

// queueRoutes stores each route with why it was taken.
func queueRoutes(batch *pgx.Batch, id string, routes []Target, cat *Category, a Assessment, loc location) {
	for _, t := range routes {
		reason := "rules:" + cat.Code + "/" + string(a.Urgency)
		switch t.Kind {
		case ToWard:
			reason = "ward:" + loc.WardSource
		case ToCommandCentre:
			reason = "always"
		}
		batch.Queue(`INSERT INTO report_routes (report_id, kind, code, reason) VALUES ($1, $2, $3, $4)`, id, t.Kind, t.Code, reason)
	}
}

// queueMedia stores the report's photos and video, in their order.
func queueMedia(batch *pgx.Batch, id string, media []storedMedia) {
	for i, m := range media {
		var ms *int
		if m.Kind == "video" {
			v := int(m.Duration.Milliseconds())
			ms = &v
		}
		batch.Queue(`INSERT INTO report_media (report_id, position, kind, content_type, size, sha256, duration_ms, data)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, i+1, m.Kind, m.ContentType, len(m.Data), m.SHA256, ms, m.Data)
	}
}

// codeAlphabet leaves out letters and digits residents confuse (0/O, 1/I/L).
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newCode returns a tracking code such as PA-7K3Q-9M2X-HT: 10 random
// characters, too many to guess.
func newCode() (string, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return "PA-" + string(b[:4]) + "-" + string(b[4:8]) + "-" + string(b[8:]), nil
}

// normalizeCode accepts a code typed in lower case, with spaces or without
// dashes.
var errReportNotFound = apperr.New(apperr.NotFound, "report_not_found", "Không tìm thấy phản ánh có mã này. Xin kiểm tra lại mã.")

// allowLookup counts a look-up of code from the client address from (a
// station's "station:<id>") against the look-up limits, and returns the
// code in its canonical form.
func (s *Service) allowLookup(ctx context.Context, from, code string) (string, error) {
	if err := s.lookups.Address(ctx, from); err != nil {
		return "", err
	}
	code = normalizeCode(code)
	if code == "" {
		return "", errReportNotFound
	}
	return code, s.lookups.Code(ctx, "report", code)
}

func normalizeCode(code string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(code) {
		if strings.ContainsRune(codeAlphabet, r) {
			b.WriteRune(r)
		}
	}
	c := b.String()
	c = strings.TrimPrefix(c, "PA")
	if len(c) != 10 {
		return ""
	}
	return "PA-" + c[:4] + "-" + c[4:8] + "-" + c[8:]
}

// Track returns a report's status for its reporter.
func (s *Service) Track(ctx context.Context, from, code string) (*Tracking, error) {
	code, err := s.allowLookup(ctx, from, code)
	if err != nil {
		return nil, err
	}
	var t Tracking
	err = s.pool.QueryRow(ctx, `SELECT code, status, category, created_at, updated_at FROM reports WHERE code = $1`, code).
		Scan(&t.Code, &t.Status, &t.Category, &t.CreatedAt, &t.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errReportNotFound
	}
	if err != nil {
		return nil, err
	}
	t.Label = t.Status.Label()
	return &t, nil
}
