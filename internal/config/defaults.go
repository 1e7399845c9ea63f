package config

import "flag"

// Defaults is a configuration as its flags default: what RegisterFlags
// sets on a flag set nothing is parsed into. Each package's DefaultConfig
// is this, so a default is written once, in its flag.
func Defaults[C any, P interface {
	*C
	RegisterFlags(fs *flag.FlagSet)
}]() C {
	var c C
	P(&c).RegisterFlags(flag.NewFlagSet("", flag.ContinueOnError))
	return c
}
