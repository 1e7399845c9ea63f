package database

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/citizenstation/citizenstation/internal/apperr"
)

// The constraints by which stations, dossiers and staff accounts may name
// only a unit of the city's official list (migration 01702).
var officialWardConstraints = map[string]bool{
	"stations_ward_official":     true,
	"dossiers_ward_official":     true,
	"staff_users_wards_official": true,
}

// ErrUnknownWard is what a caller is told when it names a ward code that is
// not one of the city's official units.
var ErrUnknownWard = apperr.New(apperr.Invalid, "unknown_ward",
	"Mã phường, xã không có trong danh sách đơn vị hành chính của Thành phố.")

// UnknownWard returns err as ErrUnknownWard, with err as its cause, when err
// is the database refusing a ward code outside the official list, and err
// unchanged otherwise.
func UnknownWard(err error) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23503" && officialWardConstraints[pg.ConstraintName] {
		return apperr.Wrap(err, ErrUnknownWard.Kind, ErrUnknownWard.Code, ErrUnknownWard.Message)
	}
	return err
}
