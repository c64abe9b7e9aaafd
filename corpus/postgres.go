package corpus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PGStore is the shared store: a PostgreSQL database that several xuncha
// nodes read and write. It holds what BoltStore holds, row per record, with
// the same behaviour (the same store tests run against both).
//
// The change feed is an outbox table written in the same transaction as the
// data. Every write transaction first takes one advisory lock and numbers
// its changes after the largest committed one, so sequence numbers commit
// in order and without gaps: a node reading "changes after N" can never
// miss one that commits later with a smaller number (which a plain SERIAL
// column allows). Writers therefore take turns; readers never wait.
type PGStore struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// pgSchemaVersion names the table layout below; a database holding another
// is refused.
const pgSchemaVersion = "xuncha-pg-1"

// writeLock is the advisory lock key every write transaction takes
// ("xuncha" in ASCII).
const writeLock = 0x78756e636861

// Bodies are json, not jsonb: json keeps the text as written and accepts
// the \u0000 that jsonb refuses, so every document BoltStore stores can be
// stored here too.
const pgSchema = `
CREATE TABLE IF NOT EXISTS xuncha_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS documents (id text PRIMARY KEY, body json NOT NULL);
CREATE TABLE IF NOT EXISTS paragraphs (
	id text PRIMARY KEY,
	document_id text NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
	body json NOT NULL);
CREATE INDEX IF NOT EXISTS paragraphs_document ON paragraphs (document_id);
CREATE TABLE IF NOT EXISTS findings (id text PRIMARY KEY, body json NOT NULL);
CREATE TABLE IF NOT EXISTS history (finding_id text NOT NULL, seq bigint NOT NULL, body json NOT NULL, PRIMARY KEY (finding_id, seq));
CREATE TABLE IF NOT EXISTS changes (
	seq bigint PRIMARY KEY, op text NOT NULL, entity text NOT NULL, id text NOT NULL,
	at timestamptz NOT NULL, who text NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS works (
	work text NOT NULL, document_id text NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
	body json NOT NULL, PRIMARY KEY (work, document_id));
CREATE TABLE IF NOT EXISTS tokens (hash text PRIMARY KEY, id text NOT NULL UNIQUE, body json NOT NULL);
CREATE TABLE IF NOT EXISTS lexicon (word text PRIMARY KEY, body json NOT NULL);
CREATE TABLE IF NOT EXISTS lexicon_log (version bigint PRIMARY KEY, body json NOT NULL);
CREATE TABLE IF NOT EXISTS synonyms (version bigint PRIMARY KEY, body json NOT NULL);
`

// IsPostgresURL reports whether a store setting names a PostgreSQL
// database rather than a file.
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// OpenPostgres connects to the database at url (postgres://user@host/db),
// creating xuncha's tables if the database has none. It refuses a database
// holding another schema version.
func OpenPostgres(ctx context.Context, url string, opts StoreOptions) (*PGStore, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message can quote the URL, password included.
		return nil, fmt.Errorf("open store: %w: the PostgreSQL URL cannot be parsed (postgres://user:password@host:port/database)", ErrInvalid)
	}
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(cctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open store: postgres: %w", err)
	}
	s := &PGStore{pool: pool, now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.migrate(cctx, opts.ReadOnly); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store: postgres %s@%s/%s: %w", cfg.ConnConfig.User, cfg.ConnConfig.Host, cfg.ConnConfig.Database, err)
	}
	return s, nil
}

func (s *PGStore) migrate(ctx context.Context, readOnly bool) error {
	if readOnly {
		var v string
		err := s.pool.QueryRow(ctx, `SELECT value FROM xuncha_meta WHERE key = 'schema'`).Scan(&v)
		if err != nil {
			return err
		}
		if v != pgSchemaVersion {
			return fmt.Errorf("%w: schema %q, this xuncha reads %q", ErrCorrupt, v, pgSchemaVersion)
		}
		return nil
	}
	return s.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, pgSchema); err != nil {
			return err
		}
		var v string
		err := tx.QueryRow(ctx, `SELECT value FROM xuncha_meta WHERE key = 'schema'`).Scan(&v)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			// id names this store, so that a node can tell that its index
			// was built from another database.
			_, err = tx.Exec(ctx, `INSERT INTO xuncha_meta (key, value) VALUES ('schema', $1), ('id', gen_random_uuid()::text)`, pgSchemaVersion)
			return err
		case err != nil:
			return err
		case v != pgSchemaVersion:
			return fmt.Errorf("%w: schema %q, this xuncha reads %q", ErrCorrupt, v, pgSchemaVersion)
		}
		return nil
	})
}

