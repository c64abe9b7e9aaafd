package corpus

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuncha/xuncha/internal/pgtest"
)

// testStore is every method the two backends share; the store tests run
// against both (eachStore).
type testStore interface {
	Apply(ctx context.Context, b Batch, who string) (BatchResult, error)
	PutFinding(ctx context.Context, f *Finding, who string) (bool, error)
	UpdateRectification(ctx context.Context, id string, r Rectification, who, note string) (*Finding, error)
	Delete(ctx context.Context, entity Entity, id, who string) error
	GetDocument(ctx context.Context, id string) (*Document, error)
	GetFinding(ctx context.Context, id string) (*Finding, error)
	GetParagraph(ctx context.Context, id string) (*ParagraphRecord, error)
	GetParagraphs(ctx context.Context, ids []string) (map[string]*ParagraphRecord, error)
	GetFindings(ctx context.Context, ids []string) (map[string]*Finding, error)
	History(ctx context.Context, id string) ([]HistoryEntry, error)
	Changes(ctx context.Context, after uint64, limit int) ([]Change, error)
	LastSeq(ctx context.Context) (uint64, error)
	Counts(ctx context.Context) (documents, findings int, err error)
	EachDocument(ctx context.Context, fn func(*Document) error) error
	EachFinding(ctx context.Context, fn func(*Finding) error) error
	Editions(ctx context.Context, work string) ([]EditionRef, error)
	NotInForce(ctx context.Context, day time.Time) ([]string, error)
	CreateToken(ctx context.Context, name string, role Role) (string, *Token, error)
	CreateTokenUntil(ctx context.Context, name string, role Role, expires time.Time) (string, *Token, error)
	ListTokens(ctx context.Context) ([]Token, error)
	RevokeToken(ctx context.Context, id string) error
	Authenticate(ctx context.Context, secret string) (*Token, error)
	ChangeLexicon(ctx context.Context, changes []LexiconChange, who, why string) (uint64, error)
	Lexicon(ctx context.Context) (uint64, []LexiconWord, error)
	LexiconHistory(ctx context.Context, limit int) ([]LexiconEvent, error)
	LexiconAt(ctx context.Context, version uint64) ([]LexiconWord, []string, error)
	SetSynonyms(ctx context.Context, text, who, why string) (uint64, error)
	Synonyms(ctx context.Context) (StoredSynonyms, error)
	SynonymsVersion(ctx context.Context) (uint64, error)
	Check(ctx context.Context) error
	Close() error
}

var (
	_ testStore = (*BoltStore)(nil)
	_ testStore = (*PGStore)(nil)
)

// testClock is a clock that moves one minute at every reading.
func testClock() func() time.Time {
	var mu sync.Mutex
	clock := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Minute)
		return clock
	}
}

// eachStore runs fn against an empty store of each backend: bbolt, and
// PostgreSQL (a fresh database on the test server; see internal/pgtest).
func eachStore(t *testing.T, fn func(t *testing.T, s testStore)) {
	t.Run("bolt", func(t *testing.T) {
		s, _ := openTestStore(t)
		fn(t, s)
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, openTestPG(t, testClock()))
	})
}

