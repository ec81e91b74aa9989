// SPDX-License-Identifier: MIT

package bench

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

const callsPerSched = 1000

func BenchmarkChanNonblocking(b *testing.B) {
	myc := make(chan int)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			select {
			case <-myc:
			default:
			}
		}
	})
}

func BenchmarkSelectUncontended(b *testing.B) {
	b.RunParallel(func(pb *testing.PB) {
		myc1 := make(chan int, 1)
		myc2 := make(chan int, 1)
		myc1 <- 0
		for pb.Next() {
			select {
			case <-myc1:
				myc2 <- 0
			case <-myc2:
				myc1 <- 0
			}
		}
	})
}

func sendRecv100(myc chan int) {
	for i := 0; i < 100; i++ {
		myc <- 0
	}
	for i := 0; i < 100; i++ {
		<-myc
	}
}

func BenchmarkChanUncontended(b *testing.B) {
	b.RunParallel(func(pb *testing.PB) {
		myc := make(chan int, 100)
		for pb.Next() {
			sendRecv100(myc)
		}
	})
}

func BenchmarkChanContended(b *testing.B) {
	myc := make(chan int, 100*runtime.GOMAXPROCS(0))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			sendRecv100(myc)
		}
	})
}

func BenchmarkChanSync(b *testing.B) {
	const procs = 2
	n := int32(b.N / callsPerSched / procs * procs)
	done := make(chan bool, procs)
	myc := make(chan int)
	for p := 0; p < procs; p++ {
		go func() {
			for {
				i := atomic.AddInt32(&n, -1)
				if i < 0 {
					break
				}
				for g := 0; g < callsPerSched; g++ {
					if i%2 == 0 {
						<-myc
						myc <- 0
					} else {
						myc <- 0
						<-myc
					}
				}
			}
			done <- true
		}()
	}
	for p := 0; p < procs; p++ {
		<-done
	}
}

func benchProdCons(b *testing.B, chanSize, work int) {
	procs := runtime.GOMAXPROCS(-1)
	n := int32(b.N / callsPerSched)
	done := make(chan bool, 2*procs)
	myc := make(chan int, chanSize)
	for p := 0; p < procs; p++ {
		go func() {
			foo := 0
			for atomic.AddInt32(&n, -1) >= 0 {
				for g := 0; g < callsPerSched; g++ {
					foo = localWork(foo, work)
					myc <- 1
				}
			}
			myc <- 0
			done <- foo == 42
		}()
		go func() {
			foo := 0
			for {
				v := <-myc
				if v == 0 {
					break
				}
				foo = localWork(foo, work)
			}
			done <- foo == 42
		}()
	}
	for p := 0; p < procs; p++ {
		<-done
		<-done
	}
}

func BenchmarkChanProdCons0(b *testing.B)   { benchProdCons(b, 0, 0) }
func BenchmarkChanProdCons10(b *testing.B)  { benchProdCons(b, 10, 0) }
func BenchmarkChanProdCons100(b *testing.B) { benchProdCons(b, 100, 0) }

func BenchmarkChanPopular(b *testing.B) {
	const n = 1000
	c := make(chan bool)
	var a []chan bool
	var wg sync.WaitGroup
	wg.Add(n)
	for j := 0; j < n; j++ {
		d := make(chan bool)
		a = append(a, d)
		go func() {
			for i := 0; i < b.N; i++ {
				select {
				case <-c:
				case <-d:
				}
			}
			wg.Done()
		}()
	}
	for i := 0; i < b.N; i++ {
		for _, d := range a {
			d <- true
		}
	}
	wg.Wait()
}

// BenchmarkSemaphore: x/sync's semaphore.Weighted is not in the standard
// library, so the Go column is the idiomatic stand-in, a buffered channel
// of GOMAXPROCS tokens (Go's own ChanSem shape): Acquire is a send, Release
// a receive.  It never has to block.
func BenchmarkSemaphore(b *testing.B) {
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			sem <- struct{}{}
			<-sem
		}
	})
}