// ID returns the store's identity, made when its tables were created.
func (s *PGStore) ID(ctx context.Context) (string, error) {
	var id string
	if err := s.pool.QueryRow(ctx, `SELECT value FROM xuncha_meta WHERE key = 'id'`).Scan(&id); err != nil {
		return "", fmt.Errorf("store id: %w", err)
	}
	return id, nil
}

// LexiconVersion returns the stored lexicon's version (0: never changed),
// cheaply: nodes ask it every poll.
func (s *PGStore) LexiconVersion(ctx context.Context) (uint64, error) {
	var v int64
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM lexicon_log`).Scan(&v); err != nil {
		return 0, fmt.Errorf("lexicon version: %w", err)
	}
	return uint64(v), nil
}

// Close closes the connections.
func (s *PGStore) Close() error { s.pool.Close(); return nil }

// Check verifies that the database answers and holds xuncha's schema.
// PostgreSQL checks its own pages (initdb --data-checksums); every record
// is also checked when it is read, as JSON.
func (s *PGStore) Check(ctx context.Context) error {
	var v string
	if err := s.pool.QueryRow(ctx, `SELECT value FROM xuncha_meta WHERE key = 'schema'`).Scan(&v); err != nil {
		return fmt.Errorf("check store: %w", err)
	}
	if v != pgSchemaVersion {
		return fmt.Errorf("check store: %w: schema %q", ErrCorrupt, v)
	}
	return nil
}

// write runs fn in a transaction holding the write lock, retrying on
// serialization failures and deadlocks.
func (s *PGStore) write(ctx context.Context, fn func(tx pgx.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(writeLock)); err != nil {
				return err
			}
			return fn(tx)
		})
		var pe *pgconn.PgError
		if attempt < 3 && errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01") {
			continue
		}
		return pgError(err)
	}
}

// pgError maps PostgreSQL's disk-full error to ErrDiskFull.
func pgError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "53100" {
		return fmt.Errorf("%w: %v", ErrDiskFull, err)
	}
	return err
}

// record appends a change to the feed in tx: the next sequence number after
// the largest committed one (tx holds the write lock).
func (s *PGStore) record(ctx context.Context, tx pgx.Tx, op Op, entity Entity, id, who string) (Change, error) {
	var last int64
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM changes`).Scan(&last); err != nil {
		return Change{}, err
	}
	c := Change{Seq: uint64(last) + 1, Op: op, Entity: entity, ID: id, At: s.now().UTC().Truncate(time.Microsecond), Who: who}
	_, err := tx.Exec(ctx, `INSERT INTO changes (seq, op, entity, id, at, who) VALUES ($1, $2, $3, $4, $5, $6)`,
		int64(c.Seq), string(op), string(entity), id, c.At, who)
	return c, err
}

func mustJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return b, nil
}

