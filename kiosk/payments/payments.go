// Package payments takes residents' payments at the stations: orders for a
// dossier's fee or a bill, paid through a gateway speaking the VNPay 2.1.0
// protocol or by a VietQR bank transfer, with every state change recorded,
// a ledger entry and a receipt for each paid order.
//
// It sits beside package kiosk rather than inside it: payments have their
// own domain (orders, ledger, receipts, gateway protocols) and their own
// callers (the kiosk today, a resident's phone tomorrow), while kiosk is
// about the station devices and visits. Payments uses kiosk only to learn
// which station asks and to mark a visit's outcome.
package payments

import (
	"cmp"
	"context"
	"flag"
	"log/slog"
	"net"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/apperr"
	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/jobs"
	"github.com/citizenstation/citizenstation/internal/ratelimit"
	"github.com/citizenstation/citizenstation/internal/seal"
	"github.com/citizenstation/citizenstation/internal/tokens"
	"github.com/citizenstation/citizenstation/kiosk/payments/vnpay"
)

// States of an order: created → pending → paid | failed | expired, and
// paid → refunded. An order waiting when an earlier one of the same bill or
// fee is paid late is superseded; money taken for something already paid
// is refund_due until staff refund it.
const (
	StateCreated    = "created"
	StatePending    = "pending"
	StatePaid       = "paid"
	StateFailed     = "failed"
	StateExpired    = "expired"
	StateRefunded   = "refunded"
	StateSuperseded = "superseded"
	StateRefundDue  = "refund_due"
)

// Purposes of an order.
const (
	PurposeFee  = "fee"
	PurposeBill = "bill"
)

// Channel is the PostgreSQL NOTIFY channel on which every state change is
// published, as a JSON Event, when its transaction commits.
const Channel = "payment_events"

// Event is the payload published on Channel.
type Event struct {
	PaymentID      string    `json:"payment_id"`
	From           string    `json:"from"`
	State          string    `json:"state"`
	Amount         int64     `json:"amount"`
	StationID      string    `json:"station_id,omitempty"`
	KioskSessionID string    `json:"kiosk_session_id,omitempty"`
	At             time.Time `json:"at"`
}

