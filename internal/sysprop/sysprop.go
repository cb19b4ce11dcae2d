package sysprop

import (
	"maps"
	"sync"
)

var (
	mu    sync.RWMutex
	props = map[string]string{}
)

// Set sets a system property.
func Set(key, value string) {
	mu.Lock()
	defer mu.Unlock()
	props[key] = value
}

// Get returns a system property and whether it is set.
func Get(key string) (string, bool) {
	mu.RLock()
	defer mu.RUnlock()
	v, ok := props[key]
	return v, ok
}

// All returns a copy of every system property.
func All() map[string]string {
	mu.RLock()
	defer mu.RUnlock()
	return maps.Clone(props)
}

// Reset removes every property; for tests.
func Reset() {
	mu.Lock()
	defer mu.Unlock()
	props = map[string]string{}
}
