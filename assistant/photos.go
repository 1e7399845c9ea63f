package assistant

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/imagelimit"
	"github.com/citizenstation/citizenstation/procedures"
)

// A report's photos are taken by the station's camera: the kiosk uploads
// each one to the conversation (AddPhoto), and the guide's "photos" step,
// after "when", waits for them or lets the resident skip. They are sent
// with the report through the reports service, which checks them and
// strips their EXIF; until then they stay with the session and go when it
// is erased.

// PhotoField is the report's step for the station camera's photos; it is
// not a catalogue field, the guide adds it when it sends reports itself.
const PhotoField = "photos"

// MaxPhotos is how many photos a report takes (the reports service's
// limit too), MaxPhotoBytes how large each may be.
const (
	MaxPhotos     = 5
	MaxPhotoBytes = 8 << 20
)

// Photo is one photo taken for a report.
type Photo struct {
	Name string
	Data []byte
}

// PhotoReceipt tells the kiosk the photo was kept and how many there are,
// with the sentence that says so.
type PhotoReceipt struct {
	ID      string `json:"photo_id"`
	Count   int    `json:"count"`
	Max     int    `json:"max"`
	Message string `json:"message"`
}

// PhotoPrompt is the photos step's button: the kiosk's camera takes a
// photo under Label and uploads it to URL (multipart "photo").
type PhotoPrompt struct {
	URL   string `json:"url"`
	Label string `json:"label"`
	Max   int    `json:"max"`
}

var (
	errPhotoNotAsked = apperr.New(apperr.Conflict, "photo_not_expected",
		"Lúc này trạm chưa cần ảnh. Ảnh được chụp ở bước “Ảnh chụp” của tin báo an ninh trật tự.")
	errTooManyPhotos = apperr.New(apperr.TooLarge, "too_many_photos",
		fmt.Sprintf("Mỗi phản ánh gửi kèm tối đa %d ảnh.", MaxPhotos))
	errPhotoTooLarge = apperr.New(apperr.TooLarge, "photo_too_large",
		fmt.Sprintf("Ảnh quá lớn (tối đa %d MB). Xin chụp lại.", MaxPhotoBytes>>20))
	errPhotoType = apperr.New(apperr.Unsupported, "photo_type",
		"Tệp này không phải ảnh JPEG hay PNG, nên không gửi kèm được.")
)

// entry loads a catalogue entry as the guide uses it: a procedure whose
// fee exempts groups age does not show gains the one question that decides
// it, after the date of birth; a report the guide sends itself gains the
// photos step after "when".
func (s *Service) entry(ctx context.Context, slug string) (*procedures.Entry, error) {
	e, err := s.catalogue.Get(ctx, slug)
	if err != nil {
		return e, err
	}
	if q, ok := e.FeeQuestion(); ok && e.Kind == procedures.KindProcedure {
		c := *e
		at := slices.IndexFunc(e.Form.Fields, func(f procedures.Field) bool { return f.Name == "date_of_birth" }) + 1
		if at == 0 {
			at = len(e.Form.Fields)
		}
		c.Form.Fields = slices.Insert(slices.Clone(e.Form.Fields), at, q)
		return &c, nil
	}
	if e.Slug != SlugReport || s.services.Reports == nil {
		return e, nil
	}
	c := *e
	photos := procedures.Field{Name: PhotoField, Label: s.prompts.Say("photos_label"), Type: procedures.FieldText,
		Question: s.prompts.Say("photos_ask", "max", fmt.Sprint(MaxPhotos))}
	at := slices.IndexFunc(e.Form.Fields, func(f procedures.Field) bool { return f.Name == "occurred_at" }) + 1
	if at == 0 {
		at = len(e.Form.Fields)
	}
	c.Form.Fields = slices.Insert(slices.Clone(e.Form.Fields), at, photos)
	return &c, nil
}

