// Command patientvoice is the whole product in one binary: the server
// (serve, the default), schema migrations and the admin CLI.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

const usage = `patientvoice: patient feedback and patient relations for hospitals

Usage:
  patientvoice [serve]                      run the server (migrates first)
  patientvoice migrate                      bring the schema up to date and exit
  patientvoice token create --name N --scopes S[,S...]
                                            print a new API token (last line)
  patientvoice kiosk create --name N --department CODE
                                            print a new kiosk device token (last line)
  patientvoice user create --email E --name N --role agent|manager|admin [--departments CODE[,CODE...]|all]
                                            create a staff user; password on stdin
  patientvoice user set-password --email E  break-glass: set a password (stdin); changed at next sign-in
  patientvoice user reset-mfa --email E     break-glass: remove the second factor; enrol at next sign-in
  patientvoice seed [--responses N] [--cases M] [--days D]
                                            fill a scratch PV_DB with synthetic data for benchmarks
  patientvoice bench [--suite ingest|pages] [--n N] [--concurrency C] [--drain]
                                            performance figures on PV_DB (a scratch database)

Every command reads the environment documented in README.md (PV_DB, PV_SECRET, ...).
Run "patientvoice COMMAND --help" for a command's flags.
`

// io bundles the process streams so tests can run commands in-process.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	code := run(ctx, os.Args[1:], stdio{os.Stdin, os.Stdout, os.Stderr}, os.LookupEnv)
	stop()
	os.Exit(code)
}

// run dispatches a command line and returns the exit code.
func run(ctx context.Context, args []string, io stdio, env func(string) (string, bool)) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serveCmd(ctx, args, io, env)
	case "migrate":
		err = migrateCmd(ctx, args, io, env)
	case "bench":
		err = benchCmd(ctx, args, io, env)
	case "seed":
		err = seedCmd(ctx, args, io, env)
	case "user":
		err = userCmd(ctx, args, io, env)
	case "token", "kiosk":
		if len(args) == 0 || args[0] != "create" {
			if len(args) > 0 && isHelp(args[0]) {
				args = []string{"create", "--help"}
			} else {
				err = fmt.Errorf("%s: unknown subcommand; use \"%s create\"", cmd, cmd)
				break
			}
		}
		err = createCmd(ctx, cmd, args[1:], io, env)
	case "help", "-h", "--help":
		fmt.Fprint(io.out, usage)
	default:
		err = fmt.Errorf("unknown command %q; run patientvoice --help", cmd)
	}
	if err == errHelp {
		return 0
	}
	if err != nil {
		fmt.Fprintln(io.err, "patientvoice: "+oneLine(err.Error()))
		return 1
	}
	return 0
}

func isHelp(s string) bool { return s == "-h" || s == "--help" || s == "help" }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
