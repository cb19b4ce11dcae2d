// Command plugin is the webhook sink built as a Go plugin:
//
//	go build -buildmode=plugin -o plugins.d/webhook/lib/webhook.so ./examples/plugins/webhook/plugin
//
// Importing the package registers the sink (its init runs when the agent
// opens the .so).
package main
