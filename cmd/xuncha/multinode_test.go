package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuncha/xuncha/internal/pgtest"
)

// TestMultiNodePostgres runs three xuncha nodes on one PostgreSQL store:
// writes go through node A while B serves searches; A is killed in the
// middle of imports; a new node C starts empty and builds its index from the
// store; A restarts. Every node must then hold every acknowledged write
// exactly once and give the same answers, B must have answered every
// search meanwhile, and a lexicon change made through B must reach A and C.
func TestMultiNodePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node: not in -short")
	}
	db := pgtest.Database(t)
	store := append([]string{"--store", db}, unlimited...)
	dirA, dirB, dirC := t.TempDir(), t.TempDir(), t.TempDir()

	a := startChild(t, dirA, store...)
	if a.Token == "" {
		t.Fatal("node A, first on an empty store, printed no admin token")
	}
	token := a.Token
	b := startChild(t, dirB, store...)
	defer func() { b.Stop() }()
	if b.Token != "" {
		t.Error("node B made a second first-admin token on a store that has one")
	}
	// The token made through A works on B: tokens live in the store.
	cb := apiClient{t, b.Base, token}

	// B answers searches all the time A writes and dies.
	var searches, failures atomic.Int64
	var firstFailure atomic.Value
	stopReads := make(chan struct{})
	readsDone := make(chan struct{})
	go func() {
		defer close(readsDone)
		client := &http.Client{Timeout: 10 * time.Second}
		for {
			select {
			case <-stopReads:
				return
			default:
			}
			req, _ := http.NewRequest("GET", b.Base+"/api/v1/search?q="+url.QueryEscape("巡察 整改")+"&facets=unit", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			res, err := client.Do(req)
			searches.Add(1)
			if err != nil || res.StatusCode != 200 {
				failures.Add(1)
				firstFailure.CompareAndSwap(nil, fmt.Sprint(err, res))
			}
			if res != nil {
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()

	acks := newAcked()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	// The writer has its own generator: rand.Rand is not safe for two
	// goroutines.
	w := &writer{c: apiClient{t, a.Base, token}, rng: rand.New(rand.NewPCG(seed, 8)), acked: acks, client: &http.Client{Timeout: 10 * time.Second}}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { w.run(stop); close(done) }()
	time.Sleep(time.Duration(1500+rng.IntN(1500)) * time.Millisecond)
	a.cmd.Process.Kill() // mid-import: SIGKILL, no shutdown
	a.cmd.Wait()
	close(stop)
	<-done
	if acks.n == 0 {
		t.Fatal("node A acknowledged no write before it was killed")
	}

	// Writes go through any node: B takes over.
	w2 := &writer{c: cb, cycle: 1, rng: rng, acked: acks, client: &http.Client{Timeout: 10 * time.Second}}
	for k := range 6 {
		if err := []func(int) error{w2.upload, w2.finding}[k%2](k); err != nil {
			t.Fatalf("write through B after A died: %v", err)
		}
	}

	c := startChild(t, dirC, store...) // starts empty, ready once caught up
	defer func() { c.Stop() }()
	a = startChild(t, dirA, store...)
	defer func() { a.Stop() }()
	close(stopReads)
	<-readsDone
	if failures.Load() > 0 {
		t.Errorf("B failed %d of %d searches while A wrote and died; first: %v", failures.Load(), searches.Load(), firstFailure.Load())
	}

	nodes := map[string]apiClient{"A": {t, a.Base, token}, "B": cb, "C": {t, c.Base, token}}
	waitConverged(t, nodes)
	for name, n := range nodes {
		acks.verify(t, n, "node "+name, true)
	}
	queries := []string{"巡察", "形式主义", "整改 -督查", `"崩溃循环"`, "单位:区委办公室", "会议记录"}
	sameAnswers(t, nodes, queries)

	// A lexicon change through B reaches A and C, which re-index for it.
	var resp struct{ Task struct{ ID string } }
	if status := cb.do("POST", "/api/v1/lexicon", strings.NewReader(`{"changes": [{"word": "整改主体责任"}], "why": "多节点测试"}`), "application/json", &resp); status != 202 {
		t.Fatalf("lexicon change through B: status %d", status)
	}
	deadline := time.Now().Add(90 * time.Second)
	for _, n := range []*serverProcess{a, c} {
		for !strings.Contains(n.stderr.String(), "applied the lexicon changed on another node") {
			if time.Now().After(deadline) {
				t.Fatalf("a node did not apply the lexicon changed on B:\n%s", n.stderr.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	var task struct{ State string }
	for cb.do("GET", "/api/v1/tasks/"+resp.Task.ID, nil, "", &task); task.State != "done"; cb.do("GET", "/api/v1/tasks/"+resp.Task.ID, nil, "", &task) {
		if time.Now().After(deadline) || task.State == "failed" {
			t.Fatalf("lexicon task on B: %+v", task)
		}
		time.Sleep(50 * time.Millisecond)
	}
	sameAnswers(t, nodes, append(queries, "整改主体责任", `"落实整改主体责任"`))

	// A synonym edit through B expands queries on A and C too.
	total := func(n apiClient, q string) int {
		var res struct{ Total int }
		n.do("GET", "/api/v1/search?q="+url.QueryEscape(q), nil, "", &res)
		return res.Total
	}
	// The findings say 会议记录不规范, the documents 被巡察党组织: the
	// synonym joins two sets that do not overlap.
	before, target := total(nodes["A"], "会议记录不规范"), total(nodes["A"], "被巡察党组织")
	if before == 0 || target == 0 {
		t.Fatalf("会议记录不规范 finds %d, 被巡察党组织 %d: nothing to join", before, target)
	}
	if status := cb.do("PUT", "/api/v1/synonyms", strings.NewReader(`{"text": "会议记录不规范 => 被巡察党组织\n", "why": "多节点测试"}`), "application/json", nil); status != 200 {
		t.Fatalf("synonym edit through B: status %d", status)
	}
	for _, n := range []*serverProcess{a, c} {
		for !strings.Contains(n.stderr.String(), "applied the synonyms changed on another node") {
			if time.Now().After(deadline) {
				t.Fatalf("a node did not apply the synonyms changed on B:\n%s", n.stderr.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	for name, n := range nodes {
		if got := total(n, "会议记录不规范"); got != before+target {
			t.Errorf("node %s: 会议记录不规范 finds %d after the synonym edit; want %d + %d (被巡察党组织)", name, got, before, target)
		}
	}
	sameAnswers(t, nodes, []string{"会议记录不规范"})

	// Each node's index holds exactly the store's passages.
	a.Stop()
	var out bytes.Buffer
	t.Setenv("XUNCHA_DATA", dirA)
	if err := run(context.Background(), []string{"check", "--store", db}, nil, &out, io.Discard); err != nil {
		t.Fatalf("check node A: %v\n%s", err, out.String())
	}
	t.Logf("%d writes acknowledged, none lost on any node; B answered %d searches meanwhile, none failed; %s",
		acks.n, searches.Load(), strings.ReplaceAll(strings.TrimSpace(out.String()), "\n", "; "))
}

// waitConverged waits until every node's index has applied every change of
// the store.
func waitConverged(t *testing.T, nodes map[string]apiClient) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		behind := []string{}
		var seq uint64
		for name, n := range nodes {
			var st struct {
				StoreSeq   uint64 `json:"store_seq"`
				AppliedSeq uint64 `json:"applied_seq"`
			}
			if status := n.do("GET", "/api/v1/stats", nil, "", &st); status != 200 || st.AppliedSeq < st.StoreSeq || (seq != 0 && st.StoreSeq != seq) {
				behind = append(behind, fmt.Sprintf("%s (%d of %d)", name, st.AppliedSeq, st.StoreSeq))
			}
			seq = max(seq, st.StoreSeq)
		}
		if len(behind) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nodes behind the store after 2 minutes: %v", behind)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// sameAnswers checks that every node finds the same number of hits and the
// same hits (as a set: ties in score may be ordered differently by indexes
// built in different orders) for each query with at most 1,000 hits.
func sameAnswers(t *testing.T, nodes map[string]apiClient, queries []string) {
	t.Helper()
	for _, q := range queries {
		got := map[string][]string{}
		totals := map[string]int{}
		for name, n := range nodes {
			// A page is a search of its own: a background merge between
			// two pages makes a new snapshot, whose document numbers (and
			// field statistics) order ties differently, and a hit can then
			// show on two pages and another on none. Such a listing is
			// paged again.
			for attempt := 0; ; attempt++ {
				got[name] = got[name][:0]
				for from := 0; from < 1000; from += 100 {
					var res struct {
						Total int
						Hits  []struct{ ID string }
					}
					if status := n.do("GET", fmt.Sprintf("/api/v1/search?size=100&from=%d&q=%s", from, url.QueryEscape(q)), nil, "", &res); status != 200 {
						t.Fatalf("node %s, %q: status %d", name, q, status)
					}
					totals[name] = res.Total
					for _, h := range res.Hits {
						got[name] = append(got[name], h.ID)
					}
					if from+100 >= res.Total {
						break
					}
				}
				slices.Sort(got[name])
				if len(slices.Compact(slices.Clone(got[name]))) == len(got[name]) || attempt == 4 {
					break
				}
				time.Sleep(500 * time.Millisecond)
			}
		}
		// Beyond 1,000 hits (the deepest page) the listed ones are only
		// the top: ties may differ there; the totals must not.
		sameSet := totals["A"] > 1000 || slices.Equal(got["A"], got["B"]) && slices.Equal(got["B"], got["C"])
		if totals["A"] != totals["B"] || totals["B"] != totals["C"] || !sameSet {
			t.Errorf("%q: the nodes differ: totals %v, hits listed A %d, B %d, C %d", q, totals, len(got["A"]), len(got["B"]), len(got["C"]))
		}
		if totals["A"] == 0 {
			t.Errorf("%q: no hits on any node; the comparison proves little", q)
		}
	}
}
