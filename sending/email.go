package sending

import (
	"fmt"
	"html"
)

// EmailHTML is the one layout of every patient email: a greeting, one
// paragraph, one button, and a small footer with an optional link, in the
// patient's language (lang, a BCP 47 tag) and its direction (dir, "ltr" or
// "rtl", from the translation catalog). Every text is escaped.
func EmailHTML(lang, dir, hello, body, link, button, footer, footerLink string) string {
	if dir != "rtl" {
		dir = "ltr"
	}
	e := html.EscapeString
	foot := e(footer)
	if footerLink != "" {
		foot += fmt.Sprintf(` <a href="%s">%s</a>`, e(footerLink), e(footerLink))
	}
	return fmt.Sprintf(`<!doctype html><html lang="%s" dir="%s"><body style="font-family:sans-serif;line-height:1.5;color:#14202e">
<p>%s</p><p>%s</p>
<p><a href="%s" style="display:inline-block;background:#0b5cad;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:bold">%s</a></p>
<p style="font-size:13px;color:#4a5868">%s</p></body></html>`, e(lang), dir, e(hello), e(body), e(link), e(button), foot)
}
