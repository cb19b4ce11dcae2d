package main

import _ "github.com/flumego/flume/examples/plugins/webhook"

func main() {}
