// Command flume-ng is flumego's drop-in replacement for Apache Flume's
// flume-ng script: `flume-ng agent -n a1 -c conf -f conf/a1.properties`
// runs an agent from an unchanged Flume properties file.
package main
