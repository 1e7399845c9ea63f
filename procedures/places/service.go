package places

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// Origin is where directions start: a station.
type Origin struct {
	Name     string
	Lat, Lng float64
}

// Locate finds a station's position; ok is false for a station without
// coordinates.
type Locate func(ctx context.Context, stationID string) (o Origin, ok bool, err error)

// Service keeps the places and answers visitors' searches.
type Service struct {
	pool   *pgxpool.Pool
	locate Locate
}

// NewService returns a Service; locate may be nil (no directions).
func NewService(pool *pgxpool.Pool, locate Locate) *Service {
	return &Service{pool: pool, locate: locate}
}

// ImportReport says what an import did.
type ImportReport struct {
	Added, Updated, KeptEdited, Removed, Tips int
}

// Import loads a dataset in one transaction: new places are added, places
// nobody edited are updated, places staff edited are kept as they are,
// and unedited places the dataset no longer lists are removed.
func (s *Service) Import(ctx context.Context, d *Dataset) (*ImportReport, error) {
	rep := &ImportReport{}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		slugs := make([]string, 0, len(d.Places))
		for _, p := range d.Places {
			slugs = append(slugs, p.Slug)
			var inserted bool
			err := tx.QueryRow(ctx, `INSERT INTO places (slug, kind, name, name_en, summary, summary_en, address, location,
					hours, hours_en, aliases, source_name, source_url, checked_on, uncertain)
				VALUES ($1, $2, $3, $4, $5, $6, $7, ST_SetSRID(ST_MakePoint($9, $8), 4326)::geography, $10, $11, $12, $13, $14, $15, $16)
				ON CONFLICT (slug) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, name_en = EXCLUDED.name_en,
					summary = EXCLUDED.summary, summary_en = EXCLUDED.summary_en, address = EXCLUDED.address,
					location = EXCLUDED.location, hours = EXCLUDED.hours, hours_en = EXCLUDED.hours_en,
					aliases = EXCLUDED.aliases, source_name = EXCLUDED.source_name, source_url = EXCLUDED.source_url,
					checked_on = EXCLUDED.checked_on, uncertain = EXCLUDED.uncertain, updated_at = now()
					WHERE places.edited_by IS NULL
				RETURNING xmax = 0`,
				p.Slug, p.Kind, p.Name, p.NameEN, p.Summary, p.SummaryEN, p.Address, p.Lat, p.Lng, p.Hours, p.HoursEN,
				p.Aliases, p.Source.Name, p.Source.URL, p.CheckedOn, p.Uncertain).Scan(&inserted)
			switch {
			case errors.Is(err, pgx.ErrNoRows): // the WHERE kept a staff correction
				rep.KeptEdited++
			case err != nil:
				return fmt.Errorf("import place %s: %w", p.Slug, err)
			case inserted:
				rep.Added++
			default:
				rep.Updated++
			}
		}
		tag, err := tx.Exec(ctx, `DELETE FROM places WHERE edited_by IS NULL AND NOT slug = ANY($1)`, slugs)
		if err != nil {
			return fmt.Errorf("import places: %w", err)
		}
		rep.Removed = int(tag.RowsAffected())
		if _, err := tx.Exec(ctx, `DELETE FROM visitor_tips`); err != nil {
			return fmt.Errorf("import tips: %w", err)
		}
		for i, t := range d.Tips {
			if _, err := tx.Exec(ctx, `INSERT INTO visitor_tips (position, text, text_en, checked_on) VALUES ($1, $2, $3, $4)`,
				i+1, t.Text, t.TextEN, d.CheckedOn); err != nil {
				return fmt.Errorf("import tips: %w", err)
			}
		}
		rep.Tips = len(d.Tips)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

const placeColumns = `slug, kind, name, name_en, summary, summary_en, address, ST_Y(location::geometry), ST_X(location::geometry),
	hours, hours_en, aliases, source_name, source_url, checked_on::text, uncertain, coalesce(edited_by, '')`

func scanPlace(row pgx.Row) (*Place, error) {
	var p Place
	err := row.Scan(&p.Slug, &p.Kind, &p.Name, &p.NameEN, &p.Summary, &p.SummaryEN, &p.Address, &p.Lat, &p.Lng,
		&p.Hours, &p.HoursEN, &p.Aliases, &p.Source.Name, &p.Source.URL, &p.CheckedOn, &p.Uncertain, &p.EditedBy)
	return &p, err
}

var errNotFound = apperr.New(apperr.NotFound, "place_not_found", "Không tìm thấy địa điểm này.")

// Get returns one place.
func (s *Service) Get(ctx context.Context, slug string) (*Place, error) {
	if !slugRe.MatchString(slug) {
		return nil, errNotFound
	}
	p, err := scanPlace(s.pool.QueryRow(ctx, `SELECT `+placeColumns+` FROM places WHERE slug = $1`, slug))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("place %s: %w", slug, err)
	}
	return p, nil
}

