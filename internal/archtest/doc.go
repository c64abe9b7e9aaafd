// Package archtest holds no code: its test keeps the import graph the
// architecture (cmd → api → indexer → corpus).
package archtest
