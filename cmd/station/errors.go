package main

import (
	"errors"

	"github.com/citizenstation/citizenstation/internal/apperr"
)

// cliError shows an apperr's message on the command line instead of its
// code-prefixed text.
func cliError(err error) error {
	var e *apperr.Error
	if errors.As(err, &e) && e.Kind != apperr.Internal {
		return errors.New(e.Message)
	}
	return err
}