// Payment is one order.
type Payment struct {
	ID             string     `json:"id"`
	Purpose        string     `json:"purpose"`
	DossierID      string     `json:"dossier_id,omitempty"`
	Biller         string     `json:"biller,omitempty"`
	CustomerCode   string     `json:"customer_code,omitempty"`
	BillID         string     `json:"bill_id,omitempty"`
	Description    string     `json:"description"`
	Amount         int64      `json:"amount"` // VND
	State          string     `json:"state"`
	Provider       string     `json:"provider"`
	StationID      string     `json:"station_id,omitempty"`
	KioskSessionID string     `json:"kiosk_session_id,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	ExpiresAt      time.Time  `json:"expires_at"`
	PaidAt         *time.Time `json:"paid_at,omitempty"`
	ProviderTxnNo  string     `json:"provider_txn_no,omitempty"`
	PayURL         string     `json:"pay_url,omitempty"`
	// RelatedPaymentID is the order that superseded this one, or that had
	// paid already what this one paid again.
	RelatedPaymentID string `json:"related_payment_id,omitempty"`
	// LookupCode is what the resident keeps (TT-ABC-DEF-GHK): with the
	// last four digits it finds the payment again (Lookup).
	LookupCode string   `json:"lookup_code,omitempty"`
	VietQR     *VietQR  `json:"vietqr"`
	Receipt    *Receipt `json:"receipt,omitempty"`
}

// Public is what anyone holding an order's link (the status page, the
// gateway's return page) may see: what is paid, how much, its state and
// receipt; not the dossier, customer, bill, station, visit, the
// gateway's transaction or the lookup code.
func (p *Payment) Public() *Payment {
	q := *p
	q.DossierID, q.CustomerCode, q.BillID, q.StationID, q.KioskSessionID, q.ProviderTxnNo, q.RelatedPaymentID = "", "", "", "", "", "", ""
	q.LookupCode = ""
	if p.Receipt != nil {
		r := *p.Receipt
		r.ProviderTxnNo = ""
		q.Receipt = &r
	}
	return &q
}

// VietQR is the bank-transfer QR of an order.
type VietQR struct {
	Payload string `json:"payload"`
	PNG     string `json:"png"`
}

// Receipt is issued for every paid order.
type Receipt struct {
	Number        string    `json:"number"`
	IssuedAt      time.Time `json:"issued_at"`
	Amount        int64     `json:"amount"`
	Description   string    `json:"description"`
	ProviderTxnNo string    `json:"provider_txn_no,omitempty"`
}

// Fee is what a dossier owes: integer VND, after the online reduction.
type Fee struct {
	Amount      int64
	Description string
}

// FeeSource is the dossiers side of a fee payment.
type FeeSource interface {
	// FeeDue returns the fee still to pay for a dossier, from its catalogue
	// entry with the online reduction: apperr NotFound when there is no
	// such dossier, apperr Conflict when nothing is due.
	FeeDue(ctx context.Context, dossierID string) (Fee, error)
	// MarkFeePaid records, inside the payment's transaction, that payment
	// paymentID paid amount for the dossier's fee, which moves the dossier
	// on. An error rolls the payment back (the IPN then answers 99 and the
	// gateway retries).
	MarkFeePaid(ctx context.Context, tx pgx.Tx, dossierID, paymentID string, amount int64) error
	// Owns says whether last4 are the last four digits of the ID or phone
	// number the dossier was filed with: the proof its fee's payment is
	// looked up by.
	Owns(ctx context.Context, dossierID, last4 string) (bool, error)
}

// Config holds the payment settings.
type Config struct {
	VNPayTmnCode  string
	VNPaySecret   string
	VNPayURL      string
	VNPayAPIURL   string
	ReturnURL     string
	VietQRBIN     string
	VietQRAccount string
	OrderTTL      time.Duration
	QueryAfter    time.Duration
	SweepEvery    time.Duration
	DemoBills     string
	// Papers prints receipts (no fonts: none are printed).
	Papers Papers
	// LookupsPerCode and LookupsPerIP limit the lookups of a payment by
	// its code, per code a day and per client address an hour (0: the
	// dossiers' tracking defaults, 20 and 120).
	LookupsPerCode, LookupsPerIP int
	// Lookups, when set (the wiring shares one with dossiers and
	// reports), limits the lookups instead.
	Lookups *ratelimit.Lookups
	// Passes keys the passes a lookup hands out to print its receipt
	// (the wiring gives the data keys' sealer, so any replica checks
	// them); nil: a key of this process alone.
	Passes tokens.Keyed
}

// SandboxSecret is the default secret, shared with `station sandbox-gateway`
// so a fresh machine runs the whole flow. It is refused for any gateway
// that is not on this machine.
const SandboxSecret = "citizenstation-sandbox-secret-not-for-production"

// RegisterFlags adds the payment settings to fs.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	RegisterGatewayFlags(fs, &c.VNPayTmnCode, &c.VNPaySecret)
	fs.StringVar(&c.VNPayURL, "vnpay-url", "http://127.0.0.1:8090/paymentv2/vpcpay.html", "gateway payment page URL (VNPay: https://sandbox.vnpayment.vn/paymentv2/vpcpay.html)")
	fs.StringVar(&c.VNPayAPIURL, "vnpay-api-url", "http://127.0.0.1:8090/merchant_webapi/api/transaction", "gateway transaction query (querydr) URL")
	fs.StringVar(&c.ReturnURL, "vnpay-return-url", "http://localhost:8080/api/v1/payments/vnpay/return", "where the gateway sends the payer's browser back")
	fs.StringVar(&c.VietQRBIN, "vietqr-bin", "", "bank BIN (6 digits) of the account VietQR transfers go to; empty: no VietQR")
	fs.StringVar(&c.VietQRAccount, "vietqr-account", "", "account number VietQR transfers go to")
	fs.DurationVar(&c.OrderTTL, "payment-ttl", 15*time.Minute, "how long an order can be paid")
	fs.DurationVar(&c.QueryAfter, "payment-query-after", 5*time.Minute, "ask the gateway (querydr) about orders pending longer than this")
	fs.DurationVar(&c.SweepEvery, "payment-sweep", time.Minute, "how often pending orders are swept")
	fs.StringVar(&c.DemoBills, "demo-bills", "", "bills file of the demonstration biller (default: the shipped file)")
}

// RegisterGatewayFlags adds the terminal code and secret, which the
// service and `station sandbox-gateway` share.
func RegisterGatewayFlags(fs *flag.FlagSet, tmnCode, secret *string) {
	fs.StringVar(tmnCode, "vnpay-tmn-code", "CSDEMO01", "gateway terminal code (vnp_TmnCode)")
	fs.StringVar(secret, "vnpay-secret", SandboxSecret, "gateway hash secret (HMAC-SHA512)")
}

// Validate checks the payment settings.
func (c *Config) Validate() error {
	if len(c.VNPayTmnCode) < 1 || len(c.VNPayTmnCode) > 8 {
		return config.Invalid("vnpay-tmn-code", c.VNPayTmnCode, "must be 1 to 8 characters")
	}
	if c.VNPaySecret == "" {
		return config.Invalid("vnpay-secret", "", "must be set")
	}
	for _, u := range []struct{ flag, v string }{{"vnpay-url", c.VNPayURL}, {"vnpay-api-url", c.VNPayAPIURL}, {"vnpay-return-url", c.ReturnURL}} {
		p, err := url.Parse(u.v)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return config.Invalid(u.flag, u.v, "not an http(s) URL")
		}
		if c.VNPaySecret == SandboxSecret && u.flag != "vnpay-return-url" && !loopback(p.Hostname()) {
			return config.Invalid("vnpay-secret", "(sandbox default)", "the sandbox secret may only be used with a gateway on this machine")
		}
	}
	if (c.VietQRBIN == "") != (c.VietQRAccount == "") {
		return config.Invalid("vietqr-bin", c.VietQRBIN, "set both -vietqr-bin and -vietqr-account, or neither")
	}
	if c.OrderTTL < time.Minute {
		return config.Invalid("payment-ttl", c.OrderTTL, "must be at least 1m")
	}
	if c.QueryAfter < time.Minute {
		return config.Invalid("payment-query-after", c.QueryAfter, "must be at least 1m")
	}
	if c.SweepEvery < time.Second {
		return config.Invalid("payment-sweep", c.SweepEvery, "must be at least 1s")
	}
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// DefaultConfig is the configuration the flags default to.
func DefaultConfig() Config {
	return config.Defaults[Config]()
}

// Service is the payments capability.
type Service struct {
	pool    *pgxpool.Pool
	cfg     Config
	log     *slog.Logger
	gateway *vnpay.Client
	fees    FeeSource
	billers map[string]Biller
	order   []string
	// lookups counts the lookups by code; passes keys the receipts' passes.
	lookups *ratelimit.Lookups
	passes  tokens.Keyed
}

// NewService returns the service. fees may be nil until dossiers are
// wired; fee orders are then refused.
func NewService(pool *pgxpool.Pool, cfg Config, log *slog.Logger, fees FeeSource, billers ...Biller) *Service {
	if log == nil {
		log = slog.Default()
	}
	s := &Service{pool: pool, cfg: cfg, log: log, fees: fees, billers: map[string]Biller{},
		gateway: &vnpay.Client{TmnCode: cfg.VNPayTmnCode, Secret: cfg.VNPaySecret, GatewayURL: cfg.VNPayURL,
			APIURL: cfg.VNPayAPIURL, ReturnURL: cfg.ReturnURL}}
	s.lookups = cmp.Or(cfg.Lookups, ratelimit.NewLookups(pool, nil,
		cmp.Or(cfg.LookupsPerCode, ratelimit.DefaultLookupsPerCode), cmp.Or(cfg.LookupsPerIP, ratelimit.DefaultLookupsPerAddress)))
	s.passes = cfg.Passes
	if s.passes == nil {
		s.passes = seal.Ephemeral()
	}
	for _, b := range billers {
		s.billers[b.Info().ID] = b
		s.order = append(s.order, b.Info().ID)
	}
	return s
}

// Config returns the service's settings.
func (s *Service) Config() Config { return s.cfg }

var errPaymentNotFound = apperr.New(apperr.NotFound, "payment_not_found", "Không tìm thấy giao dịch thanh toán.")

// Sweeps are the payments' background jobs: pending orders asked about at
// the gateway, and idempotency keys forgotten after three days (a kiosk
// retries within minutes). They run as River periodic jobs, one worker each tick.
func (s *Service) Sweeps() []jobs.Sweep {
	return []jobs.Sweep{
		{Name: "payments-querydr", Every: s.cfg.SweepEvery, Run: func(ctx context.Context) error {
			_, err := s.SweepPending(ctx)
			return err
		}},
		{Name: "payments-idempotency-keys", Every: time.Hour, Run: func(ctx context.Context) error {
			_, err := s.pool.Exec(ctx, `DELETE FROM payment_idempotency_keys WHERE created_at < now() - interval '72 hours'`)
			return err
		}},
	}
}
