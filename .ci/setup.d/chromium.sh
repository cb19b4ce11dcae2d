#!/usr/bin/env bash
# Installs Debian's Chromium, which the live page's test drives headless
# through the DevTools protocol (cmd/flume-ng livepage_test.go, with
# chromedp; no chromedriver needed). About 35 s on a clean machine.
set -euo pipefail
if command -v chromium >/dev/null; then
	exit 0
fi
source "$(dirname "$0")/../apt.sh"
apt_install chromium
