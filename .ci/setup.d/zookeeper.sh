#!/usr/bin/env bash
# Apache ZooKeeper (Debian's zookeeper package, run with java) for the tests
# of internal/zookeeper and of the Kafka source's zookeeperConnect: Flume's
# deprecated way to find the Kafka brokers, through the registrations Kafka
# keeps in ZooKeeper. internal/zookeeper/zktest starts a server from the
# package's jar. Idempotent.
set -euo pipefail
if [ -e /usr/share/java/zookeeper.jar ] && command -v java >/dev/null 2>&1; then
	exit 0
fi
source "$(dirname "$0")/../apt.sh"
apt_install default-jre-headless zookeeper
