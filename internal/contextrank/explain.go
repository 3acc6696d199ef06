package contextrank

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Lesson is one feature's line on the supervisor's "what the ranking has
// learned" page: its default, its weight now, and the same in words.
type Lesson struct {
	Feature string  `json:"feature"`
	Label   string  `json:"label"`
	Default float64 `json:"default"`
	Weight  float64 `json:"weight"`
	Words   string  `json:"words"`
}

// Learned is the model's "what it learned" view.
type Learned struct {
	Contacts int      `json:"contacts"`
	Feedback int      `json:"feedback"`
	Summary  string   `json:"summary"`
	Lessons  []Lesson `json:"lessons"`
}

// noticeable is the smallest change from a default the view reports as
// learned; smaller ones are noise of a few contacts.
const noticeable = 0.05

// Learned explains m: every default feature and every feature that moved,
// the largest changes first.
func (m *Model) Learned() Learned {
	shifts := m.Shifts()
	w := DefaultWeights()
	names := map[string]bool{}
	for f := range defaults {
		names[f] = true
	}
	for f, d := range shifts {
		w[f] += d
		if math.Abs(d) >= noticeable {
			names[f] = true
		}
	}
	var ls []Lesson
	for f := range names {
		d, now := defaults[f], w[f]
		ls = append(ls, Lesson{Feature: f, Label: label(f), Default: round2(d), Weight: round2(now), Words: lessonWords(f, d, now)})
	}
	sort.Slice(ls, func(i, j int) bool {
		ci, cj := math.Abs(ls[i].Weight-ls[i].Default), math.Abs(ls[j].Weight-ls[j].Default)
		if ci != cj {
			return ci > cj
		}
		return ls[i].Feature < ls[j].Feature
	})
	l := Learned{Contacts: m.Contacts, Feedback: m.Feedback, Lessons: ls}
	switch {
	case m.Contacts == 0:
		l.Summary = "Nothing learned yet: the ranking uses the defaults."
	default:
		l.Summary = fmt.Sprintf("Learned from %d contacts with %d opens, uses or dismissals.", m.Contacts, m.Feedback)
	}
	return l
}

func lessonWords(f string, d, now float64) string {
	change := now - d
	l := label(f)
	switch {
	case math.Abs(change) < noticeable:
		return fmt.Sprintf("%s: weight %.2f, as by default.", upper(l), now)
	case change > 0:
		return fmt.Sprintf("%s: weighs more than by default (%.2f → %.2f); agents here use such items more than expected.", upper(l), d, now)
	}
	return fmt.Sprintf("%s: weighs less than by default (%.2f → %.2f); agents here use such items less than expected.", upper(l), d, now)
}

// label is a feature's name for people.
func label(f string) string {
	switch f {
	case FeatureRecency:
		return "how recent an item is"
	case FeatureTextMatch:
		return "mentioning the customer's words"
	case FeatureDueSoon:
		return "being due soon"
	case FeatureNoticeRecent:
		return "a notice sent in the last hours"
	case FeatureAttention:
		return "a status that needs attention"
	case FeatureImportance:
		return "the source's importance hint"
	}
	if s, ok := strings.CutPrefix(f, sourcePrefix); ok {
		return "items from " + sourceName(s)
	}
	if s, ok := strings.CutPrefix(f, matchPrefix); ok {
		return "mentioning the customer's words, on items from " + sourceName(s)
	}
	if s, ok := strings.CutPrefix(f, attentionPrefix); ok {
		return "a status that needs attention, on items from " + sourceName(s)
	}
	if t, ok := strings.CutPrefix(f, typePrefix); ok {
		return t + " items"
	}
	return f
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
