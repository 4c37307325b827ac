package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/patientvoice/patientvoice/models"
)

// userCmd runs "user create|set-password|reset-mfa".
func userCmd(ctx context.Context, args []string, io stdio, env func(string) (string, bool)) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "create":
		return userCreate(ctx, args, io, env)
	case "set-password":
		return userSetPassword(ctx, args, io, env)
	case "reset-mfa":
		return userResetMFA(ctx, args, io, env)
	case "-h", "--help", "help":
		return userCreate(ctx, []string{"--help"}, io, env)
	}
	return errors.New(`user: unknown subcommand; use "user create", "user set-password" or "user reset-mfa"`)
}

// readPassword takes the first line of stdin.
func readPassword(io stdio, cmd string) (string, error) {
	line, err := bufio.NewReader(io.in).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("%s: no password on stdin (echo PASSWORD | patientvoice %s ...)", cmd, cmd)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// parseDepartments reads --departments: codes, "all", or nothing (none).
func parseDepartments(v string) (codes []string, all bool) {
	if strings.EqualFold(strings.TrimSpace(v), "all") {
		return nil, true
	}
	for _, c := range strings.Split(v, ",") {
		if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
			codes = append(codes, c)
		}
	}
	return codes, false
}

func userCreate(ctx context.Context, args []string, io stdio, env func(string) (string, bool)) error {
	fs := flags("user create --email E --name N --role agent|manager|admin [--departments CODE[,CODE...]|all]",
		fmt.Sprintf("Create a staff user. The password (at least %d characters, not a common one) is read from the first line of stdin; "+
			"the user must change it at the first sign-in.", models.MinPasswordLen), io)
	email := fs.String("email", "", "login email (required)")
	name := fs.String("name", "", "full name (required)")
	role := fs.String("role", "", "agent, manager or admin (required)")
	depts := fs.String("departments", "", `department codes an agent sees, comma-separated, or "all"; none when absent`)
	if err := parse(fs, args); err != nil {
		return err
	}
	if !models.ValidRole(*role) {
		return fmt.Errorf("user create: --role %q; use agent, manager or admin", *role)
	}
	pw, err := readPassword(io, "user create")
	if err != nil {
		return err
	}
	codes, all := parseDepartments(*depts)
	return withStore(ctx, env, func(store *models.Store) error {
		u, err := store.CreateUser(ctx, models.NewUser{Email: *email, Name: *name, Role: *role, Password: pw, Departments: codes, AllDepartments: all})
		if err != nil {
			return err
		}
		scope := "departments: none"
		switch {
		case u.Role != models.RoleAgent || u.AllDepartments:
			scope = "departments: all"
		case u.Departments != "":
			scope = "departments: " + u.Departments
		}
		_ = store.Audit(ctx, "cli", "user.create", fmt.Sprintf("user:%d", u.ID), "", u.Email+" "+u.Role+" "+scope)
		fmt.Fprintf(io.out, "user %s (%s, %s) created; the password must be changed at the first sign-in\n", u.Email, u.Role, scope)
		return nil
	})
}

func userSetPassword(ctx context.Context, args []string, io stdio, env func(string) (string, bool)) error {
	fs := flags("user set-password --email E",
		"Break-glass: set a staff user's password from the first line of stdin. Their sessions end, a lockout is lifted, "+
			"and they must choose a new password at the next sign-in. Audited.", io)
	email := fs.String("email", "", "login email (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	pw, err := readPassword(io, "user set-password")
	if err != nil {
		return err
	}
	return withStore(ctx, env, func(store *models.Store) error {
		u, err := store.UserByEmail(ctx, *email)
		if errors.Is(err, models.ErrNotFound) {
			return fmt.Errorf("user set-password: no account %q", *email)
		}
		if err != nil {
			return err
		}
		if err := store.SetPassword(ctx, u.ID, pw); err != nil {
			return fmt.Errorf("user set-password: %w", err)
		}
		if err := store.Audit(ctx, "cli", "user.reset-password", fmt.Sprintf("user:%d", u.ID), "", u.Email+": set from the command line, change forced, sessions ended"); err != nil {
			return err
		}
		fmt.Fprintf(io.out, "password of %s set; sessions ended; it must be changed at the next sign-in\n", u.Email)
		return nil
	})
}

func userResetMFA(ctx context.Context, args []string, io stdio, env func(string) (string, bool)) error {
	fs := flags("user reset-mfa --email E",
		"Break-glass: remove a staff user's second factor and recovery codes and end their sessions; "+
			"they set up a new one at the next sign-in. Audited.", io)
	email := fs.String("email", "", "login email (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withStore(ctx, env, func(store *models.Store) error {
		u, err := store.UserByEmail(ctx, *email)
		if errors.Is(err, models.ErrNotFound) {
			return fmt.Errorf("user reset-mfa: no account %q", *email)
		}
		if err != nil {
			return err
		}
		if err := store.ResetTOTP(ctx, u.ID); err != nil {
			return err
		}
		if err := store.Audit(ctx, "cli", "user.reset-mfa", fmt.Sprintf("user:%d", u.ID), "", u.Email+": second factor and recovery codes removed from the command line, sessions ended"); err != nil {
			return err
		}
		fmt.Fprintf(io.out, "second factor of %s removed; sessions ended; a new one is set up at the next sign-in\n", u.Email)
		return nil
	})
}