// Apply writes a batch in one transaction, as BoltStore.Apply does.
func (s *PGStore) Apply(ctx context.Context, b Batch, who string) (BatchResult, error) {
	var res BatchResult
	for _, d := range b.Documents {
		if err := ValidateDocument(d); err != nil {
			return res, err
		}
	}
	for _, f := range b.Findings {
		if err := ValidateFinding(f); err != nil {
			return res, err
		}
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	err := s.write(ctx, func(tx pgx.Tx) error {
		res = BatchResult{}
		ids := make([]string, len(b.Documents))
		for i, d := range b.Documents {
			ids[i] = d.ID
		}
		have := map[string]bool{}
		if len(ids) > 0 {
			rows, err := tx.Query(ctx, `SELECT id FROM documents WHERE id = ANY($1)`, ids)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					return err
				}
				have[id] = true
			}
			if err := rows.Err(); err != nil {
				return err
			}
		}
		var paras [][]any
		for _, d := range b.Documents {
			if have[d.ID] {
				res.Unchanged = append(res.Unchanged, d.ID)
				continue
			}
			have[d.ID] = true // the same document twice in a batch
			body, err := mustJSON(d)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO documents (id, body) VALUES ($1, $2)`, d.ID, body); err != nil {
				return err
			}
			for _, r := range ParagraphRecords(d) {
				pb, err := mustJSON(r)
				if err != nil {
					return err
				}
				paras = append(paras, []any{r.ID, d.ID, string(pb)})
			}
			if d.Kind == KindRegulation && d.Work != "" {
				eb, err := mustJSON(EditionRef{DocumentID: d.ID, Title: d.Title, Edition: d.Edition, Date: d.Date})
				if err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `INSERT INTO works (work, document_id, body) VALUES ($1, $2, $3)`, d.Work, d.ID, eb); err != nil {
					return err
				}
			}
			c, err := s.record(ctx, tx, OpPut, EntityDocument, d.ID, who)
			if err != nil {
				return err
			}
			res.Added = append(res.Added, d.ID)
			res.LastSeq = c.Seq
		}
		if len(paras) > 0 {
			// COPY: a law has hundreds of paragraphs; one INSERT each was
			// the slowest part of an import.
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"paragraphs"}, []string{"id", "document_id", "body"}, pgx.CopyFromRows(paras)); err != nil {
				return err
			}
		}
		for _, f := range b.Findings {
			added, changed, seq, err := s.putFinding(ctx, tx, f, who, "")
			if err != nil {
				return err
			}
			switch {
			case added:
				res.Added = append(res.Added, f.ID)
			case changed:
				res.Updated = append(res.Updated, f.ID)
			default:
				res.Unchanged = append(res.Unchanged, f.ID)
			}
			if seq > 0 {
				res.LastSeq = seq
			}
		}
		return ctx.Err()
	})
	if err != nil {
		return BatchResult{}, fmt.Errorf("store batch: %w", err)
	}
	return res, nil
}

func (s *PGStore) putFinding(ctx context.Context, tx pgx.Tx, f *Finding, who, note string) (added, changed bool, seq uint64, err error) {
	var before *Finding
	var raw []byte
	switch err := tx.QueryRow(ctx, `SELECT body FROM findings WHERE id = $1`, f.ID).Scan(&raw); {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return false, false, 0, err
	default:
		before = new(Finding)
		if err := json.Unmarshal(raw, before); err != nil {
			return false, false, 0, fmt.Errorf("%w: finding %s: %v", ErrCorrupt, f.ID, err)
		}
	}
	diff := diffFindings(before, f)
	if before != nil && len(diff) == 0 {
		return false, false, 0, nil
	}
	body, err := mustJSON(f)
	if err != nil {
		return false, false, 0, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO findings (id, body) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body`, f.ID, body); err != nil {
		return false, false, 0, err
	}
	c, err := s.record(ctx, tx, OpPut, EntityFinding, f.ID, who)
	if err != nil {
		return false, false, 0, err
	}
	h := HistoryEntry{Seq: c.Seq, At: c.At, Who: who, Op: OpPut, Note: note}
	if before != nil {
		h.Changes = diff
	}
	if err := putHistoryPG(ctx, tx, f.ID, h); err != nil {
		return false, false, 0, err
	}
	return before == nil, before != nil, c.Seq, nil
}

func putHistoryPG(ctx context.Context, tx pgx.Tx, id string, h HistoryEntry) error {
	body, err := mustJSON(h)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO history (finding_id, seq, body) VALUES ($1, $2, $3)`, id, int64(h.Seq), body)
	return err
}

// getJSON reads one body by key into v; ErrNotFound if there is none.
func (s *PGStore) getJSON(ctx context.Context, query, key string, v any) error {
	var raw []byte
	err := s.pool.QueryRow(ctx, query, key).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return nil
}

// GetDocument returns a document, or an error wrapping ErrNotFound.
func (s *PGStore) GetDocument(ctx context.Context, id string) (*Document, error) {
	var d Document
	if err := s.getJSON(ctx, `SELECT body FROM documents WHERE id = $1`, id, &d); err != nil {
		return nil, fmt.Errorf("get document %s: %w", id, err)
	}
	return &d, nil
}

// GetFinding returns a finding, or an error wrapping ErrNotFound.
func (s *PGStore) GetFinding(ctx context.Context, id string) (*Finding, error) {
	var f Finding
	if err := s.getJSON(ctx, `SELECT body FROM findings WHERE id = $1`, id, &f); err != nil {
		return nil, fmt.Errorf("get finding %s: %w", id, err)
	}
	return &f, nil
}

// GetParagraph returns one paragraph record, or an error wrapping
// ErrNotFound.
func (s *PGStore) GetParagraph(ctx context.Context, id string) (*ParagraphRecord, error) {
	var p ParagraphRecord
	if err := s.getJSON(ctx, `SELECT body FROM paragraphs WHERE id = $1`, id, &p); err != nil {
		return nil, fmt.Errorf("get paragraph %s: %w", id, err)
	}
	return &p, nil
}

// GetParagraphs returns the paragraph records with the given IDs that
// exist, by ID, in one query.
func (s *PGStore) GetParagraphs(ctx context.Context, ids []string) (map[string]*ParagraphRecord, error) {
	out := make(map[string]*ParagraphRecord, len(ids))
	err := getMany(ctx, s, `SELECT id, body FROM paragraphs WHERE id = ANY($1)`, ids, func(id string, raw []byte) error {
		var p ParagraphRecord
		if err := json.Unmarshal(raw, &p); err != nil {
			return fmt.Errorf("%w: paragraph %s: %v", ErrCorrupt, id, err)
		}
		out[id] = &p
		return nil
	})
	return out, err
}

// GetFindings returns the findings with the given IDs that exist, by ID,
// in one query.
func (s *PGStore) GetFindings(ctx context.Context, ids []string) (map[string]*Finding, error) {
	out := make(map[string]*Finding, len(ids))
	err := getMany(ctx, s, `SELECT id, body FROM findings WHERE id = ANY($1)`, ids, func(id string, raw []byte) error {
		var f Finding
		if err := json.Unmarshal(raw, &f); err != nil {
			return fmt.Errorf("%w: finding %s: %v", ErrCorrupt, id, err)
		}
		out[id] = &f
		return nil
	})
	return out, err
}

func getMany(ctx context.Context, s *PGStore, query string, ids []string, fn func(id string, raw []byte) error) error {
	rows, err := s.pool.Query(ctx, query, ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var raw []byte
		if err := rows.Scan(&id, &raw); err != nil {
			return err
		}
		if err := fn(id, raw); err != nil {
			return err
		}
	}
	return rows.Err()
}

// UpdateRectification changes a finding's rectification, as BoltStore's.
func (s *PGStore) UpdateRectification(ctx context.Context, id string, r Rectification, who, note string) (*Finding, error) {
	if _, ok := ParseStatus(string(r.Status)); !ok {
		return nil, fmt.Errorf("update rectification %s: %w: status %q is not one of 未整改, 整改中, 已整改, 长期坚持", id, ErrInvalid, r.Status)
	}
	var out *Finding
	err := s.write(ctx, func(tx pgx.Tx) error {
		var raw []byte
		err := tx.QueryRow(ctx, `SELECT body FROM findings WHERE id = $1`, id).Scan(&raw)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		var f Finding
		if err := json.Unmarshal(raw, &f); err != nil {
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		f.Rectification = r
		if _, _, _, err := s.putFinding(ctx, tx, &f, who, note); err != nil {
			return err
		}
		out = &f
		return ctx.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("update rectification %s: %w", id, err)
	}
	return out, nil
}

// PutFinding inserts or replaces one finding; it reports whether anything
// changed.
func (s *PGStore) PutFinding(ctx context.Context, f *Finding, who string) (bool, error) {
	return putFinding(ctx, s, f, who)
}

// Delete removes a document (with its paragraphs and edition) or a finding
// (its history is kept).
func (s *PGStore) Delete(ctx context.Context, entity Entity, id, who string) error {
	table := "documents"
	if entity == EntityFinding {
		table = "findings"
	} else if entity != EntityDocument {
		return fmt.Errorf("delete: %w: entity %q", ErrInvalid, entity)
	}
	err := s.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		c, err := s.record(ctx, tx, OpDelete, entity, id, who)
		if err != nil {
			return err
		}
		if entity == EntityFinding {
			return putHistoryPG(ctx, tx, id, HistoryEntry{Seq: c.Seq, At: c.At, Who: who, Op: OpDelete})
		}
		return ctx.Err()
	})
	if err != nil {
		return fmt.Errorf("delete %s %s: %w", entity, id, err)
	}
	return nil
}

// eachJSON runs query and decodes each row's single json column with fn.
func eachJSON(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, query string, args []any, fn func(raw []byte) error) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return err
		}
		if err := fn(raw); err != nil {
			return err
		}
	}
	return rows.Err()
}

// History returns a finding's history, oldest first.
func (s *PGStore) History(ctx context.Context, id string) ([]HistoryEntry, error) {
	var out []HistoryEntry
	err := eachJSON(ctx, s.pool, `SELECT body FROM history WHERE finding_id = $1 ORDER BY seq`, []any{id}, func(raw []byte) error {
		var h HistoryEntry
		if err := json.Unmarshal(raw, &h); err != nil {
			return fmt.Errorf("%w: history of %s: %v", ErrCorrupt, id, err)
		}
		out = append(out, h)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", id, err)
	}
	return out, nil
}

// Changes returns up to limit changes with sequence numbers above after,
// oldest first.
func (s *PGStore) Changes(ctx context.Context, after uint64, limit int) ([]Change, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, op, entity, id, at, who FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2`, int64(after), limit)
	if err != nil {
		return nil, fmt.Errorf("changes after %d: %w", after, err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		var seq int64
		var op, entity string
		if err := rows.Scan(&seq, &op, &entity, &c.ID, &c.At, &c.Who); err != nil {
			return nil, fmt.Errorf("changes after %d: %w", after, err)
		}
		c.Seq, c.Op, c.Entity, c.At = uint64(seq), Op(op), Entity(entity), c.At.UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("changes after %d: %w", after, err)
	}
	return out, nil
}

// LastSeq returns the sequence number of the latest change (0 for none).
func (s *PGStore) LastSeq(ctx context.Context) (uint64, error) {
	var seq int64
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM changes`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("last change: %w", err)
	}
	return uint64(seq), nil
}

// Counts returns how many documents and findings are stored.
func (s *PGStore) Counts(ctx context.Context) (documents, findings int, err error) {
	err = s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM findings)`).Scan(&documents, &findings)
	return documents, findings, err
}

