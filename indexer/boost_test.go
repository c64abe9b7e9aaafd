package indexer

import (
	"context"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
)

// explanations returns every message of an explanation tree.
func explanations(e *search.Explanation, out []string) []string {
	if e == nil {
		return out
	}
	out = append(out, e.Message)
	for _, c := range e.Children {
		out = explanations(c, out)
	}
	return out
}

// TestBoostsReachTheScores: the word, title and literal boosts change
// scores. bleve ignores a boost set on a Boolean, Conjunction or
// Disjunction query, so they must sit on the term queries.
func TestBoostsReachTheScores(t *testing.T) {
	ix := openTestIndex(t, []Passage{
		{ID: "literal", Title: "和解办法", Text: "当事人可以和解。"},
		{ID: "literal-no-title", Text: "当事人可以和解。"},
		{ID: "synonym", Text: "当事人可以调解。"},
		// So that 和解 and 调解 are equally rare.
		{ID: "synonym-2", Text: "双方同意调解。"},
	})
	syn, err := ParseSynonyms(strings.NewReader("# version: boost-test\n和解 => 调解\n"), "test")
	if err != nil {
		t.Fatal(err)
	}
	ix.SetSynonyms(syn)
	q, err := ParseQuery("和解")
	if err != nil {
		t.Fatal(err)
	}
	bq, err := ix.buildQuery(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	req := bleve.NewSearchRequest(bq)
	req.Explain = true
	res, err := ix.alias.Search(req)
	if err != nil {
		t.Fatal(err)
	}
	scores := map[string]float64{}
	messages := map[string]string{}
	for _, h := range res.Hits {
		scores[h.ID] = h.Score
		messages[h.ID] = strings.Join(explanations(h.Expl, nil), "\n")
	}
	if len(scores) != 4 {
		t.Fatalf("hits %v, want all four", scores)
	}
	for id, want := range map[string][]string{
		"literal":          {"text_word:和解^12.000000", "title_word:和解^6.000000"},
		"literal-no-title": {"text_word:和解^12.000000"},
		"synonym":          {"text_word:调解^4.000000"},
	} {
		for _, w := range want {
			if !strings.Contains(messages[id], w) {
				t.Errorf("%s: no %q in its explanation:\n%s", id, w, messages[id])
			}
		}
	}
	// The same sentence with the literal term and with its synonym: the
	// literal scores higher, and a title match on top higher still.
	if !(scores["literal"] > scores["literal-no-title"] && scores["literal-no-title"] > scores["synonym"]) {
		t.Errorf("scores %v: want literal with title > literal > synonym", scores)
	}
}
