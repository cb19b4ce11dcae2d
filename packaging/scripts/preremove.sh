#!/bin/sh
# flume-ng prerm (deb: remove|upgrade|deconfigure|failed-upgrade; rpm
# %preun: 0 on erase, 1 on upgrade): stop the agents before their binary
# goes away (SIGTERM: they drain and stop).
set -e

case "$1" in
remove | deconfigure | 0)
	if [ -d /run/systemd/system ]; then
		systemctl stop 'flume-ng@*.service' >/dev/null 2>&1 || true
	fi
	;;
esac
exit 0
