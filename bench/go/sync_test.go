// SPDX-License-Identifier: MIT

// Package bench holds the Go column of lockstep's benchmark table: the
// shapes of Go's own sync and runtime benchmarks, under the names the C
// shapes in bench/*.c carry, so that one row compares like with like.
// Standard library only.
package bench

import (
	"sync"
	"testing"
)

// localWork is the "work" of Go's shapes: foo *= 2; foo /= 2, n times.
func localWork(foo, n int) int {
	for i := 0; i < n; i++ {
		foo *= 2
		foo /= 2
	}
	return foo
}

func BenchmarkMutexUncontended(b *testing.B) {
	type paddedMutex struct {
		sync.Mutex
		pad [128]uint8
	}
	b.RunParallel(func(pb *testing.PB) {
		var mu paddedMutex
		for pb.Next() {
			mu.Lock()
			mu.Unlock()
		}
	})
}

func benchMutex(b *testing.B, slack bool, work int) {
	var mu sync.Mutex
	if slack {
		b.SetParallelism(10)
	}
	b.RunParallel(func(pb *testing.PB) {
		foo := 0
		for pb.Next() {
			mu.Lock()
			mu.Unlock()
			foo = localWork(foo, work)
		}
		_ = foo
	})
}

func BenchmarkMutex(b *testing.B)      { benchMutex(b, false, 0) }
func BenchmarkMutexSlack(b *testing.B) { benchMutex(b, true, 0) }
func BenchmarkMutexWork(b *testing.B)  { benchMutex(b, false, 100) }

func BenchmarkRWMutexUncontended(b *testing.B) {
	type paddedRWMutex struct {
		sync.RWMutex
		pad [32]uint32
	}
	b.RunParallel(func(pb *testing.PB) {
		var rw paddedRWMutex
		for pb.Next() {
			rw.RLock()
			rw.RLock()
			rw.RUnlock()
			rw.RUnlock()
			rw.Lock()
			rw.Unlock()
		}
	})
}

func benchRWMutex(b *testing.B, work, writeRatio int) {
	var rw sync.RWMutex
	b.RunParallel(func(pb *testing.PB) {
		foo := 0
		for pb.Next() {
			foo++
			if foo%writeRatio == 0 {
				rw.Lock()
				rw.Unlock()
			} else {
				rw.RLock()
				foo = localWork(foo, work)
				rw.RUnlock()
			}
		}
		_ = foo
	})
}

func BenchmarkRWMutexWrite100(b *testing.B) { benchRWMutex(b, 0, 100) }
func BenchmarkRWMutexWrite10(b *testing.B)  { benchRWMutex(b, 0, 10) }

func BenchmarkWaitGroupUncontended(b *testing.B) {
	type paddedWaitGroup struct {
		sync.WaitGroup
		pad [128]uint8
	}
	b.RunParallel(func(pb *testing.PB) {
		var wg paddedWaitGroup
		for pb.Next() {
			wg.Add(1)
			wg.Done()
			wg.Wait()
		}
	})
}
