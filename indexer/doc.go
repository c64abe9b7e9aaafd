// Package indexer analyses Chinese text and keeps the search index.
//
// Analysis normalises text (width, traditional to simplified, case) rune for
// rune, so every token's offsets point into the original text, then produces
// three representations of each passage: character bigrams positioned by
// character (exact substring phrases), unigrams (one-character queries) and
// gse dictionary words (ranking). See doc/analysis.md for the reasoning and
// the measurements behind it.
//
// Only this package imports bleve and gse.
package indexer