// List returns every place, by slug, for the staff page.
func (s *Service) List(ctx context.Context) ([]Place, error) {
	ps, _, err := s.all(ctx)
	return ps, err
}

func (s *Service) all(ctx context.Context) ([]Place, []Tip, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+placeColumns+` FROM places ORDER BY slug`)
	if err != nil {
		return nil, nil, fmt.Errorf("places: %w", err)
	}
	ps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Place, error) {
		p, err := scanPlace(r)
		return *p, err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("places: %w", err)
	}
	rows, err = s.pool.Query(ctx, `SELECT text, text_en FROM visitor_tips ORDER BY position`)
	if err != nil {
		return nil, nil, fmt.Errorf("tips: %w", err)
	}
	tips, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Tip])
	if err != nil {
		return nil, nil, fmt.Errorf("tips: %w", err)
	}
	return ps, tips, nil
}

// Edit is a staff correction of a place; empty fields are left as they
// are.
type Edit struct {
	Summary   string   `json:"summary"`
	SummaryEN string   `json:"summary_en"`
	Address   string   `json:"address"`
	Hours     string   `json:"hours"`
	HoursEN   string   `json:"hours_en"`
	Lat       *float64 `json:"lat"`
	Lng       *float64 `json:"lng"`
	// Uncertain, when set, replaces what is still unconfirmed about the
	// place (empty: staff confirmed everything).
	Uncertain *[]string `json:"uncertain"`
}

