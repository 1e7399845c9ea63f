package assistant

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/live"
	"github.com/citizenstation/citizenstation/internal/ratelimit"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/procedures"
)

// Service is the assistant: sessions, the pipeline and save-and-resume.
// Tests call it directly; http.go is a thin layer over it.
type Service struct {
	store     *Store
	catalogue Catalogue
	scans     Scans
	dossiers  Dossiers
	services  Services
	teacher   Teacher
	model     *Model
	prompts   *PromptSet
	cfg       Config
	log       *slog.Logger
	// resumeLimit bounds slip-code attempts per code and per client, keyed
	// by sealer's digests; lookups is the client address's count shared
	// with every look-up by code (dossiers, payments, reports).
	resumeLimit *ratelimit.Limiter
	lookups     *ratelimit.Lookups
	sealer      *seal.Sealer
	now         func() time.Time
	// stations authenticates the kiosks the API serves; without it the
	// API refuses every caller.
	stations Stations
	streams  *live.Limits
}

// Stations authenticates the stations the guide's API serves: a kiosk by
// its device token (or an evaluator by its token, as no station), and the
// visits it names (kiosk.Service provides both).
type Stations interface {
	RequireStation(evalToken string) gin.HandlerFunc
	CheckVisit(ctx context.Context, stationID, visitID string) error
}

// Deps are the parts the service uses. Scans, Dossiers and Model may be
// nil: without scans an OCR result cannot be read, without dossiers the
// draft stays in the session, without a model the deterministic guide
// answers every turn.
type Deps struct {
	Pool      *pgxpool.Pool
	Catalogue Catalogue
	Scans     Scans
	Dossiers  Dossiers
	// Services are the kiosk's own services (services.go).
	Services Services
	// Teacher, when set, learns the phrases staff teach from misses.
	Teacher Teacher
	Model   *Model
	Logger  *slog.Logger
	// Stations authenticates the API's callers; nil refuses them all.
	Stations Stations
	// Streams caps the payment streams open per station and address
	// (nil: the default caps).
	Streams *live.Limits
	// Sealer seals what residents say and give at rest; it must be set.
	Sealer *seal.Sealer
	// Lookups is the look-up limit shared with dossiers, payments and
	// reports, which a slip's code and four digits count against too
	// (nil: one of the tracking defaults).
	Lookups *ratelimit.Lookups
}

// New returns the assistant service.
func New(d Deps, cfg Config) (*Service, error) {
	prompts, err := LoadPrompts(cfg.Prompts)
	if err != nil {
		return nil, err
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Streams == nil {
		d.Streams = live.NewLimits(0, 0)
	}
	if d.Sealer == nil {
		return nil, errors.New("assistant: no sealer for the guide's sessions")
	}
	return &Service{
		store: NewStore(d.Pool, d.Sealer), catalogue: d.Catalogue, scans: d.Scans, dossiers: d.Dossiers, services: d.Services, teacher: d.Teacher, model: d.Model,
		prompts: prompts, cfg: cfg, log: d.Logger,
		resumeLimit: ratelimit.New(d.Pool, 5, 15*time.Minute),
		lookups: cmp.Or(d.Lookups, ratelimit.NewLookups(d.Pool, d.Sealer,
			ratelimit.DefaultLookupsPerCode, ratelimit.DefaultLookupsPerAddress)),
		sealer:   d.Sealer,
		now:      time.Now,
		stations: d.Stations,
		streams:  d.Streams,
	}, nil
}

// Store returns the session store, for the kiosk's eraser.
func (s *Service) Store() *Store { return s.store }

// PromptVersion is the version of the prompts in use.
func (s *Service) PromptVersion() string { return s.prompts.Version }

// StartRequest opens a session.
type StartRequest struct {
	StationID      string `json:"-"` // the authenticated station, never the body
	KioskSessionID string `json:"kiosk_session_id"`
}

// Start opens a session and returns the welcome.
func (s *Service) Start(ctx context.Context, r StartRequest) (*Reply, error) {
	if len(r.StationID) > 100 || len(r.KioskSessionID) > 100 {
		return nil, apperr.New(apperr.Invalid, "session_invalid", "Mã trạm hoặc mã lượt sử dụng không hợp lệ.")
	}
	sess := &Session{StationID: strings.TrimSpace(r.StationID), KioskSessionID: strings.TrimSpace(r.KioskSessionID),
		Stage: StageIdentify, Fields: map[string]Value{}, PromptVersion: s.prompts.Version}
	sess.ExpiresAt = s.now().Add(s.cfg.SessionTTL)
	address, again, err := s.store.earlierInVisit(ctx, sess.KioskSessionID)
	if err != nil {
		return nil, err
	}
	sess.State.Address = address
	t := s.newTurn(sess, nil)
	if again {
		// The introduction is said once per visit.
		t.note(t.say("ask_again_need"))
	} else {
		t.note(t.say("welcome"))
	}
	t.quiet = true
	t.finish()
	rec := t.record()
	rec.InputKind, rec.Route = "start", RouteNavigation
	if err := s.store.Create(ctx, sess, rec); err != nil {
		return nil, err
	}
	if _, err := s.store.Purge(ctx, s.now(), 20); err != nil {
		s.log.Warn("purge expired assistant sessions", "err", err)
	}
	t.reply.SessionID = sess.ID
	return t.reply, nil
}

// View is a session's state as GET /api/v1/sessions/{id} shows it.
type View struct {
	*Session
	Turns []Turn `json:"turns"`
	// Current is the question the session is at, with its choices.
	Current *Reply `json:"current"`
	Draft   *Draft `json:"draft,omitempty"`
}

// Get returns a session's state, its turns and its current question.
func (s *Service) Get(ctx context.Context, id string) (*View, error) {
	sess, err := s.store.Get(ctx, id, s.now())
	if err != nil {
		return nil, err
	}
	turns, err := s.store.Turns(ctx, id)
	if err != nil {
		return nil, err
	}
	entry, err := s.entryFor(ctx, sess)
	if err != nil {
		return nil, fmt.Errorf("load procedure: %w", err)
	}
	t := s.newTurn(sess, entry)
	t.quiet = sess.Stage != StageIdentify
	t.finish()
	return &View{Session: sess, Turns: turns, Current: t.reply, Draft: sess.State.Draft}, nil
}

// expiry is when a session ends if nothing more happens: the idle limit,
// or the slip's limit once a slip was printed.
func (s *Service) expiry(sess *Session) time.Time {
	idle := s.now().Add(s.cfg.SessionTTL)
	if sess.Saved && sess.ExpiresAt.After(idle) {
		return sess.ExpiresAt
	}
	return idle
}

// entryFor loads a session's procedure, if any.
func (s *Service) entryFor(ctx context.Context, sess *Session) (*procedures.Entry, error) {
	if sess.Procedure == nil {
		return nil, nil
	}
	return s.entry(ctx, sess.Procedure.Slug)
}
