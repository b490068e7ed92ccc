package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// table collects rows (the first is the header) and writes them as a
// markdown table or as aligned text.
type table struct {
	markdown bool
	rows     [][]string
}

func (t *table) row(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(w io.Writer) {
	if len(t.rows) == 0 {
		return
	}
	if t.markdown {
		for i, r := range t.rows {
			esc := make([]string, len(r))
			for j, c := range r {
				// A pipe ends a cell even inside backquotes.
				esc[j] = strings.ReplaceAll(c, "|", `\|`)
			}
			fmt.Fprintf(w, "| %s |\n", strings.Join(esc, " | "))
			if i == 0 {
				fmt.Fprintf(w, "|%s\n", strings.Repeat("---|", len(r)))
			}
		}
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range t.rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	_ = tw.Flush()
}
