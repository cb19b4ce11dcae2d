#!/bin/sh
# flume-ng preinst (deb: install|upgrade; rpm %pre: 1|2): create the system
# account the agents run as, before the files it owns are unpacked.
set -e

if ! getent group flume >/dev/null 2>&1; then
	groupadd --system flume
fi
if ! getent passwd flume >/dev/null 2>&1; then
	nologin=/usr/sbin/nologin
	[ -x "$nologin" ] || nologin=/sbin/nologin
	useradd --system --gid flume --home-dir /var/lib/flume-ng --no-create-home \
		--shell "$nologin" --comment "Flume agent (flumego)" flume
fi
exit 0
