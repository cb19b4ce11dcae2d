module github.com/flumego/flume

go 1.26.8

require (
	github.com/pavlo-v-chernykh/keystore-go/v4 v4.5.0
	software.sslmate.com/src/go-pkcs12 v0.7.4
)

require (
	go.etcd.io/bbolt v1.5.0 // indirect
	golang.org/x/crypto v0.11.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
)
