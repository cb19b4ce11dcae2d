// Command packaging builds flumego's release artifacts (make dist):
// for each architecture, a static flume-ng, a tarball laid out as Apache
// Flume's binary release, and .deb and .rpm packages made with goreleaser's
// nfpm library.
//
//	go run . -root .. -out ../dist -arch amd64,arm64 -commit $(git rev-parse HEAD)
//
// It is a module of its own so that nfpm and its dependencies stay out of
// github.com/flumego/flume's module graph, which plugin authors and the
// plugin builder (flume-ng build) resolve.
//
// The tarball (flumego-<version>-linux-<arch>.tar.gz, one directory
// flumego-<version>-bin/):
//
//	bin/flume-ng
//	conf/flume-conf.properties.template
//	conf/flume-env.sh.template
//	plugins.d/README.md
//	docs/README.md, docs/plugins.md, docs/flume-ng@.service
//	LICENSE, NOTICE
//
// Flume's conf/log4j2.xml has no counterpart: flume-ng configures its
// logging from the flume.root.logger, flume.log.dir, flume.log.file,
// flumego.log.maxFileSize and flumego.log.maxBackupIndex system properties
// (command line or flume-env.sh). lib/ holds Flume's jars; flume-ng is one
// binary and needs none.
//
// The packages (flume-ng_<version>-1_<arch>.deb, flume-ng-<version>-1.<arch>.rpm)
// install /usr/bin/flume-ng, /etc/flume-ng/ (flume-env.sh, the template),
// /etc/default/flume-ng, the systemd unit flume-ng@.service, the
// documentation, and create the system account flume with its directories
// /var/lib/flume-ng and /var/log/flume-ng (scripts/).
package main
