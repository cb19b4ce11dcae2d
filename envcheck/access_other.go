//go:build !unix

package envcheck

// writable cannot ask the system here; the component's start reports it.
func writable(string) string { return "" }

// readable cannot ask the system here; the component's start reports it.
func readable(string) string { return "" }
