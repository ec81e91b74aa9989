// SPDX-License-Identifier: MIT
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
 * Solution: detach_all_locked() does the work for callers that hold the
 * lock; detach_all() is the public wrapper that takes it.  The rollback in
 * attach_all() calls the locked variant.
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
		return -EIO;
	vm->attached++;
	return 0;
}

/* Caller holds vm->mu. */
static void detach_all_locked(struct service_vm *vm)
{
	printf("detaching %d disk(s)\n", vm->attached);
	vm->attached = 0;
}

static void detach_all(struct service_vm *vm)
{
	ls_mutex_lock(&vm->mu);
	detach_all_locked(vm);
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
			detach_all_locked(vm);
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
	if (err != -EIO || vm.attached != 0) {
		fprintf(stderr, "FAIL: the rollback did not happen\n");
		return 1;
	}
	return 0;
}
