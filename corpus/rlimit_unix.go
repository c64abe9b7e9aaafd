//go:build unix

package corpus

import "syscall"

// limitAddressSpace caps the process's virtual memory, so that a PDF that
// makes the library allocate without end kills the child, not the machine.
// Failure to set it is ignored: debug.SetMemoryLimit still applies.
func limitAddressSpace(bytes int64) {
	if bytes <= 0 {
		return
	}
	lim := syscall.Rlimit{Cur: uint64(bytes), Max: uint64(bytes)}
	_ = syscall.Setrlimit(syscall.RLIMIT_AS, &lim) // best effort, see above
}
