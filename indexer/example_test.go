package indexer_test

import (
	"context"
	"fmt"

	"github.com/xuncha/xuncha/indexer"
)

// The plain cut of a sentence from a speech: domain terms stay whole,
// traditional text is read as simplified, and offsets point into the input.
func ExampleAnalyzer_Segment() {
	seg, err := indexer.NewSegmenter(context.Background(), indexer.SegmenterOptions{})
	if err != nil {
		panic(err)
	}
	a := indexer.NewAnalyzer(seg)
	text := "落實一崗雙責，反对形式主义"
	for _, t := range a.Segment(text) {
		fmt.Printf("%s(%s) ", text[t.Start:t.End], t.Term)
	}
	fmt.Println()
	// Output: 落實(落实) 一崗雙責(一岗双责) ，(,) 反对(反对) 形式主义(形式主义)
}

// A phrase query is a chain of character bigrams: it matches exactly the
// passages that contain the phrase.
func ExamplePhraseOf() {
	p, err := indexer.PhraseOf("環境，保護")
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Bigrams)
	_, err = indexer.PhraseOf("，。！")
	fmt.Println(err)
	// Output:
	// [环境 境, ,保 保护]
	// nothing to search: the query has no letters, digits or Chinese characters
}
