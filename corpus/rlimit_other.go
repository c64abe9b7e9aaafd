//go:build !unix

package corpus

// limitAddressSpace is a no-op where rlimits do not exist.
func limitAddressSpace(int64) {}
