package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/config"
	"github.com/citizenstation/citizenstation/internal/staff"
)

// userCommand is station user add|passwd|disable|list: staff accounts are
// managed from the server's command line, and each change is audited as made
// by the operating-system user who ran it.
func userCommand(stdin io.Reader, stdout, stderr io.Writer) *ffcli.Command {
	var cfg config.Platform
	newFlagSet := func(name string) *flag.FlagSet {
		fs := flag.NewFlagSet(name, flag.ContinueOnError)
		fs.SetOutput(stderr)
		cfg.RegisterFlags(fs)
		return fs
	}

	withStaff := func(ctx context.Context, fn func(*staff.Service, audit.Actor) error) error {
		p, err := openPlatform(ctx, &cfg, stderr)
		if err != nil {
			return err
		}
		defer p.Close()
		return fn(staff.NewService(p.pool, staff.Config{}), cliActor())
	}

	addFS := newFlagSet("station user add")
	var (
		username, role, wards string
		passwordStdin         bool
	)
	addFS.StringVar(&username, "username", "", "login name (lower-case letters, digits, . _ -)")
	addFS.StringVar(&role, "role", "", "ward_staff, duty_officer, command_centre or admin")
	addFS.StringVar(&wards, "ward", "", "ward code(s), comma-separated; optional for command_centre and admin")
	addFS.BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
	add := &ffcli.Command{
		Name:       "add",
		ShortUsage: "station user add --username U --role ROLE --ward CODE[,CODE] --password-stdin",
		ShortHelp:  "create a staff account",
		FlagSet:    addFS,
		Options:    envOptions,
		Exec: func(ctx context.Context, _ []string) error {
			password, err := readPassword(stdin, passwordStdin)
			if err != nil {
				return err
			}
			return withStaff(ctx, func(s *staff.Service, by audit.Actor) error {
				u, err := s.CreateUser(ctx, by, staff.NewUser{Username: username, Role: staff.Role(role), Wards: strings.Split(wards, ","), Password: password})
				if err != nil {
					return cliError(err)
				}
				fmt.Fprintf(stdout, "created %s (%s, wards %s)\n", u.Username, u.Role, wardList(u))
				return nil
			})
		},
	}

	passwdFS := newFlagSet("station user passwd")
	passwdFS.StringVar(&username, "username", "", "login name")
	passwdFS.BoolVar(&passwordStdin, "password-stdin", false, "read the new password from the first line of standard input")
	passwd := &ffcli.Command{
		Name:       "passwd",
		ShortUsage: "station user passwd --username U --password-stdin",
		ShortHelp:  "set a staff account's password and end its sessions",
		FlagSet:    passwdFS,
		Options:    envOptions,
		Exec: func(ctx context.Context, _ []string) error {
			password, err := readPassword(stdin, passwordStdin)
			if err != nil {
				return err
			}
			return withStaff(ctx, func(s *staff.Service, by audit.Actor) error {
				if err := s.SetPassword(ctx, by, username, password); err != nil {
					return cliError(err)
				}
				fmt.Fprintf(stdout, "password of %s changed; its sessions have ended\n", username)
				return nil
			})
		},
	}

	disableFS := newFlagSet("station user disable")
	disableFS.StringVar(&username, "username", "", "login name")
	disable := &ffcli.Command{
		Name:       "disable",
		ShortUsage: "station user disable --username U",
		ShortHelp:  "stop a staff account from signing in and end its sessions",
		FlagSet:    disableFS,
		Options:    envOptions,
		Exec: func(ctx context.Context, _ []string) error {
			return withStaff(ctx, func(s *staff.Service, by audit.Actor) error {
				if err := s.Disable(ctx, by, username); err != nil {
					return cliError(err)
				}
				fmt.Fprintf(stdout, "%s disabled\n", username)
				return nil
			})
		},
	}

	list := &ffcli.Command{
		Name:       "list",
		ShortUsage: "station user list",
		ShortHelp:  "list staff accounts",
		FlagSet:    newFlagSet("station user list"),
		Options:    envOptions,
		Exec: func(ctx context.Context, _ []string) error {
			return withStaff(ctx, func(s *staff.Service, _ audit.Actor) error {
				users, err := s.Users(ctx)
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "USERNAME\tROLE\tWARDS\tSTATE")
				for _, u := range users {
					state := "active"
					if u.Disabled {
						state = "disabled"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Username, u.Role, wardList(&u), state)
				}
				return tw.Flush()
			})
		},
	}

	return &ffcli.Command{
		Name:        "user",
		ShortUsage:  "station user <add|passwd|disable|list> [flags]",
		ShortHelp:   "manage staff accounts",
		FlagSet:     flag.NewFlagSet("station user", flag.ContinueOnError),
		Subcommands: []*ffcli.Command{add, passwd, disable, list},
		Exec:        func(context.Context, []string) error { return flag.ErrHelp },
	}
}

// readPassword reads the first line of stdin. Passwords never come from a
// flag, which would leave them in the shell history and the process list.
func readPassword(stdin io.Reader, fromStdin bool) (string, error) {
	if !fromStdin {
		return "", errors.New("give the password on standard input with --password-stdin")
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// cliActor is the operating-system user at the server, for the audit log.
func cliActor() audit.Actor {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return audit.Actor{Username: "os:" + name, Role: "cli", UserAgent: "station@" + host}
}

func wardList(u *staff.User) string {
	if len(u.Wards) == 0 && u.Role.SeesAllWards() {
		return "all"
	}
	return strings.Join(u.Wards, ",")
}
