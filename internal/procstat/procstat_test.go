package procstat

import (
	"os"
	"runtime"
	"testing"
)

// TestPeakRSSOfThisProcess: after holding 64 MiB, the peak is at least that.
func TestPeakRSSOfThisProcess(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("PeakRSS reads /proc, which only Linux has")
	}
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	if got := PeakRSS(os.Getpid()); got < 64<<20 {
		t.Errorf("PeakRSS = %d, want at least %d", got, 64<<20)
	}
	runtime.KeepAlive(buf)
	if got := PeakRSS(-1); got != 0 {
		t.Errorf("PeakRSS(-1) = %d, want 0", got)
	}
}
