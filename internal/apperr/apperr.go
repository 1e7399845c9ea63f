// Package apperr is the one error type the service shows to the outside: a
// kind that decides the HTTP status, a stable code for programs, a message in
// Vietnamese that is safe to show a resident, and the cause, which goes to the
// log and never to the client (as in WTF Dial and Tailscale's tsweb).
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Kind groups errors by what the caller can do about them; the HTTP layer
// maps each kind to one status in a single table.
type Kind string

// The kinds of error. Every Error has one.
const (
	Invalid      Kind = "invalid"      // the request is wrong; fix it and retry
	NotFound     Kind = "not_found"    // nothing there, or nothing the caller may see
	Conflict     Kind = "conflict"     // the state does not allow it now
	Unauthorized Kind = "unauthorized" // who are you?
	Forbidden    Kind = "forbidden"    // you may not
	TooLarge     Kind = "too_large"    // the body or file is over a limit
	Unsupported  Kind = "unsupported"  // a media type the service does not take
	RateLimited  Kind = "rate_limited" // slow down
	Unavailable  Kind = "unavailable"  // busy or a dependency is down; retry later
	Timeout      Kind = "timeout"      // an upstream did not answer in time
	Internal     Kind = "internal"     // a fault of ours
)

// Error is an error that knows how to present itself safely.
type Error struct {
	Kind    Kind
	Code    string // stable, machine-readable; defaults to the kind
	Message string // Vietnamese, for people; never contains the cause
	// RetryAfter, when set, tells the client when to try again.
	RetryAfter time.Duration
	Err        error // the cause, for the log
}

func (e *Error) Error() string {
	s := e.code() + ": " + e.Message
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

func (e *Error) code() string {
	if e.Code != "" {
		return e.Code
	}
	return string(e.Kind)
}

// New returns an Error of the given kind with a stable code and a message.
func New(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// Wrap returns an Error that carries cause for the log.
func Wrap(cause error, kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message, Err: cause}
}

// Errorf is New with a formatted message.
func Errorf(kind Kind, code, format string, args ...any) *Error {
	return New(kind, code, fmt.Sprintf(format, args...))
}

// The message a resident sees when the fault is ours.
const internalMessage = "Hệ thống đang gặp sự cố. Xin vui lòng thử lại sau ít phút hoặc nhờ cán bộ hỗ trợ."

// From returns the Error in err's chain, or an Internal one that hides err.
func From(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: Internal, Code: string(Internal), Message: internalMessage, Err: err}
}

// KindOf returns the kind of err, Internal when it is not an *Error.
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	return From(err).Kind
}

// CodeOf returns the stable code of err.
func CodeOf(err error) string {
	if err == nil {
		return ""
	}
	return From(err).code()
}

// IsKind reports whether err is an *Error of the given kind.
func IsKind(err error, kind Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == kind
}
