// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       realworld/moby-36114
 * chapter:  realworld
 * lesson:   03-mutex-pitfalls
 * title:    A rollback path that locks the VM a second time
 * kind:     fix
 * verdict:  deadlock
 * achieve:  Let the rollback run while attach_all() holds the VM's lock,
 *           without locking it again.
 * hint:     The goroutine dump shows a single goroutine, waiting on a lock.
 *           Who holds that lock?
 * hint:     detach_all() is also called from inside attach_all(), which
 *           already holds vm->mu.
 * hint:     Split detach_all() into a locked wrapper and a detach_all_locked()
 *           for callers that hold the lock.
 * origin:   moby#36114 (GoBench GoKer)
 */
/*
 * Modelled on moby issue 36114 (reduced in the GoBench "GoKer" suite): a
 * utility VM that hot-adds virtual disks.  attach_all() holds the VM lock
 * while it attaches each disk; if one fails, it rolls back by detaching
 * the disks attached so far, through detach_all(), a public function that
 * takes the VM lock itself.  The rollback path is rarely taken, so the
 * self-deadlock hides until a disk fails.
 */
#include <errno.h>
#include <stdio.h>
#include <lockstep/lockstep.h>

#define DISKS	3

struct service_vm {
	struct ls_mutex	mu;
	int		attached;
};

static int attach(struct service_vm *vm, int disk)
{
	if (disk == 2)
		return -EIO;			/* the third disk is broken */
	vm->attached++;
	return 0;
}

static void detach_all(struct service_vm *vm)
{
	ls_mutex_lock(&vm->mu);
	printf("detaching %d disk(s)\n", vm->attached);
	vm->attached = 0;
	ls_mutex_unlock(&vm->mu);
}

static int attach_all(struct service_vm *vm)
{
	int err = 0;

	ls_mutex_lock(&vm->mu);
	for (int d = 0; d < DISKS; d++) {
		err = attach(vm, d);
		if (err) {
			printf("disk %d failed; rolling back\n", d);
			detach_all(vm);
			break;
		}
	}
	ls_mutex_unlock(&vm->mu);
	return err;
}

int main(void)
{
	struct service_vm vm = { .mu = LS_MUTEX_INIT("vm.mu") };
	int err = attach_all(&vm);

	printf("attach_all = %d, %d disk(s) attached\n", err, vm.attached);
	detach_all(&vm);			/* shut the VM down */
	return 0;
}