// EachDocument calls fn with every document in ID order (byte order, as
// BoltStore), stopping at the first error. The rows are read in pages so
// that fn may take its time without holding a transaction open.
func (s *PGStore) EachDocument(ctx context.Context, fn func(*Document) error) error {
	return s.eachPaged(ctx, "documents", func(raw []byte) error {
		var d Document
		if err := json.Unmarshal(raw, &d); err != nil {
			return fmt.Errorf("%w: document: %v", ErrCorrupt, err)
		}
		return fn(&d)
	})
}

// EachFinding calls fn with every finding in ID order.
func (s *PGStore) EachFinding(ctx context.Context, fn func(*Finding) error) error {
	return s.eachPaged(ctx, "findings", func(raw []byte) error {
		var f Finding
		if err := json.Unmarshal(raw, &f); err != nil {
			return fmt.Errorf("%w: finding: %v", ErrCorrupt, err)
		}
		return fn(&f)
	})
}

func (s *PGStore) eachPaged(ctx context.Context, table string, fn func(raw []byte) error) error {
	const page = 200
	after := ""
	for {
		var ids []string
		var bodies [][]byte
		rows, err := s.pool.Query(ctx, `SELECT id, body FROM `+table+` WHERE id COLLATE "C" > $1 ORDER BY id COLLATE "C" LIMIT $2`, after, page)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			var raw []byte
			if err := rows.Scan(&id, &raw); err != nil {
				rows.Close()
				return err
			}
			ids, bodies = append(ids, id), append(bodies, raw)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, raw := range bodies {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(raw); err != nil {
				return err
			}
		}
		if len(ids) < page {
			return nil
		}
		after = ids[len(ids)-1]
	}
}

