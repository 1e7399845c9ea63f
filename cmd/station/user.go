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

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/citizenstation/citizenstation/internal/audit"
	"github.com/citizenstation/citizenstation/internal/staff"
)

// userCommand is station user add|passwd|disable|list: staff accounts are
// managed from the server's command line, and each change is audited as made
// by the operating-system user who ran it.
func (c *cli) userCommand() *ffcli.Command {
	return group("station user", "<add|passwd|disable|list> [flags]", "manage staff accounts",
		c.userAdd(), c.userPasswd(), c.userDisable(), c.userList())
}

// userFlags are the flags of the station user subcommands, with the
// password that -password-stdin reads.
type userFlags struct {
	username, role, wards string
	passwordStdin         bool
	password              string
}

// register adds -username and, when asked, -password-stdin to fs.
func (u *userFlags) register(fs *flag.FlagSet, usernameHelp, passwordHelp string) {
	fs.StringVar(&u.username, "username", "", usernameHelp)
	if passwordHelp != "" {
		fs.BoolVar(&u.passwordStdin, "password-stdin", false, passwordHelp)
	}
}

// onStaff is the onDB of the station user subcommands: f runs on the staff
// service as the operating-system user.
func onStaff(f func(ctx context.Context, s *staff.Service, by audit.Actor) error) func(context.Context, *platform, []string) error {
	return func(ctx context.Context, p *platform, _ []string) error {
		return cliError(f(ctx, staff.NewService(p.pool, staff.Config{}), cliActor()))
	}
}

// passwordFrom is the check of the subcommands that take a password: it
// reads it from stdin into u.password before the database is opened.
func (u *userFlags) passwordFrom(stdin io.Reader) func([]string) error {
	return func([]string) (err error) {
		u.password, err = readPassword(stdin, u.passwordStdin)
		return err
	}
}

func (c *cli) userAdd() *ffcli.Command {
	var u userFlags
	return c.build(command{
		path: "station user add", usage: "--username U --role ROLE --ward CODE[,CODE] --password-stdin",
		help: "create a staff account",
		flags: func(fs *flag.FlagSet) {
			u.register(fs, "login name (lower-case letters, digits, . _ -)", "read the password from the first line of standard input")
			fs.StringVar(&u.role, "role", "", "ward_staff, duty_officer, command_centre or admin")
			fs.StringVar(&u.wards, "ward", "", "ward code(s), comma-separated; optional for command_centre and admin")
		},
		check: u.passwordFrom(c.stdin),
		onDB: onStaff(func(ctx context.Context, s *staff.Service, by audit.Actor) error {
			created, err := s.CreateUser(ctx, by, staff.NewUser{Username: u.username, Role: staff.Role(u.role),
				Wards: strings.Split(u.wards, ","), Password: u.password})
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "created %s (%s, wards %s)\n", created.Username, created.Role, wardList(created))
			return nil
		}),
	})
}

func (c *cli) userPasswd() *ffcli.Command {
	var u userFlags
	return c.build(command{
		path: "station user passwd", usage: "--username U --password-stdin",
		help: "set a staff account's password and end its sessions",
		flags: func(fs *flag.FlagSet) {
			u.register(fs, "login name", "read the new password from the first line of standard input")
		},
		check: u.passwordFrom(c.stdin),
		onDB: onStaff(func(ctx context.Context, s *staff.Service, by audit.Actor) error {
			if err := s.SetPassword(ctx, by, u.username, u.password); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "password of %s changed; its sessions have ended\n", u.username)
			return nil
		}),
	})
}

func (c *cli) userDisable() *ffcli.Command {
	var u userFlags
	return c.build(command{
		path: "station user disable", usage: "--username U",
		help:  "stop a staff account from signing in and end its sessions",
		flags: func(fs *flag.FlagSet) { u.register(fs, "login name", "") },
		onDB: onStaff(func(ctx context.Context, s *staff.Service, by audit.Actor) error {
			if err := s.Disable(ctx, by, u.username); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "%s disabled\n", u.username)
			return nil
		}),
	})
}

func (c *cli) userList() *ffcli.Command {
	return c.build(command{
		path: "station user list", usage: "", help: "list staff accounts",
		onDB: onStaff(func(ctx context.Context, s *staff.Service, _ audit.Actor) error {
			users, err := s.Users(ctx)
			if err != nil {
				return err
			}
			tw := table(c.stdout, "USERNAME", "ROLE", "WARDS", "STATE")
			for _, x := range users {
				state := "active"
				if x.Disabled {
					state = "disabled"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", x.Username, x.Role, wardList(&x), state)
			}
			return tw.Flush()
		}),
	})
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
