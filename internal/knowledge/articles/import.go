package articles

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// asErr is errors.As, named for the parsers.
func asErr[T any](err error, target *T) bool { return errors.As(err, target) }

// Import stores parsed rows, each in a transaction of its own, so a row that
// fails is reported (with failed, the rows that did not parse) and the rest
// is kept. An article is found again by its external id: the same content
// and state again is unchanged, different content a new version, a different
// state a move. Importing sets states directly, as a publisher does; only
// publishers import.
func (s *Service) Import(ctx context.Context, actor Actor, rows []ImportRow, failed []ImportFailure) (ImportResult, error) {
	if !actor.Publisher {
		return ImportResult{}, knowledge.ErrForbidden
	}
	res := ImportResult{Failed: slices.Clone(failed)}
	for _, row := range rows {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		outcome, err := s.importRow(ctx, actor, row)
		switch {
		case err == nil:
		case isRowError(err):
			res.Failed = append(res.Failed, ImportFailure{Line: row.Line, File: row.File, Reason: rowReason(err)})
			continue
		default:
			return res, fmt.Errorf("import line %d %s: %w", row.Line, row.File, err)
		}
		switch outcome {
		case "imported":
			res.Imported++
		case "updated":
			res.Updated++
		default:
			res.Unchanged++
		}
	}
	slices.SortStableFunc(res.Failed, func(a, b ImportFailure) int {
		if a.File != b.File {
			if a.File < b.File {
				return -1
			}
			return 1
		}
		return a.Line - b.Line
	})
	if res.Failed == nil {
		res.Failed = []ImportFailure{}
	}
	return res, nil
}

// importRow stores one row: "imported", "updated" or "unchanged".
func (s *Service) importRow(ctx context.Context, actor Actor, row ImportRow) (string, error) {
	if row.ExternalID == "" {
		return "", fieldError("external_id", "must not be empty: it keys the article across imports")
	}
	if err := checkExternalID(row.ExternalID); err != nil {
		return "", err
	}
	if row.State != "" && !row.State.Valid() {
		return "", fieldError("state", "must be wip, not_validated, validated, published or archived")
	}
	c, err := normalize(row.Content)
	if err != nil {
		return "", err
	}
	var outcome string
	err = s.out.Do(ctx, func(tx *outbox.Tx) error {
		a, err := tx.ArticleByExternalID(ctx, actor.TenantID, row.ExternalID)
		if errors.Is(err, store.ErrNotFound) {
			state := row.State
			if state == "" {
				state = knowledge.WorkInProgress
			}
			outcome = "imported"
			_, err = s.create(ctx, tx, actor, c, state, "", row.ExternalID, "imported")
			return err
		}
		if err != nil {
			return err
		}
		outcome = "unchanged"
		if !equalContent(knowledge.ContentOf(a), c) {
			outcome = "updated"
			if a, err = s.newVersion(ctx, tx, actor, a, c, "imported"); err != nil {
				return err
			}
		}
		if row.State != "" && row.State != a.State {
			outcome = "updated"
			if _, err = s.move(ctx, tx, actor, a, row.State, "imported"); err != nil {
				return err
			}
		}
		return nil
	})
	return outcome, err
}

// isRowError reports whether err is the row's fault (bad content), not the
// database's.
func isRowError(err error) bool {
	var fe *tenant.FieldError
	return errors.As(err, &fe) || errors.Is(err, knowledge.ErrTooLarge) || errors.Is(err, store.ErrConflict)
}

func rowReason(err error) string {
	var fe *tenant.FieldError
	switch {
	case errors.As(err, &fe):
		return fe.Field + ": " + fe.Reason
	case errors.Is(err, knowledge.ErrTooLarge):
		return fmt.Sprintf("the article's text is larger than %d bytes", MaxArticleBytes)
	}
	return "conflicts with another article (its external id or slug)"
}
