module github.com/acme/gateway

go 1.21

toolchain go1.21.5

require (
	github.com/gin-gonic/gin v1.9.0
	golang.org/x/net v0.17.0 // indirect
	github.com/acme/internal v0.3.0
	"github.com/quoted/mod" v1.0.0
	gopkg.in/yaml.v3 v3.0.0-20200313102051-9f266ea9e77c // indirect
)

require github.com/docker/distribution v2.7.1+incompatible

replace github.com/acme/internal => ../internal

replace (
	golang.org/x/net v0.17.0 => golang.org/x/net v0.23.0
	github.com/gin-gonic/gin v1.8.0 => github.com/gin-gonic/gin v1.8.2
)

exclude gopkg.in/yaml.v3 v3.0.0-20200313102051-9f266ea9e77c

retract v0.1.0 // published by mistake
