package kbindex

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// A search reads a word's postings in a field through the term dictionaries
// of a dictSet it holds alone, and through a termReader kept between
// searches: scorch's own term field reader opens every segment's
// dictionary of the field anew for each word, and allocates its postings
// and iterators each time (its recycling is off, and would keep them per
// snapshot of each of a thousand tenants' indexes). A dictionary's lookups
// use a reader state of its own, so a set serves one search at a time; a
// snapshot keeps the sets its searches gave back.

// dictSet is the term dictionaries of a snapshot's segments, by field, for
// one search at a time.
type dictSet struct {
	segs    []*scorch.SegmentSnapshot
	offsets []uint64 // each segment's first document number in the snapshot
	byField map[string][]segment.TermDictionary
}

// lendDicts lends a dictSet of the snapshot; give it back with putDicts.
func (c *snapCache) lendDicts(is *scorch.IndexSnapshot) *dictSet {
	c.mu.Lock()
	if n := len(c.freeDicts); n > 0 {
		ds := c.freeDicts[n-1]
		c.freeDicts = c.freeDicts[:n-1]
		c.mu.Unlock()
		return ds
	}
	c.mu.Unlock()
	segs := is.Segments()
	ds := &dictSet{segs: segs, offsets: make([]uint64, len(segs)), byField: map[string][]segment.TermDictionary{}}
	var running uint64
	for i, s := range segs {
		ds.offsets[i] = running
		running += s.Segment().Count()
	}
	return ds
}

func (c *snapCache) putDicts(ds *dictSet) {
	c.mu.Lock()
	c.freeDicts = append(c.freeDicts, ds)
	c.mu.Unlock()
}

// field is f's dictionary in each segment, in the segments' order.
func (ds *dictSet) field(f string) ([]segment.TermDictionary, error) {
	if d, ok := ds.byField[f]; ok {
		return d, nil
	}
	d := make([]segment.TermDictionary, len(ds.segs))
	for i, s := range ds.segs {
		var err error
		if d[i], err = s.Segment().Dictionary(f); err != nil {
			return nil, err
		}
	}
	ds.byField[f] = d
	return d, nil
}

// termReader is a word's postings in one field of a snapshot, with the
// frequencies and norms a score needs or the places a snippet needs: an
// index.TermFieldReader that reads as scorch's does (documents in the
// snapshot's order, numbered as the snapshot numbers them).
type termReader struct {
	offsets   []uint64
	postings  []segment.PostingsList
	iterators []segment.PostingsIterator
	// live are the segments with the word: the others have no iterator
	// (a postings list kept for reuse is not one to walk once emptied).
	live     []bool
	seg      int
	count    uint64
	freqNorm bool
	locs     bool
	curr     segment.Posting
	currID   index.IndexInternalID
}

var termReaders = sync.Pool{New: func() any { return new(termReader) }}

// term opens term's postings in field f (freqNorm for scoring, locs for
// the places); a reader with Count 0 finds nothing. Close gives it back.
func (ds *dictSet) term(f string, term []byte, freqNorm, locs bool) (*termReader, error) {
	dicts, err := ds.field(f)
	if err != nil {
		return nil, err
	}
	tr := termReaders.Get().(*termReader)
	n := len(dicts)
	if cap(tr.postings) < n {
		tr.postings = make([]segment.PostingsList, n)
	}
	if cap(tr.iterators) < n {
		tr.iterators = make([]segment.PostingsIterator, n)
	}
	if cap(tr.live) < n {
		tr.live = make([]bool, n)
	}
	tr.postings, tr.iterators, tr.live = tr.postings[:n], tr.iterators[:n], tr.live[:n]
	tr.offsets, tr.seg, tr.count, tr.freqNorm, tr.locs = ds.offsets, 0, 0, freqNorm, locs
	tr.curr, tr.currID = nil, tr.currID[:0]
	for i, d := range dicts {
		pl, err := d.PostingsList(term, ds.segs[i].Deleted(), tr.postings[i])
		if err != nil {
			tr.Close()
			return nil, fmt.Errorf("postings of %q in %s: %w", term, f, err)
		}
		tr.postings[i] = pl
		c := pl.Count()
		tr.count += c
		if tr.live[i] = c > 0; tr.live[i] {
			tr.iterators[i] = pl.Iterator(freqNorm, freqNorm, locs, tr.iterators[i])
		}
	}
	return tr, nil
}

// Next is the next document with the word, in the snapshot's order.
func (tr *termReader) Next(pre *index.TermFieldDoc) (*index.TermFieldDoc, error) {
	for tr.seg < len(tr.iterators) {
		if !tr.live[tr.seg] {
			tr.seg++
			continue
		}
		next, err := tr.iterators[tr.seg].Next()
		if err != nil {
			return nil, err
		}
		if next != nil {
			return tr.at(next, pre), nil
		}
		tr.seg++
	}
	return nil, nil
}

// at is the posting as the document it is in.
func (tr *termReader) at(p segment.Posting, pre *index.TermFieldDoc) *index.TermFieldDoc {
	if pre == nil {
		pre = &index.TermFieldDoc{}
	}
	pre.ID = index.NewIndexInternalID(pre.ID, p.Number()+tr.offsets[tr.seg])
	if tr.freqNorm {
		pre.Freq, pre.Norm = p.Frequency(), p.Norm()
	}
	tr.curr, tr.currID = p, append(tr.currID[:0], pre.ID...)
	return pre
}

// Advance is the first document with the word at id or after it.
func (tr *termReader) Advance(id index.IndexInternalID, pre *index.TermFieldDoc) (*index.TermFieldDoc, error) {
	if tr.curr != nil && tr.currID.Compare(id) >= 0 {
		// Back to the start, as scorch's reader goes.
		for i, pl := range tr.postings {
			if tr.live[i] {
				tr.iterators[i] = pl.Iterator(tr.freqNorm, tr.freqNorm, tr.locs, tr.iterators[i])
			}
		}
		tr.curr = nil
	}
	num := id.Value()
	seg := sort.Search(len(tr.offsets), func(i int) bool { return tr.offsets[i] > num }) - 1
	if seg < 0 || seg >= len(tr.iterators) {
		return nil, fmt.Errorf("document %d out of the snapshot", num)
	}
	tr.seg = seg
	if !tr.live[seg] {
		return tr.Next(pre)
	}
	next, err := tr.iterators[seg].Advance(num - tr.offsets[seg])
	if err != nil {
		return nil, err
	}
	if next == nil {
		return tr.Next(pre)
	}
	return tr.at(next, pre), nil
}

// places are the current document's places of the word (locs asked for).
func (tr *termReader) places() []segment.Location {
	if tr.curr == nil {
		return nil
	}
	return tr.curr.Locations()
}

// Count is how many documents have the word.
func (tr *termReader) Count() uint64 { return tr.count }

// Close gives the reader back for another word.
func (tr *termReader) Close() error {
	tr.curr, tr.offsets = nil, nil
	termReaders.Put(tr)
	return nil
}

func (tr *termReader) Size() int { return 0 }

// termIndex is the snapshot as a term searcher reads it: the word's
// postings are the reader given (the searcher asks for it once, as it is
// made), the rest (document count, field lengths for BM25) the snapshot's.
type termIndex struct {
	*scorch.IndexSnapshot
	next *termReader
}

func (t *termIndex) TermFieldReader(context.Context, []byte, string, bool, bool, bool) (index.TermFieldReader, error) {
	tr := t.next
	t.next = nil
	if tr == nil {
		return nil, fmt.Errorf("kbindex: no term reader ready")
	}
	return tr, nil
}