// Correct applies a staff correction, marks the place as checked today by
// that person (so imports keep it) and audits it.
func (s *Service) Correct(ctx context.Context, by audit.Actor, slug string, e Edit) (*Place, error) {
	p, err := s.Get(ctx, slug)
	if err != nil {
		return nil, err
	}
	for dst, v := range map[*string]string{&p.Summary: e.Summary, &p.SummaryEN: e.SummaryEN, &p.Address: e.Address,
		&p.Hours: e.Hours, &p.HoursEN: e.HoursEN} {
		if v = vietnamese.NFC(strings.TrimSpace(v)); v != "" {
			if len([]rune(v)) > 500 {
				return nil, apperr.New(apperr.Invalid, "place_text_too_long", "Mỗi nội dung tối đa 500 ký tự.")
			}
			*dst = v
		}
	}
	if (e.Lat == nil) != (e.Lng == nil) {
		return nil, apperr.New(apperr.Invalid, "place_position_incomplete", "Xin nhập cả vĩ độ và kinh độ.")
	}
	if e.Lat != nil {
		p.Lat, p.Lng = *e.Lat, *e.Lng
	}
	if e.Uncertain != nil {
		p.Uncertain = []string{}
		for _, u := range *e.Uncertain {
			if u = vietnamese.NFC(strings.TrimSpace(u)); u != "" {
				p.Uncertain = append(p.Uncertain, u)
			}
		}
	}
	if err := p.validate(); err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "place_invalid", "Vị trí phải nằm trong Thành phố Hồ Chí Minh (vĩ độ 10,3–11,2; kinh độ 106,3–107,1).")
	}
	who := by.Username
	if who == "" {
		who = by.Role
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE places SET summary = $2, summary_en = $3, address = $4, hours = $5, hours_en = $6,
				location = ST_SetSRID(ST_MakePoint($8, $7), 4326)::geography, checked_on = $9, edited_by = $10, edited_at = now(),
				uncertain = $11, updated_at = now()
			WHERE slug = $1`, slug, p.Summary, p.SummaryEN, p.Address, p.Hours, p.HoursEN, p.Lat, p.Lng,
			time.Now().In(vietnamese.Zone).Format(time.DateOnly), who, p.Uncertain); err != nil {
			return fmt.Errorf("correct place %s: %w", slug, err)
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: by, Action: "place.correct", SubjectKind: "place", SubjectID: slug,
			Details: map[string]any{"hours": p.Hours, "address": p.Address, "uncertain": p.Uncertain}})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, slug)
}

// Query is a visitor's search.
type Query struct {
	Text      string
	Lang      string // "vi" or "en"; empty: guessed from the text
	StationID string // the station asking, for directions
}

// Results answer a search.
type Results struct {
	Lang    string   `json:"lang"`
	Station string   `json:"station,omitempty"` // the station directions start from
	Results []Result `json:"results"`
	Tips    []string `json:"tips"`
	// Message says, in the visitor's language, what was found.
	Message string `json:"message"`
}

// Result is a place found, in the visitor's language.
type Result struct {
	Slug       string  `json:"slug"`
	Kind       string  `json:"kind"`
	Name       string  `json:"name"`
	Summary    string  `json:"summary"`
	Address    string  `json:"address"`
	Hours      string  `json:"hours"`
	DistanceM  *int    `json:"distance_m,omitempty"`
	Directions string  `json:"directions,omitempty"`
	MapURL     string  `json:"map_url,omitempty"`
	MapQR      string  `json:"map_qr,omitempty"` // PNG data URL of MapURL, to take on a phone
	Lat        float64 `json:"lat"`
	Lng        float64 `json:"lng"`
	Source     string  `json:"source"`
	CheckedOn  string  `json:"checked_on"`
	// Unverified says, in the visitor's language, what the station could
	// not confirm about the place; empty when nothing is in doubt.
	Unverified string `json:"unverified,omitempty"`
	score      float64
}

// maxResults bounds the places one answer lists.
const maxResults = 6

// Search finds places for a visitor's words ("đi chợ Bến Thành thế nào",
// "museum near here"), best match first and, among equals, nearest to the
// station first, each with directions from the station.
func (s *Service) Search(ctx context.Context, q Query) (*Results, error) {
	text := vietnamese.NFC(strings.TrimSpace(q.Text))
	if len([]rune(text)) > 200 {
		return nil, apperr.New(apperr.Invalid, "query_too_long", "Câu hỏi quá dài (tối đa 200 ký tự). / The question is too long (200 characters at most).")
	}
	lang := q.Lang
	if lang == "" {
		lang = guessLang(text)
	}
	if lang != "vi" && lang != "en" {
		return nil, apperr.New(apperr.Invalid, "lang_invalid", "Ngôn ngữ là vi hoặc en. / The language is vi or en.")
	}
	places, tips, err := s.all(ctx)
	if err != nil {
		return nil, err
	}
	res := &Results{Lang: lang, Results: []Result{}, Tips: []string{}}
	var origin *Origin
	if q.StationID != "" && s.locate != nil {
		o, ok, err := s.locate(ctx, q.StationID)
		if err != nil && !apperr.IsKind(err, apperr.NotFound) {
			return nil, err
		}
		if ok {
			origin, res.Station = &o, o.Name
		}
	}
	general, words := asksGenerally(queryWords(text))
	general = general || len(words) == 0
	for _, p := range places {
		r := Result{Slug: p.Slug, Kind: p.Kind, Address: p.Address, Lat: p.Lat, Lng: p.Lng, Source: p.Source.Name,
			CheckedOn: p.CheckedOn, score: score(p, words)}
		r.Name, r.Summary, r.Hours = p.Name, p.Summary, p.Hours
		if len(p.Uncertain) > 0 {
			r.Unverified = "Chưa xác minh: " + strings.Join(p.Uncertain, " ")
		}
		if lang == "en" {
			r.Name, r.Summary, r.Hours = p.NameEN, p.SummaryEN, p.HoursEN
			if len(p.Uncertain) > 0 {
				r.Unverified = "Not yet verified by the station (such as opening hours on some days): please check before you go."
			}
		}
		if origin != nil {
			if err := r.directFrom(*origin, lang); err != nil {
				return nil, err
			}
		}
		res.Results = append(res.Results, r)
	}
	best := 0.0
	for _, r := range res.Results {
		best = max(best, r.score)
	}
	res.Results = slices.DeleteFunc(res.Results, func(r Result) bool {
		if best == 0 {
			return !general || r.Kind == "event"
		}
		return r.score < best/2
	})
	slices.SortStableFunc(res.Results, func(a, b Result) int {
		if c := compareScore(b.score, a.score); c != 0 {
			return c
		}
		return compareDistance(a.DistanceM, b.DistanceM)
	})
	if len(res.Results) > maxResults {
		res.Results = res.Results[:maxResults]
	}
	for _, t := range tips {
		if lang == "en" {
			res.Tips = append(res.Tips, t.TextEN)
		} else {
			res.Tips = append(res.Tips, t.Text)
		}
	}
	res.Message = message(lang, len(res.Results), origin != nil)
	return res, nil
}

// compareScore orders scores, treating a difference under half a word as
// equal so that distance decides between equally good matches.
func compareScore(a, b float64) int {
	if math.Abs(a-b) < 0.5 {
		return 0
	}
	if a < b {
		return -1
	}
	return 1
}

func compareDistance(a, b *int) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return *a - *b
}

func message(lang string, n int, near bool) string {
	switch {
	case lang == "en" && n == 0:
		return "Nothing found. Try a place name such as “Ben Thanh Market” or a kind of place such as “museum”."
	case lang == "en" && near:
		return fmt.Sprintf("%d places found, nearest to this station first among equal matches.", n)
	case lang == "en":
		return fmt.Sprintf("%d places found.", n)
	case n == 0:
		return "Không tìm thấy địa điểm phù hợp. Xin thử tên địa điểm như “chợ Bến Thành” hoặc loại địa điểm như “bảo tàng”."
	case near:
		return fmt.Sprintf("Tìm thấy %d địa điểm, nơi gần trạm hơn đứng trước.", n)
	}
	return fmt.Sprintf("Tìm thấy %d địa điểm.", n)
}
