package jobs_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/jobs"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// crashEnv, when set to a DSN, turns the test binary into a worker process that
// takes a crashArgs job and hangs in it until the test kills it.
const crashEnv = "SWITCHBOARD_JOBS_CRASH_DSN"

func TestMain(m *testing.M) {
	if dsn := os.Getenv(crashEnv); dsn != "" {
		os.Exit(runDoomedWorker(dsn))
	}
	os.Exit(m.Run())
}

// crashArgs is a job that a process dies in the middle of.
type crashArgs struct{}

func (crashArgs) Kind() string { return "test_crash" }

type crashWorker struct {
	river.WorkerDefaults[crashArgs]
	work func(job *river.Job[crashArgs])
}

func (w *crashWorker) Work(ctx context.Context, job *river.Job[crashArgs]) error {
	w.work(job)
	return nil
}

// runDoomedWorker works jobs from dsn; the first one announces itself on stdout
// and hangs, ignoring its context, like a process about to be SIGKILLed.
func runDoomedWorker(dsn string) int {
	time.AfterFunc(time.Minute, func() { os.Exit(3) }) // never outlive a dead test
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, "")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &crashWorker{work: func(job *river.Job[crashArgs]) {
		fmt.Printf("running %d\n", job.ID)
		select {}
	}})
	q, err := jobs.New(db, jobs.Config{Workers: workers, PollInterval: 50 * time.Millisecond})
	if err == nil {
		err = q.Start(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	select {}
}

// TestJobOfKilledProcessIsRescued proves the durability promise end to end: a
// process is SIGKILLed while working a job; the job stays "running" in River's
// table, and once RescueStuckJobsAfter has passed the next process's rescuer puts
// it back and it runs to completion.
func TestJobOfKilledProcessIsRescued(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dsn := e.DSN(t)
			db := storetest.OpenDSN(t, dsn)
			if err := jobs.Migrate(ctx, db); err != nil {
				t.Fatalf("migrate river: %v", err)
			}
			ran := make(chan *river.Job[crashArgs], 1)
			workers := river.NewWorkers()
			river.AddWorker(workers, &crashWorker{work: func(job *river.Job[crashArgs]) { ran <- job }})
			q, err := jobs.New(db, jobs.Config{Workers: workers, PollInterval: 50 * time.Millisecond,
				JobTimeout: 500 * time.Millisecond, RescueStuckJobsAfter: time.Second,
				Retry: jobs.RetryPolicy{Base: 10 * time.Millisecond, Max: 10 * time.Millisecond}})
			if err != nil {
				t.Fatalf("new queue: %v", err)
			}
			if err := q.Insert(ctx, crashArgs{}, nil); err != nil {
				t.Fatalf("insert: %v", err)
			}

			killWorkerMidJob(t, dsn)
			if state := jobState(t, db, "test_crash"); state != "running" {
				t.Fatalf("job state after the kill = %s, want running", state)
			}

			if err := q.Start(ctx); err != nil {
				t.Fatalf("start: %v", err)
			}
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				q.Stop(ctx)
			})
			select {
			case job := <-ran:
				if job.Attempt != 2 || len(job.Errors) != 1 || !strings.Contains(job.Errors[0].Error, "Stuck job rescued") {
					t.Fatalf("rescued job: attempt %d, errors %+v; want attempt 2 after one rescue", job.Attempt, job.Errors)
				}
			case <-time.After(45 * time.Second):
				t.Fatalf("the job of the killed process was not rescued within 45s (state %s)", jobState(t, db, "test_crash"))
			}
		})
	}
}

// killWorkerMidJob starts a doomed worker process on dsn, waits until it is inside
// the job, and SIGKILLs it.
func killWorkerMidJob(t *testing.T, dsn string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+dsn)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("pipe: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start worker process: %v", err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "running ") {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("worker process said %q, %v; want running <id>", line, err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatalf("kill: %v", err)
	}
	cmd.Wait()
}
