// Package browsertest runs real headless Chromium (Debian's) for page
// tests through chromedp, with axe-core for accessibility. Locally a test
// skips with a clear message when Chromium or axe is missing; with
// PV_TEST_REQUIRE_BROWSER=1 (CI) it fails instead.
package browsertest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gofiber/fiber/v2"
)

func required() bool { return os.Getenv("PV_TEST_REQUIRE_BROWSER") == "1" }

func missing(t testing.TB, what string) {
	t.Helper()
	if required() {
		t.Fatalf("%s is missing and PV_TEST_REQUIRE_BROWSER=1", what)
	}
	t.Skipf("skipping browser test: %s is missing (apt-get install chromium; see .ci/run)", what)
}

// Chromium finds the browser binary.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{os.Getenv("PV_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	missing(t, "Chromium")
	return ""
}

// New starts a headless browser tab with the given window size, closed
// when the test ends.
func New(t testing.TB, width, height int) context.Context {
	t.Helper()
	path := Chromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(width, height),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelT(); cancel(); cancelA() })
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// Serve runs app on a real loopback listener and returns its base URL.
func Serve(t testing.TB, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
	return "http://" + ln.Addr().String()
}

// AxeTags are the WCAG rule sets every page must pass.
var AxeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// AxeSource returns axe.min.js from PV_AXE_JS or a node_modules nearby.
func AxeSource(t testing.TB) string {
	t.Helper()
	cands := []string{os.Getenv("PV_AXE_JS")}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; d != "/" && d != "."; d = filepath.Dir(d) {
			cands = append(cands, filepath.Join(d, ".ci/node_modules/axe-core/axe.min.js"), filepath.Join(d, "node_modules/axe-core/axe.min.js"))
		}
	}
	for _, c := range cands {
		if c == "" {
			continue
		}
		if b, err := os.ReadFile(c); err == nil {
			return string(b)
		}
	}
	missing(t, "axe-core (npm install axe-core@4.14.1, or set PV_AXE_JS)")
	return ""
}

// Axe injects axe-core into the page and returns a description of every
// violation of AxeTags (empty when the page passes).
func Axe(ctx context.Context, src string) ([]string, error) {
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
		return nil, fmt.Errorf("inject axe: %w", err)
	}
	type node struct {
		Target []string `json:"target"`
	}
	type violation struct {
		ID    string `json:"id"`
		Help  string `json:"help"`
		Nodes []node `json:"nodes"`
	}
	tags := `["` + strings.Join(AxeTags, `","`) + `"]`
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]violation](
		`axe.run(document, {runOnly: {type: "tag", values: `+tags+`}}).then(r => r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => ({target: n.target.map(String)}))})))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("run axe: %w", err)
	}
	var out []string
	for _, v := range vs {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, strings.Join(n.Target, " "))
		}
		out = append(out, fmt.Sprintf("%s (%s) at %s", v.ID, v.Help, strings.Join(where, "; ")))
	}
	return out, nil
}

// Do runs browser steps and fails the test on error.
func Do(t testing.TB, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// Eval evaluates js in the page and returns its value.
func Eval[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// Screenshot saves a PNG of the page (whole page when full) to
// docs/screenshots when PV_UPDATE_SCREENSHOTS=1, else to a temp dir.
func Screenshot(t testing.TB, ctx context.Context, name string, full bool) {
	t.Helper()
	shot := chromedp.CaptureScreenshot()
	if full {
		shot = chromedp.FullScreenshot(100)
	}
	png, err := chromedp.Run(ctx, shot)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if os.Getenv("PV_UPDATE_SCREENSHOTS") == "1" {
		dir = "../docs/screenshots"
		_ = os.MkdirAll(dir, 0o755)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
