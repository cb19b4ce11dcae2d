#!/usr/bin/env bash
# Installs promtool, which checks the monitoring server's Prometheus output
# (cmd/flume-ng promtool_test.go): Debian's prometheus package (2.42) holds
# it, but installing the package pulls 11 more packages (JavaScript for the
# server's web UI), creates a user and sets up the server (30 s on a clean
# machine); downloading the .deb and extracting promtool alone takes 7 s and
# installs nothing else. It goes to /usr/local/bin/promtool.
set -euo pipefail
if command -v promtool >/dev/null; then
	exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo="sudo"
fi
if [ ! -e /tmp/.flumego-apt-updated ]; then
	$sudo apt-get update -qq
	touch /tmp/.flumego-apt-updated
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root prometheus >/dev/null)
dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/root"
$sudo install -m 0755 "$tmp/root/usr/bin/promtool" /usr/local/bin/promtool
promtool --version 2>&1 | head -1
