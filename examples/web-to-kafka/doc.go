// Command web-to-kafka runs the web-to-kafka example on this machine: two
// web-server agents (web.properties) follow their access logs into file
// channels and send them to a consolidation agent
// (consolidator.properties), which writes them to a Kafka topic.
//
//	go run ./examples/web-to-kafka                        # in-process Kafka-protocol broker
//	KAFKA_BROKERS=host:9092 go run ./examples/web-to-kafka  # your cluster
//
// It writes numbered lines to both access logs, stops the consolidation
// agent for a while (the web agents keep the lines in their file
// channels), starts it again, and counts the records that reached the
// topic. See README.md.
package main