// Editions returns the editions of a work, oldest first.
func (s *PGStore) Editions(ctx context.Context, work string) ([]EditionRef, error) {
	var eds []EditionRef
	err := eachJSON(ctx, s.pool, `SELECT body FROM works WHERE work = $1`, []any{work}, func(raw []byte) error {
		var e EditionRef
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("%w: works register: %v", ErrCorrupt, err)
		}
		eds = append(eds, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("editions of %s: %w", work, err)
	}
	sortEditions(eds)
	return eds, nil
}

// sortEditions orders editions by the date they took effect, then by
// document ID (rows come in no fixed order).
func sortEditions(eds []EditionRef) {
	sort.SliceStable(eds, func(i, j int) bool {
		a, b := eds[i].effective(), eds[j].effective()
		if !a.Equal(b) {
			return a.Before(b)
		}
		return eds[i].DocumentID < eds[j].DocumentID
	})
}

// NotInForce returns the documents of regulations not in force on day, as
// BoltStore's.
func (s *PGStore) NotInForce(ctx context.Context, day time.Time) ([]string, error) {
	works := map[string][]EditionRef{}
	rows, err := s.pool.Query(ctx, `SELECT work, body FROM works`)
	if err != nil {
		return nil, fmt.Errorf("not in force: %w", err)
	}
	for rows.Next() {
		var work string
		var raw []byte
		if err := rows.Scan(&work, &raw); err != nil {
			rows.Close()
			return nil, fmt.Errorf("not in force: %w", err)
		}
		var e EditionRef
		if err := json.Unmarshal(raw, &e); err != nil {
			rows.Close()
			return nil, fmt.Errorf("not in force: %w: %v", ErrCorrupt, err)
		}
		works[work] = append(works[work], e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("not in force: %w", err)
	}
	var out []string
	for _, eds := range works {
		sortEditions(eds)
		out = append(out, notInForce(eds, day)...)
	}
	sort.Strings(out)
	return out, ctx.Err()
}

// CreateToken makes a token that does not expire.
func (s *PGStore) CreateToken(ctx context.Context, name string, role Role) (string, *Token, error) {
	return s.CreateTokenUntil(ctx, name, role, time.Time{})
}

// CreateTokenUntil makes a token that stops working at expires (zero:
// never) and returns its secret, which is never stored.
func (s *PGStore) CreateTokenUntil(ctx context.Context, name string, role Role, expires time.Time) (string, *Token, error) {
	secret, t, err := newToken(name, role, expires, s.now())
	if err != nil {
		return "", nil, err
	}
	body, err := mustJSON(t)
	if err != nil {
		return "", nil, err
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO tokens (hash, id, body) VALUES ($1, $2, $3)`, t.Hash, t.ID, body); err != nil {
		return "", nil, fmt.Errorf("create token: %w", pgError(err))
	}
	return secret, t, nil
}

// ListTokens returns every token (revoked ones too), oldest first.
func (s *PGStore) ListTokens(ctx context.Context) ([]Token, error) {
	var out []Token
	err := eachJSON(ctx, s.pool, `SELECT body FROM tokens`, nil, func(raw []byte) error {
		var t Token
		if err := json.Unmarshal(raw, &t); err != nil {
			return fmt.Errorf("%w: token: %v", ErrCorrupt, err)
		}
		out = append(out, t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out, nil
}

// RevokeToken revokes the token with the given ID.
func (s *PGStore) RevokeToken(ctx context.Context, id string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var hash string
		var raw []byte
		err := tx.QueryRow(ctx, `SELECT hash, body FROM tokens WHERE id = $1 FOR UPDATE`, id).Scan(&hash, &raw)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		var t Token
		if err := json.Unmarshal(raw, &t); err != nil {
			return fmt.Errorf("%w: token: %v", ErrCorrupt, err)
		}
		if !t.RevokedAt.IsZero() {
			return nil
		}
		t.RevokedAt = s.now().UTC()
		body, err := mustJSON(t)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE tokens SET body = $2 WHERE hash = $1`, hash, body)
		return err
	})
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", id, err)
	}
	return nil
}

