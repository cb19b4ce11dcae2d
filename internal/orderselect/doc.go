// Package orderselect is Flume's OrderSelector with its round-robin and
// random variants: the order in which a load_balance sink group
// (sinkgroup) and the SDK's load-balancing client (rpc) try their members,
// leaving out, with backoff, the members that failed recently. Backoff is
// also the penalty of Flume's failover sink processor.
//
// With backoff a member that fails is left out for min(maxTimeOut,
// 1 s × 2^n) after its n-th sequential failure (2 s, 4 s, 8 s, 16 s, 30 s,
// ...); n counts up to 16 and starts again at 1 when the member last failed
// more than that exclusion plus one hour ago.
package orderselect
