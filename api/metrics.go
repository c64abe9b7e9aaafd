package api

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xuncha/xuncha/indexer"
)

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry, ix Searcher) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xuncha_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "xuncha_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.latency)
	if ix != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "xuncha_index_passages", Help: "Passages in the search index.",
		}, func() float64 {
			n, err := ix.Count()
			if err != nil {
				return -1
			}
			return float64(n)
		}))
		if cs, ok := ix.(interface{ CacheStats() indexer.CacheStats }); ok {
			reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "xuncha_result_cache_hits_total", Help: "Searches answered from the result cache.",
			}, func() float64 { return float64(cs.CacheStats().Hits) }))
			reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "xuncha_result_cache_misses_total", Help: "Searches computed (cache on, no cached result).",
			}, func() float64 { return float64(cs.CacheStats().Misses) }))
		}
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "xuncha_index_applied_seq", Help: "Store change sequence the index has applied.",
		}, func() float64 {
			n, err := ix.AppliedSeq()
			if err != nil {
				return -1
			}
			return float64(n)
		}))
	}
	return m
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}
