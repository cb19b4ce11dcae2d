// Package background runs a component's work on a goroutine it owns
// between Start and Stop, on a context the component creates (never the
// caller's), so that Stop can end the work and wait for it. Sleep is the
// backoff of such a loop: it ends early when the context does.
package background
