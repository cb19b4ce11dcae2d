// Package loadevent builds the events of flumego's benchmark loads (`flume-ng
// bench` and the load generators behind it): bodies of a given size and up
// to N headers of realistic names and lengths, as interceptors and
// application SDKs produce them.
package loadevent
