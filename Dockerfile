# flumego's agent in a container: a static flume-ng on a minimal base,
# running as a non-root user.
#
#   docker build -t flumego --build-arg COMMIT=$(git rev-parse HEAD) .
#   docker run -v $PWD/conf:/opt/flume-ng/conf flumego \
#       agent -n a1 -c /opt/flume-ng/conf -f /opt/flume-ng/conf/a1.properties
#
# Not built in this project's CI (its machines have no Docker engine); the
# binary it builds is the one make build makes.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
ARG COMMIT=""
ARG DATE=""
RUN bi=github.com/flumego/flume/internal/buildinfo && \
    CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X $bi.commit=${COMMIT} -X $bi.date=${DATE:-$(date -u +%Y-%m-%dT%H:%M:%SZ)} ${VERSION:+-X $bi.version=$VERSION}" \
      -o /out/bin/flume-ng ./cmd/flume-ng && \
    mkdir -p /out/conf /out/data && \
    cp packaging/conf/flume-conf.properties.template packaging/conf/flume-env.sh.template /out/conf/

# distroless/static: CA certificates, /etc/passwd with the nonroot user
# (65532), no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/bin/flume-ng /opt/flume-ng/bin/flume-ng
COPY --from=build --chown=65532:65532 /out/conf /opt/flume-ng/conf
COPY --from=build --chown=65532:65532 /out/data /var/lib/flume-ng
ENV FLUME_HOME=/opt/flume-ng HOME=/var/lib/flume-ng
WORKDIR /var/lib/flume-ng
USER 65532:65532
# The agent's configuration (a1.properties, flume-env.sh), and its data
# (file channels, whose default directories are under HOME).
VOLUME ["/opt/flume-ng/conf", "/var/lib/flume-ng"]
# The ports Flume's documentation uses: avro 4141, netcat 44444, syslog and
# http 5140; monitoring 41414 (flume.monitoring.port's default) and 34545
# (the port of Flume's monitoring example).
EXPOSE 4141 41414 44444 5140 34545
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/flume-ng/bin/flume-ng"]
CMD ["agent", "-n", "a1", "-c", "/opt/flume-ng/conf", "-f", "/opt/flume-ng/conf/a1.properties"]
