package drills

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// proxy is a TCP proxy the test controls between the server and MySQL:
// Cut closes every connection and refuses new ones, like a network
// partition or a database restart; Restore lets traffic through again.
// With several targets it is a failover proxy, as HAProxy in front of a
// Galera cluster: each new connection goes to the first target that
// accepts it, so when a node dies the next connection reaches the next.
type proxy struct {
	t       *testing.T
	targets []string
	ln      net.Listener
	addr    string
	mu      sync.Mutex
	conns   map[net.Conn]bool
	cut     bool
}

func newProxy(t *testing.T, targets ...string) *proxy {
	p := &proxy{t: t, targets: targets, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.ln, p.addr = ln, ln.Addr().String()
	go p.accept(ln)
	t.Cleanup(func() { p.Cut(); ln.Close() })
	return p
}

func (p *proxy) accept(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			c.Close()
			continue
		}
		up, err := p.dial()
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

func (p *proxy) dial() (net.Conn, error) {
	var err error
	for _, target := range p.targets {
		var up net.Conn
		if up, err = net.DialTimeout("tcp", target, time.Second); err == nil {
			return up, nil
		}
	}
	return nil, err
}

func (p *proxy) pipe(dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}

// Cut drops every connection and refuses new ones.
func (p *proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		c.Close()
	}
}

// Restore lets connections through again.
func (p *proxy) Restore() {
	p.mu.Lock()
	p.cut = false
	p.mu.Unlock()
}
