// Package corpus is xuncha's source of truth: the document and finding
// model, the parsers that turn real files into structured documents, and the
// store that keeps them.
//
// It imports none of bleve, gse or echo; the index is derived from what this
// package stores and can always be rebuilt from it.
package corpus
