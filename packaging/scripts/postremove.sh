#!/bin/sh
# flume-ng postrm (deb: remove|purge|upgrade|...; rpm %postun: 0 on erase,
# 1 on upgrade).
#
# purge (deb) deletes what the package made outside its file list: the
# agents' data (/var/lib/flume-ng: file channels, backups) and logs
# (/var/log/flume-ng); dpkg itself deletes the configuration files it
# installed. The flume account is kept, as Debian and Fedora practice is
# for system accounts: files it owns may remain elsewhere and a reused uid
# would own them. Remove it by hand (userdel flume) if you wish. rpm has no
# purge: an erase keeps data, logs and the account.
set -e

if [ "$1" = purge ]; then
	rm -rf /var/lib/flume-ng /var/log/flume-ng
	rmdir /etc/flume-ng 2>/dev/null || true
fi
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || true
fi
exit 0