// AddPhoto keeps a photo the station's camera took for the report of
// session id.
func (s *Service) AddPhoto(ctx context.Context, id, name string, data []byte) (*PhotoReceipt, error) {
	if len(data) > MaxPhotoBytes {
		return nil, errPhotoTooLarge
	}
	if ct := http.DetectContentType(data); ct != "image/jpeg" && ct != "image/png" {
		return nil, errPhotoType
	}
	// The size from the header: a photo over the pixel limit is refused
	// here, long before the report would decode it to turn it upright.
	if _, err := imagelimit.Check(data); errors.Is(err, imagelimit.ErrTooManyPixels) {
		return nil, err
	} else if err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "photo_unreadable", "Không đọc được ảnh này. Xin chụp lại.")
	}
	sess, err := s.store.Get(ctx, id, s.now())
	if err != nil {
		return nil, err
	}
	// Only while the photos step is asked, so the count read back is the
	// count sent.
	if sess.Procedure == nil || sess.Procedure.Slug != SlugReport || s.services.Reports == nil ||
		sess.Stage != StageCollect || sess.State.Field != PhotoField {
		return nil, errPhotoNotAsked
	}
	if name == "" {
		name = "anh.jpg"
	}
	r, err := s.store.AddPhoto(ctx, id, name, data)
	if err != nil {
		return nil, err
	}
	r.Message = s.prompts.Say("photos_kept", "count", fmt.Sprint(r.Count), "max", fmt.Sprint(r.Max))
	return r, nil
}

// AddPhoto stores a photo of session id unless it already has MaxPhotos;
// the session's row is locked so that two uploads cannot both be the sixth.
func (s *Store) AddPhoto(ctx context.Context, id, name string, data []byte) (*PhotoReceipt, error) {
	r := &PhotoReceipt{Max: MaxPhotos}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM assistant_sessions WHERE id = $1 FOR UPDATE`, id); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM assistant_photos WHERE session_id = $1`, id).Scan(&r.Count); err != nil {
			return err
		}
		if r.Count >= MaxPhotos {
			return errTooManyPhotos
		}
		r.Count++
		return tx.QueryRow(ctx, `INSERT INTO assistant_photos (session_id, name, data_sealed) VALUES ($1, $2, $3) RETURNING id::text`,
			id, name, s.seal.Seal(string(data), photoContext(id))).Scan(&r.ID)
	})
	if err != nil {
		return nil, fmt.Errorf("keep photo: %w", err)
	}
	return r, nil
}

// Photos returns the photos of session id in the order they were taken.
func (s *Store) Photos(ctx context.Context, id string) ([]Photo, error) {
	rows, err := s.pool.Query(ctx, `SELECT name, data_sealed FROM assistant_photos WHERE session_id = $1 ORDER BY created_at, id`, id)
	if err != nil {
		return nil, fmt.Errorf("photos: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Photo, error) {
		var p Photo
		var sealed []byte
		if err := row.Scan(&p.Name, &sealed); err != nil {
			return p, err
		}
		data, err := s.seal.Open(sealed, photoContext(id))
		p.Data = []byte(data)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("photos: %w", err)
	}
	return out, nil
}

// DropPhotos deletes session id's photos once the report holds them.
func (s *Store) DropPhotos(ctx context.Context, id string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM assistant_photos WHERE session_id = $1`, id); err != nil {
		return fmt.Errorf("drop photos: %w", err)
	}
	return nil
}

// takePhotos answers the photos step: the resident says they are done
// (or presses "Tiếp tục") once the kiosk has uploaded the photos.
func (t collector) takePhotos(ctx context.Context, field procedures.Field) error {
	photos, err := t.svc.store.Photos(ctx, t.sess.ID)
	if err != nil {
		return err
	}
	if len(photos) == 0 {
		t.clarify(t.say("photos_none"))
		return nil
	}
	v := t.say("photos_count", "count", fmt.Sprint(len(photos)))
	t.push()
	t.sess.Fields[field.Name] = Value{Value: v, Provenance: procedures.FromTyped, Confidence: 1, Confirmed: true}
	t.sess.State.Skipped = slices.DeleteFunc(t.sess.State.Skipped, func(s string) bool { return s == field.Name })
	t.note(t.say("field_saved", "value", v))
	t.advance()
	return nil
}