func openTestPG(t *testing.T, now func() time.Time) *PGStore {
	t.Helper()
	s, err := OpenPostgres(context.Background(), pgtest.Database(t), StoreOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestStoreDocumentsParagraphsAndDeletion: a document's paragraphs are kept
// for hits and go with it; listing is in ID order; counts follow.
func TestStoreDocumentsParagraphsAndDeletion(t *testing.T) {
	eachStore(t, func(t *testing.T, s testStore) {
		ctx := context.Background()
		a := testDoc(t, "关于开展巡察整改的通知\n一、总体要求\n坚持问题导向。\n二、工作安排\n逐项整改到位。")
		b := testDoc(t, "巡察工作规划\n坚持政治巡察定位，深化政治监督。")
		if _, err := s.Apply(ctx, Batch{Documents: []*Document{a, b, a}}, "x"); err != nil {
			t.Fatal(err)
		}
		if d, _, err := s.Counts(ctx); err != nil || d != 2 {
			t.Fatalf("counts: %d, %v", d, err)
		}
		ps := a.Paragraphs()
		p, err := s.GetParagraph(ctx, ps[1].ID)
		if err != nil || p.DocumentID != a.ID || p.Text != ps[1].Text || p.Title != a.Title || !slices.Equal(p.Path, ps[1].Path) {
			t.Fatalf("paragraph: %+v, %v", p, err)
		}
		many, err := s.GetParagraphs(ctx, []string{ps[0].ID, "d-none-p1", ps[2].ID})
		if err != nil || len(many) != 2 || many[ps[0].ID].Text != ps[0].Text || many[ps[2].ID].Text != ps[2].Text {
			t.Fatalf("paragraphs in one call: %+v, %v", many, err)
		}
		var ids []string
		if err := s.EachDocument(ctx, func(d *Document) error { ids = append(ids, d.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		want := []string{a.ID, b.ID}
		slices.Sort(want)
		if !slices.Equal(ids, want) {
			t.Errorf("documents listed %v, want %v", ids, want)
		}
		if err := s.Delete(ctx, EntityDocument, a.ID, "admin"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetParagraph(ctx, ps[0].ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("paragraph of a deleted document: %v", err)
		}
		if _, err := s.GetDocument(ctx, a.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("deleted document: %v", err)
		}
		if err := s.Delete(ctx, EntityDocument, a.ID, "admin"); !errors.Is(err, ErrNotFound) {
			t.Errorf("second delete: %v, want ErrNotFound", err)
		}
		if err := s.Delete(ctx, Entity("table"), a.ID, "admin"); !errors.Is(err, ErrInvalid) {
			t.Errorf("delete of an unknown entity: %v, want ErrInvalid", err)
		}
		c, err := s.Changes(ctx, 0, 100)
		if err != nil || len(c) != 3 || c[2].Op != OpDelete || c[2].ID != a.ID || c[2].Who != "admin" {
			t.Errorf("changes: %+v, %v", c, err)
		}
		if c, _ := s.Changes(ctx, 0, 2); len(c) != 2 {
			t.Errorf("changes with limit 2: %d", len(c))
		}
		// Deleted, the same text can be imported again.
		if res, err := s.Apply(ctx, Batch{Documents: []*Document{a}}, "x"); err != nil || len(res.Added) != 1 {
			t.Errorf("import again after delete: %+v, %v", res, err)
		}
	})
}

// TestStoreEditions: the works register orders a regulation's editions by
// the date they took effect and says which were not in force on a day.
func TestStoreEditions(t *testing.T) {
	eachStore(t, func(t *testing.T, s testStore) {
		ctx := context.Background()
		mk := func(text, edition string, date time.Time) *Document {
			d := testDoc(t, "中华人民共和国监察法\n"+text)
			d.Kind, d.Work, d.Edition, d.Date = KindRegulation, "中华人民共和国监察法", edition, date
			return d
		}
		e2024 := mk("第一条 2024年文本。", "2024", time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
		e2018 := mk("第一条 2018年文本。", "2018", time.Date(2018, 3, 20, 0, 0, 0, 0, time.UTC))
		if _, err := s.Apply(ctx, Batch{Documents: []*Document{e2024, e2018}}, "x"); err != nil {
			t.Fatal(err)
		}
		eds, err := s.Editions(ctx, "中华人民共和国监察法")
		if err != nil || len(eds) != 2 || eds[0].DocumentID != e2018.ID || eds[1].DocumentID != e2024.ID {
			t.Fatalf("editions: %+v, %v", eds, err)
		}
		out, err := s.NotInForce(ctx, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil || !slices.Equal(out, []string{e2024.ID}) {
			t.Errorf("not in force in 2020: %v, %v (want the 2024 edition)", out, err)
		}
		out, _ = s.NotInForce(ctx, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		if !slices.Equal(out, []string{e2018.ID}) {
			t.Errorf("not in force in 2026: %v (want the 2018 edition)", out)
		}
		if err := s.Delete(ctx, EntityDocument, e2018.ID, "x"); err != nil {
			t.Fatal(err)
		}
		if eds, _ := s.Editions(ctx, "中华人民共和国监察法"); len(eds) != 1 || eds[0].DocumentID != e2024.ID {
			t.Errorf("editions after deleting one: %+v", eds)
		}
	})
}

// TestStoreTokens: secrets are not stored; revoked, expired and unknown
// secrets are refused with their own errors.
func TestStoreTokens(t *testing.T) {
	eachStore(t, func(t *testing.T, s testStore) {
		ctx := context.Background()
		secret, tok, err := s.CreateToken(ctx, "alice", RoleEditor)
		if err != nil {
			t.Fatal(err)
		}
		if tok.Hash == secret || tok.Hash == "" {
			t.Fatalf("stored hash %q", tok.Hash)
		}
		got, err := s.Authenticate(ctx, secret)
		if err != nil || got.ID != tok.ID || got.Role != RoleEditor || got.Name != "alice" {
			t.Fatalf("authenticate: %+v, %v", got, err)
		}
		if _, err := s.Authenticate(ctx, secret+"x"); !errors.Is(err, ErrTokenInvalid) {
			t.Errorf("wrong secret: %v", err)
		}
		if _, err := s.Authenticate(ctx, "not-a-token"); !errors.Is(err, ErrTokenInvalid) {
			t.Errorf("malformed secret: %v", err)
		}
		// The test clock moves a minute per reading: this one expires at once.
		short, _, err := s.CreateTokenUntil(ctx, "bob", RoleReader, time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, short); !errors.Is(err, ErrTokenExpired) {
			t.Errorf("expired token: %v", err)
		}
		if err := s.RevokeToken(ctx, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, secret); !errors.Is(err, ErrTokenRevoked) {
			t.Errorf("revoked token: %v", err)
		}
		if err := s.RevokeToken(ctx, "t-nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("revoke unknown: %v", err)
		}
		list, err := s.ListTokens(ctx)
		if err != nil || len(list) != 2 || list[0].Name != "alice" || list[0].RevokedAt.IsZero() || list[1].Name != "bob" {
			t.Errorf("list: %+v, %v", list, err)
		}
		if _, _, err := s.CreateToken(ctx, "x", Role("root")); !errors.Is(err, ErrInvalid) {
			t.Errorf("unknown role: %v", err)
		}
	})
}

// TestStoreLexiconAt replays the recorded lexicon to an earlier version.
func TestStoreLexiconAt(t *testing.T) {
	eachStore(t, func(t *testing.T, s testStore) {
		ctx := context.Background()
		if _, err := s.ChangeLexicon(ctx, []LexiconChange{{Word: "过度留痕"}, {Word: "一岗双责"}}, "a", "新提法"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ChangeLexicon(ctx, []LexiconChange{{Word: "过度留痕", Remove: true}, {Word: "表态多调门高"}}, "b", "调整"); err != nil {
			t.Fatal(err)
		}
		words, changed, err := s.LexiconAt(ctx, 1)
		if err != nil || len(words) != 2 || words[1].Word != "过度留痕" || words[1].Removed {
			t.Fatalf("at v1: %+v, %v", words, err)
		}
		if !slices.Equal(changed, []string{"表态多调门高", "过度留痕"}) {
			t.Errorf("changed after v1: %v", changed)
		}
	})
}

// TestStoreSynonyms: versions of the synonym file, the latest served;
// bad files refused.
func TestStoreSynonyms(t *testing.T) {
	eachStore(t, func(t *testing.T, s testStore) {
		ctx := context.Background()
		if cur, err := s.Synonyms(ctx); err != nil || cur.Version != 0 || cur.Text != "" {
			t.Fatalf("none stored: %+v, %v", cur, err)
		}
		for _, bad := range []struct{ text, why, msg string }{
			{"四风, 形式主义", "", "say why"},
			{"四风\xff", "x", "UTF-8"},
			{"a\x00b", "x", "UTF-8"},
			{strings.Repeat("四风, 形式主义\n", MaxSynonymBytes/20), "x", "at most"},
		} {
			if _, err := s.SetSynonyms(ctx, bad.text, "a", bad.why); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), bad.msg) {
				t.Errorf("%.20q: %v, want ErrInvalid saying %q", bad.text, err, bad.msg)
			}
		}
		if v, err := s.SetSynonyms(ctx, "四风, 形式主义\n", "alice", "初版"); err != nil || v != 1 {
			t.Fatalf("first: %d, %v", v, err)
		}
		if v, err := s.SetSynonyms(ctx, "三不腐 => 不敢腐 不能腐 不想腐\n", "bob", "补充"); err != nil || v != 2 {
			t.Fatalf("second: %d, %v", v, err)
		}
		cur, err := s.Synonyms(ctx)
		if err != nil || cur.Version != 2 || cur.Who != "bob" || cur.Why != "补充" || !strings.HasPrefix(cur.Text, "三不腐") {
			t.Errorf("latest: %+v, %v", cur, err)
		}
		if v, err := s.SynonymsVersion(ctx); err != nil || v != 2 {
			t.Errorf("version: %d, %v", v, err)
		}
		if err := s.Check(ctx); err != nil {
			t.Errorf("check: %v", err)
		}
	})
}

// TestStoreFeedUnderConcurrentWriters: writers on many goroutines, a reader
// following the feed as they write. The reader must see every sequence
// number exactly once, in order, with no gap: a follower that saw N+1 never
// gets N later (which a plain SERIAL column would allow in PostgreSQL).
func TestStoreFeedUnderConcurrentWriters(t *testing.T) {
	eachStore(t, func(t *testing.T, s testStore) {
		ctx := context.Background()
		const writers, each = 6, 25
		done := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					f := testFinding(fmt.Sprintf("单位%d", w), fmt.Sprintf("问题%d", i))
					if _, err := s.PutFinding(ctx, f, "w"); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		go func() { wg.Wait(); close(done) }()
		var seen uint64
		finished := false
		for !finished {
			select {
			case <-done:
				finished = true
			default:
			}
			c, err := s.Changes(ctx, seen, 50)
			if err != nil {
				t.Fatal(err)
			}
			for _, ch := range c {
				if ch.Seq != seen+1 {
					t.Fatalf("after %d the feed gave %d", seen, ch.Seq)
				}
				seen = ch.Seq
			}
		}
		for {
			c, err := s.Changes(ctx, seen, 50)
			if err != nil {
				t.Fatal(err)
			}
			if len(c) == 0 {
				break
			}
			for _, ch := range c {
				if ch.Seq != seen+1 {
					t.Fatalf("after %d the feed gave %d", seen, ch.Seq)
				}
				seen = ch.Seq
			}
		}
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if seen != writers*each {
			t.Errorf("followed %d changes, want %d", seen, writers*each)
		}
		if last, _ := s.LastSeq(ctx); last != seen {
			t.Errorf("last seq %d, followed %d", last, seen)
		}
		n := 0
		if err := s.EachFinding(ctx, func(*Finding) error { n++; return nil }); err != nil || n != writers*each {
			t.Errorf("findings listed: %d, %v", n, err)
		}
	})
}

// TestPostgresRefusesBadURLAndForeignSchema: a URL that cannot be parsed is
// refused without echoing it (it may hold a password); a database holding
// another schema version is refused, not written.
func TestPostgresRefusesBadURLAndForeignSchema(t *testing.T) {
	ctx := context.Background()
	if _, err := OpenPostgres(ctx, "postgres://user:secret@[::1/db", StoreOptions{}); !errors.Is(err, ErrInvalid) || strings.Contains(err.Error(), "secret") {
		t.Errorf("bad URL: %v", err)
	}
	url := pgtest.Database(t)
	s, err := OpenPostgres(ctx, url, StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `UPDATE xuncha_meta SET value = 'xuncha-pg-99' WHERE key = 'schema'`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := OpenPostgres(ctx, url, StoreOptions{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("foreign schema: %v, want ErrCorrupt", err)
	}
}
