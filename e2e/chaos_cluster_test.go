package e2e

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// natsBinary is the NATS server the chaos test runs three of.
const natsBinary = "/usr/sbin/nats-server"

// natsServer is one member of a NATS cluster the test started.
type natsServer struct {
	name   string
	client string // host:port for clients
	args   []string
	mu     sync.Mutex
	cmd    *exec.Cmd
	out    bytes.Buffer
	exited chan struct{}
}

// natsCluster is three nats-server processes joined by cluster routes.
type natsCluster struct {
	servers []*natsServer
}

// startNATSCluster starts three NATS servers on free ports, each routing to
// the other two, and waits until each takes clients.
func startNATSCluster(t *testing.T) *natsCluster {
	t.Helper()
	if _, err := exec.LookPath(natsBinary); err != nil {
		t.Fatalf("the chaos test runs its own NATS cluster from %s, which is missing (%v). Install it with: apt-get install nats-server", natsBinary, err)
	}
	const n = 3
	clients, routes := make([]string, n), make([]string, n)
	for i := range n {
		clients[i], routes[i] = freeAddr(t), freeAddr(t)
	}
	c := &natsCluster{}
	for i := range n {
		host, port, _ := net.SplitHostPort(clients[i])
		var peers []string
		for j := range n {
			if j != i {
				peers = append(peers, "nats://"+routes[j])
			}
		}
		s := &natsServer{name: fmt.Sprintf("nats-%d", i+1), client: clients[i], args: []string{
			"-a", host, "-p", port, "-n", fmt.Sprintf("chaos-nats-%d", i+1),
			"--cluster_name", "chaos", "--cluster", "nats://" + routes[i], "--routes", strings.Join(peers, ","),
			// Clients know only the servers they were given: a node given
			// one server stays off the bus while that server is down.
			"--no_advertise=true",
		}}
		c.servers = append(c.servers, s)
	}
	for _, s := range c.servers {
		if err := s.start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			s.kill()
			if t.Failed() {
				t.Logf("output of %s:\n%s", s.name, s.output())
			}
		})
	}
	return c
}

// URLs is the comma-separated list every node is given.
func (c *natsCluster) URLs() string {
	var us []string
	for _, s := range c.servers {
		us = append(us, "nats://"+s.client)
	}
	return strings.Join(us, ",")
}

func (s *natsServer) start() error {
	s.mu.Lock()
	s.cmd = exec.Command(natsBinary, s.args...)
	s.cmd.Stdout = &lockedWriter{mu: &s.mu, w: &s.out}
	s.cmd.Stderr = s.cmd.Stdout
	err := s.cmd.Start()
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("start %s: %w", s.name, err)
	}
	s.exited = make(chan struct{})
	cmd := s.cmd
	go func() { cmd.Wait(); close(s.exited) }()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("tcp", s.client, time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("%s exited before taking clients:\n%s", s.name, s.output())
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s takes no clients after 20 s:\n%s", s.name, s.output())
}

// kill ends the server with SIGKILL.
func (s *natsServer) kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
}

func (s *natsServer) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// fleet is the chaos test's nodes with which of them are up, so the load
// generator, like a load balancer, sends work only to live ones.
type fleet struct {
	nodes []*node
	mu    sync.Mutex
	down  map[int]bool
	rng   *rand.Rand
}

func newFleet(nodes []*node) *fleet {
	return &fleet{nodes: nodes, down: map[int]bool{}, rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 18))}
}

// pick returns a live node at random (every node if all are down, which the
// killer never does).
func (f *fleet) pick() *node {
	f.mu.Lock()
	defer f.mu.Unlock()
	var up []*node
	for i, n := range f.nodes {
		if !f.down[i] {
			up = append(up, n)
		}
	}
	if len(up) == 0 {
		up = f.nodes
	}
	return up[f.rng.IntN(len(up))]
}

// other returns a live node other than n when there is one, for a client
// that just failed on n.
func (f *fleet) other(n *node) *node {
	for range 8 {
		if m := f.pick(); m != n {
			return m
		}
	}
	return f.pick()
}

// victim marks a random node down and returns it with its index.
func (f *fleet) victim() (int, *node) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := f.rng.IntN(len(f.nodes))
	f.down[i] = true
	return i, f.nodes[i]
}

func (f *fleet) up(i int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.down, i)
}

// name is "node2" for the fleet's second node.
func (f *fleet) name(n *node) string {
	for i, m := range f.nodes {
		if m == n {
			return fmt.Sprintf("node%d", i+1)
		}
	}
	return "node?"
}
