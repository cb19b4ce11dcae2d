#!/usr/bin/env bash
# A JDK for sink/datahub's TestJavaSemantics, which checks the DataHub sink's
# value conversions (Long.parseLong, Double.parseDouble, BigDecimal,
# String.split, SimpleDateFormat) against the JDK itself by running
# sink/datahub/testdata/JavaSemantics.java as a single-file program
# (java 11 or later with its compiler). Idempotent.
set -euo pipefail
if command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1; then
	exit 0
fi
source "$(dirname "$0")/../apt.sh"
apt_install default-jdk-headless
