package staff_test

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/testapp"
	"github.com/patientvoice/patientvoice/testdb"
)

// liveSite runs the full server (background jobs included, so the live
// queue polls) on loopback with the real clock.
func liveSite(t *testing.T) (*testapp.App, string) {
	bs := testdb.Backends(t)
	a := testapp.New(t, bs[len(bs)-1], func(c *config.Config) { c.KioskRate = 0 })
	a.Server.Staff.SetSleep(func(time.Duration) {})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = a.Server.Serve(t.Context(), ln); close(done) }()
	t.Cleanup(func() { <-done })
	// localhost, not 127.0.0.1: browsers keep Secure (__Host-) cookies on
	// http://localhost only.
	return a, "http://localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func printPDF(ctx context.Context, t *chromedp.Target) ([]byte, error) {
	res, err := cdp.Call(ctx, t, page.PrintToPDF, page.PrintToPDFParams{})
	return res.Data, err
}
