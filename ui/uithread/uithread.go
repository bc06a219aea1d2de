// Package uithread is the only way CardPOS code on other goroutines touches widgets. Fyne widgets
// belong to Fyne's goroutine; everything here hands work to it through fyne.Do, and Go runs the slow
// part (network, disk) on a goroutine owned by the caller's context.
package uithread

import (
	"context"

	"fyne.io/fyne/v2"
)

// Do runs apply on Fyne's goroutine without waiting for it.
func Do(apply func()) {
	fyne.Do(apply)
}

// DoAndWait runs apply on Fyne's goroutine and returns when it has run.
func DoAndWait(apply func()) {
	fyne.DoAndWait(apply)
}

// Go runs work on a new goroutine and then hands its result to apply on Fyne's goroutine.
// The goroutine is owned by ctx: work must return when ctx is done, and apply is skipped if ctx
// ended before work returned (the screen that asked is gone).
func Go[T any](ctx context.Context, work func(context.Context) (T, error), apply func(T, error)) {
	go func() {
		v, err := work(ctx)
		if ctx.Err() != nil && err == nil {
			err = ctx.Err()
		}
		if ctx.Err() != nil && context.Cause(ctx) == context.Canceled {
			return
		}
		fyne.Do(func() { apply(v, err) })
	}()
}