// Authenticate returns the token whose secret this is, as BoltStore's.
func (s *PGStore) Authenticate(ctx context.Context, secret string) (*Token, error) {
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return nil, ErrTokenInvalid
	}
	var t Token
	err := s.getJSON(ctx, `SELECT body FROM tokens WHERE hash = $1`, hashToken(secret), &t)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrTokenInvalid
	}
	if err != nil {
		return nil, err
	}
	return checkToken(&t, hashToken(secret), s.now())
}

// ChangeLexicon applies lexicon changes in one transaction, as BoltStore's.
func (s *PGStore) ChangeLexicon(ctx context.Context, changes []LexiconChange, who, why string) (uint64, error) {
	why, err := checkLexiconChanges(ctx, changes, why)
	if err != nil {
		return 0, err
	}
	var version uint64
	err = s.write(ctx, func(tx pgx.Tx) error {
		var last int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM lexicon_log`).Scan(&last); err != nil {
			return err
		}
		version = uint64(last) + 1
		for _, c := range changes {
			body, err := mustJSON(LexiconWord{Word: c.Word, Freq: c.Freq, POS: c.POS, Removed: c.Remove, Version: version})
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO lexicon (word, body) VALUES ($1, $2) ON CONFLICT (word) DO UPDATE SET body = EXCLUDED.body`, c.Word, body); err != nil {
				return err
			}
		}
		body, err := mustJSON(LexiconEvent{Version: version, At: s.now().UTC(), Who: who, Why: why, Changes: changes})
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO lexicon_log (version, body) VALUES ($1, $2)`, int64(version), body)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("change lexicon: %w", err)
	}
	return version, nil
}

// Lexicon returns the stored lexicon's version and its words, sorted.
func (s *PGStore) Lexicon(ctx context.Context) (uint64, []LexiconWord, error) {
	var version int64
	var out []LexiconWord
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM lexicon_log`).Scan(&version); err != nil {
			return err
		}
		return eachJSON(ctx, tx, `SELECT body FROM lexicon`, nil, func(raw []byte) error {
			var w LexiconWord
			if err := json.Unmarshal(raw, &w); err != nil {
				return fmt.Errorf("%w: lexicon word: %v", ErrCorrupt, err)
			}
			out = append(out, w)
			return nil
		})
	})
	if err != nil {
		return 0, nil, fmt.Errorf("lexicon: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Word < out[j].Word })
	return uint64(version), out, nil
}

// LexiconHistory returns the recorded changes, newest first, at most limit.
func (s *PGStore) LexiconHistory(ctx context.Context, limit int) ([]LexiconEvent, error) {
	var out []LexiconEvent
	err := eachJSON(ctx, s.pool, `SELECT body FROM lexicon_log ORDER BY version DESC LIMIT $1`, []any{limit}, func(raw []byte) error {
		var e LexiconEvent
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("%w: lexicon change: %v", ErrCorrupt, err)
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lexicon history: %w", err)
	}
	return out, nil
}

// LexiconAt returns the lexicon as it was at version, and the words changed
// after it.
func (s *PGStore) LexiconAt(ctx context.Context, version uint64) ([]LexiconWord, []string, error) {
	var events []LexiconEvent
	err := eachJSON(ctx, s.pool, `SELECT body FROM lexicon_log ORDER BY version`, nil, func(raw []byte) error {
		var e LexiconEvent
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("%w: lexicon change: %v", ErrCorrupt, err)
		}
		events = append(events, e)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("lexicon at v%d: %w", version, err)
	}
	words, changed := replayLexicon(events, version)
	return words, changed, nil
}
