// Package kafkaconf reads what Flume's Kafka sink, source and channel share
// (as Telegraf's plugins/common/kafka): the brokers, the security settings,
// Flume's deprecated names, and the Java client properties under
// kafka.producer. and kafka.consumer., into library-neutral values.
//
//   - ParseBrokers: kafka.bootstrap.servers, or a deprecated name
//     (brokerList), with Flume's "Bootstrap Servers must be specified".
//     WarnRenamed and Value implement Flume's translateOldProps (a
//     deprecated name applies only when its replacement is absent);
//     IgnoreObsolete warns about the 0.8-era keys Flume 1.11 ignores.
//   - ParseSecurity: security.protocol (PLAINTEXT, SSL, SASL_PLAINTEXT,
//     SASL_SSL); sasl.mechanism PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 with
//     the credentials of sasl.jaas.config or of the KafkaClient section of
//     the -Djava.security.auth.login.config file (GSSAPI, Kafka's default,
//     is refused as unsupported); the ssl.* trust and key stores (JKS,
//     PKCS12, PEM) through internal/tlsconf with Kafka's key names, the
//     javax.net.ssl.* stores filling what is unset as Flume's
//     KafkaSSLUtil does, and the broker's host name checked unless
//     ssl.disableTLSHostnameVerification = true. The result is a
//     *tls.Config and a SASL description.
//   - ParseProducer and ParseConsumer: every kafka.producer.* and
//     kafka.consumer.* key is read into Producer or Consumer (mapped),
//     accepted with a warning saying why it has no effect, refused with
//     flume.ErrUnsupported, or warned about as unknown, by name
//     (ProducerTable, ConsumerTable, Table.Check). Each problem is located
//     at the key the user wrote.
//
// The process-wide settings (javax.net.ssl.*, the JAAS file) come in as
// Globals; SystemGlobals reads this process's.
//
// Adapters turn the neutral values into a client library's options:
// kafkagoconf for segmentio/kafka-go (the sink's producer) and kgoconf for
// franz-go's kgo (any client; consumer groups included). A Kafka source or
// channel reads its keys as the sink does:
//
//	g := kafkaconf.SystemGlobals()
//	kafkaconf.WarnRenamed(cfg, channelRenames)
//	brokers := kafkaconf.ParseBrokers(cfg, "brokerList")
//	cons := kafkaconf.ParseConsumer(cfg, kafkaconf.ConsumerOptions{AutoOffsetReset: "earliest", OldGroupIDKey: "groupId", Globals: g})
//	prod := kafkaconf.ParseProducer(cfg, kafkaconf.ProducerOptions{Acks: kafkaconf.AcksAll, Globals: g})
//	opts, err := kgoconf.ConsumerOpts(brokers, cons)
package kafkaconf
