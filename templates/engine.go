// Package templates holds the HTML templates, embedded in the binary and
// parsed once at start so a broken template stops the server before it
// serves anything.
package templates

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"
)

//go:embed *.html */*.html
var files embed.FS

// Engine renders named pages; it satisfies fiber.Views.
type Engine struct {
	pages map[string]*template.Template
}

// Funcs available in every template.
func funcs() template.FuncMap {
	return template.FuncMap{
		"join":  strings.Join,
		"split": strings.Fields,
		"deref_int": func(n *int) int {
			if n == nil {
				return 0
			}
			return *n
		},
		"deref": func(t *time.Time) time.Time {
			if t == nil {
				return time.Time{}
			}
			return *t
		},
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
		"fmtTime": func(t time.Time, loc *time.Location) string {
			if t.IsZero() {
				return ""
			}
			return t.In(loc).Format("2006-01-02 15:04")
		},
		"add": func(a, b int) int { return a + b },
		"label": func(s string) string {
			s = strings.ReplaceAll(s, "_", " ")
			if s == "" {
				return s
			}
			return strings.ToUpper(s[:1]) + s[1:]
		},
		"contains": func(list []string, s string) bool {
			for _, x := range list {
				if x == s {
					return true
				}
			}
			return false
		},
		"seq": func(a, b int) []int {
			var out []int
			for i := a; i <= b; i++ {
				out = append(out, i)
			}
			return out
		},
	}
}

// New parses every page with the shared layouts and partials.
func New() (*Engine, error) {
	e := &Engine{pages: map[string]*template.Template{}}
	shared, err := fs.Glob(files, "layout/*.html")
	if err != nil {
		return nil, err
	}
	pages, err := fs.Glob(files, "*.html")
	if err != nil {
		return nil, err
	}
	more, _ := fs.Glob(files, "*/*.html")
	for _, m := range more {
		if !strings.HasPrefix(m, "layout/") {
			pages = append(pages, m)
		}
	}
	for _, p := range pages {
		// layouts first, then the page, so the page's blocks override the
		// layout's defaults
		t, err := template.New(p).Funcs(funcs()).ParseFS(files, shared...)
		if err == nil {
			t, err = t.ParseFS(files, p)
		}
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", p, err)
		}
		e.pages[strings.TrimSuffix(p, ".html")] = t.Lookup(path.Base(p))
	}
	return e, nil
}

// Load is part of fiber.Views; parsing already happened in New.
func (e *Engine) Load() error { return nil }

// Render executes page name with data.
func (e *Engine) Render(w io.Writer, name string, data any, _ ...string) error {
	t, ok := e.pages[name]
	if !ok {
		return fmt.Errorf("render: no template %q", name)
	}
	return t.Execute(w, data)
}
