#!/usr/bin/env bash
# Debian's Gson (libgoogle-gson-java, /usr/share/java/gson.jar) and a JDK for
# source/taildir's TestPositionFileWithGson, which checks the TAILDIR position
# file against the library Flume reads and writes it with
# (source/taildir/testdata/GsonPositions.java, run as a single-file program).
# Idempotent.
set -euo pipefail
pkgs=()
if [ ! -f /usr/share/java/gson.jar ]; then
	pkgs+=(libgoogle-gson-java)
fi
if ! command -v java >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
	pkgs+=(default-jdk-headless)
fi
if [ ${#pkgs[@]} -eq 0 ]; then
	exit 0
fi
source "$(dirname "$0")/../apt.sh"
apt_install "${pkgs[@]}"
