// Package web holds the browser app (agent desktop, admin, login), built by Vite
// into dist/ and embedded into the switchboard binary.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist returns the built app. It holds only .gitkeep until `make web` has run.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed pattern above guarantees dist exists
	}
	return sub
}
