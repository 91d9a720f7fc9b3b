package odpstest

import (
	"net"
	"sync"
	"testing"
)

// Silent returns the endpoint of a listener on 127.0.0.1 that accepts
// connections and never answers on them, as an endpoint out of reach
// behind a firewall or a wrong one does, and a func counting the
// connections it accepted. It closes them, and itself, when t ends.
func Silent(t testing.TB) (endpoint string, accepted func() int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String() + apiBase, func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(conns)
	}
}
