// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       realworld/kubernetes-10182
 * chapter:  realworld
 * lesson:   13-channel
 * title:    Sending on a channel while holding the lock the receiver needs
 * kind:     fix
 * verdict:  deadlock
 * achieve:  Let status updates and the status sync loop make progress in any
 *           order.
 * hint:     The second setter holds status_mu and waits for the syncer to
 *           receive.  What is the syncer waiting for?
 * hint:     Never block on a channel while holding a lock that the other end
 *           of the channel may need before it can receive.
 * hint:     Update the map under the lock, unlock, and only then send the
 *           notification.
 * origin:   kubernetes#10182 (GoBench GoKer)
 */
/*
 * Modelled on kubernetes issue 10182 (reduced in GoBench "GoKer"): the
 * kubelet's status manager.  set_pod_status() records a status under
 * status_mu and notifies the sync loop over an unbuffered channel, still
 * holding the lock.  The sync loop receives a notification and then
 * deletes the pod's status, which needs status_mu.
 *
 * The syncer is slow after its first notification: it waits until the
 * second setter has taken the lock, which makes the bad timing happen on
 * every run.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

static struct ls_mutex status_mu = LS_MUTEX_INIT("status_mu");
static struct ls_chan *updates;
static int statuses;
static int64_t second_locked;		/* test hook */

static void set_pod_status(int64_t pod)
{
	ls_mutex_lock(&status_mu);
	statuses++;
	if (pod == 2)
		ls_atomic_store(&second_locked, 1);
	ls_chan_send(updates, &pod);
	ls_mutex_unlock(&status_mu);
}

static void delete_pod_status(int64_t pod)
{
	ls_mutex_lock(&status_mu);
	statuses--;
	ls_mutex_unlock(&status_mu);
}

static void syncer(void *arg)
{
	int64_t pod;

	for (int i = 0; i < 2; i++) {
		ls_chan_recv(updates, &pod);
		printf("syncer: pod %lld changed\n", (long long)pod);
		while (i == 0 && !ls_atomic_load(&second_locked))
			ls_sleep(100 * LS_USEC);	/* slow */
		delete_pod_status(pod);
	}
}

static void setter(void *arg)
{
	set_pod_status((int64_t)(intptr_t)arg);
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	updates = ls_chan_make(sizeof(int64_t), 0, "updates");
	ls_waitgroup_go(&wg, syncer, NULL, "syncer");
	setter((void *)1);				/* main updates pod 1 */
	ls_waitgroup_go(&wg, setter, (void *)2, "setter");
	ls_waitgroup_wait(&wg);
	printf("main: %d status(es) left\n", statuses);
	return 0;
}
