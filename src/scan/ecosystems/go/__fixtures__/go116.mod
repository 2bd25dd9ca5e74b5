module github.com/acme/legacy

go 1.15

require (
	github.com/davecgh/go-spew v1.1.0
)
