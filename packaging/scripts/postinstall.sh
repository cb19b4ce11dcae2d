#!/bin/sh
# flume-ng postinst (deb: configure [old-version]; rpm %post: 1 on install,
# 2 on upgrade): give the account its directories, let systemd see the unit,
# and restart the agents that run after an upgrade.
set -e

for d in /var/lib/flume-ng /var/log/flume-ng; do
	mkdir -p "$d"
	chown flume:flume "$d"
	chmod 0750 "$d"
done

if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || true
	upgrade=
	case "$1" in
	configure) [ -n "$2" ] && upgrade=1 ;;
	2) upgrade=1 ;;
	esac
	if [ -n "$upgrade" ]; then
		systemctl try-restart 'flume-ng@*.service' >/dev/null 2>&1 || true
	fi
fi
exit 0
