module github.com/flumego/flume

go 1.26.8

require (
	github.com/linkedin/goavro/v2 v2.15.0
	github.com/magiconair/properties v1.18.12
	github.com/pavlo-v-chernykh/keystore-go/v4 v4.5.0
	software.sslmate.com/src/go-pkcs12 v0.7.4
)

require (
	github.com/golang/snappy v0.0.1 // indirect
	golang.org/x/crypto v0.11.0 // indirect
)
