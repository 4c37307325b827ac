// Package static holds CSS, JavaScript and icons, embedded in the binary:
// nothing is fetched from a CDN at run time.
package static

import "embed"

// FS is the static file tree served under /static/.
//
//go:embed *.css *.js *.svg
var FS embed.FS
