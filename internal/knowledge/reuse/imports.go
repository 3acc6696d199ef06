package reuse

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// ImportedCase is one line of a past-cases import: a conversation resolved
// in another help desk and the articles (by their external ids) it was
// resolved with.
type ImportedCase struct {
	ExternalID         string    `json:"external_id"`
	Subject            string    `json:"subject"`
	CustomerText       string    `json:"customer_text"`
	AgentText          string    `json:"agent_text"`
	ResolvedAt         time.Time `json:"resolved_at"`
	ArticleExternalIDs []string  `json:"article_external_ids"`
}

// ImportFailure is a line that was not imported, and why.
type ImportFailure struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// ImportResult counts what an import did.
type ImportResult struct {
	Imported  int             `json:"imported"`
	Updated   int             `json:"updated"`
	Unchanged int             `json:"unchanged"`
	Failed    []ImportFailure `json:"failed"`
}

// maxImportLine bounds one line of an import.
const maxImportLine = 1 << 20

// ImportCases reads past cases, one JSON object a line, and stores each as
// the tenant's: a new external id is imported, a known one updated if it
// changed, so repeating an import changes nothing. A line that fails is
// reported with its number and reason; the others are imported.
func (s *Service) ImportCases(ctx context.Context, a Actor, r io.Reader) (ImportResult, error) {
	res := ImportResult{Failed: []ImportFailure{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxImportLine)
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		outcome, err := s.importCase(ctx, a.TenantID, text)
		var bad *lineError
		switch {
		case errors.As(err, &bad):
			res.Failed = append(res.Failed, ImportFailure{Line: line, Reason: bad.reason})
		case err != nil:
			return res, fmt.Errorf("import line %d: %w", line, err)
		case outcome == "imported":
			res.Imported++
		case outcome == "updated":
			res.Updated++
		default:
			res.Unchanged++
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			res.Failed = append(res.Failed, ImportFailure{Line: line + 1, Reason: "line is longer than 1 MiB; the rest of the file was not read"})
			return res, nil
		}
		return res, fmt.Errorf("read import: %w", err)
	}
	return res, nil
}

// lineError is a line's own fault: reported, not fatal.
type lineError struct{ reason string }

func (e *lineError) Error() string { return e.reason }

func bad(format string, args ...any) error { return &lineError{reason: fmt.Sprintf(format, args...)} }

// importCase stores one line; it returns "imported", "updated" or "unchanged".
func (s *Service) importCase(ctx context.Context, tenantID string, text []byte) (string, error) {
	var in ImportedCase
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return "", bad("not a JSON object of a past case: %v", err)
	}
	in.ExternalID = strings.TrimSpace(in.ExternalID)
	switch {
	case in.ExternalID == "":
		return "", bad("external_id: is required")
	case len(in.ExternalID) > 200:
		return "", bad("external_id: must be at most 200 characters")
	case strings.TrimSpace(in.CustomerText) == "" && strings.TrimSpace(in.Subject) == "":
		return "", bad("customer_text: is required (or a subject)")
	case len(in.ArticleExternalIDs) == 0:
		return "", bad("article_external_ids: name at least one article the case was resolved with")
	case in.ResolvedAt.IsZero():
		return "", bad("resolved_at: is required (RFC 3339)")
	}
	var articles []string
	for i, ext := range in.ArticleExternalIDs {
		art, err := s.Articles.ArticleByExternalID(ctx, tenantID, ext)
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, knowledge.ErrNotFound) {
			return "", bad("article_external_ids[%d]: no article has external_id %q", i, ext)
		}
		if err != nil {
			return "", err
		}
		if !slices.Contains(articles, art.ID) {
			articles = append(articles, art.ID)
		}
	}
	now := s.Clock.Now()
	next := knowledge.Case{TenantID: tenantID, ExternalID: in.ExternalID, Subject: clip(in.Subject, 1000),
		CustomerText: clip(in.CustomerText, caseTextLimit), AgentText: clip(in.AgentText, caseTextLimit),
		ArticleIDs: articles, ResolvedAt: in.ResolvedAt.UTC().Truncate(time.Microsecond), UpdatedAt: now}
	prev, err := s.DB.KnowledgeCaseByExternalID(ctx, tenantID, in.ExternalID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		next.ID, next.CreatedAt = ids.New(), now
		if err := s.DB.PutKnowledgeCase(ctx, next); err != nil {
			return "", err
		}
		return "imported", nil
	case err != nil:
		return "", err
	}
	if prev.Subject == next.Subject && prev.CustomerText == next.CustomerText && prev.AgentText == next.AgentText &&
		slices.Equal(prev.ArticleIDs, next.ArticleIDs) && prev.ResolvedAt.Equal(next.ResolvedAt) {
		return "unchanged", nil
	}
	next.ID, next.CreatedAt = prev.ID, prev.CreatedAt
	if err := s.DB.PutKnowledgeCase(ctx, next); err != nil {
		return "", err
	}
	return "updated", nil
}
