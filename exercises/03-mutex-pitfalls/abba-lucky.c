// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       03-mutex-pitfalls/abba-lucky
 * chapter:  03
 * lesson:   03-mutex-pitfalls
 * title:    The opposite lock order that has not hung yet
 * kind:     fix
 * verdict:  potential-deadlock
 * achieve:  Remove the lock-order cycle so that no schedule at all could
 *           deadlock these two transfers.
 * hint:     This run never hangs.  Which order does each transfer lock the two
 *           accounts in?
 * hint:     lockstep records "held A, then took B" edges, like the kernel's
 *           lockdep, and reports a cycle even when the timing was lucky.
 * hint:     Always lock the account with the lower id first.
 */
/*
 * The same transfers as in 03-mutex-pitfalls/abba, but here they happen to
 * run one after the other: main waits for the first payment before it
 * starts the second.  Nothing hangs.  It is still a bug: the day both
 * payments arrive together, the program deadlocks.
 *
 * A lock-order checker does not need the unlucky schedule.  It remembers,
 * for each lock taken, which locks were already held; alice.mu -> bob.mu in
 * one place and bob.mu -> alice.mu in another form a cycle.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

struct account {
	int		id;
	struct ls_mutex	mu;
	int64_t		balance;
};

struct payment {
	struct account	*from, *to;
	int64_t		amount;
};

static void transfer(struct account *from, struct account *to, int64_t amount)
{
	ls_mutex_lock(&from->mu);
	ls_mutex_lock(&to->mu);
	from->balance -= amount;
	to->balance += amount;
	ls_mutex_unlock(&to->mu);
	ls_mutex_unlock(&from->mu);
}

static void pay(void *arg)
{
	struct payment *p = arg;

	transfer(p->from, p->to, p->amount);
	printf("paid %lld from %d to %d\n", (long long)p->amount, p->from->id,
	       p->to->id);
}

int main(void)
{
	struct account alice = { 1, LS_MUTEX_INIT("alice.mu"), 100 };
	struct account bob = { 2, LS_MUTEX_INIT("bob.mu"), 100 };
	struct payment p1 = { &alice, &bob, 30 }, p2 = { &bob, &alice, 10 };
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("wg");

	ls_waitgroup_go(&wg, pay, &p1, "alice->bob");
	ls_waitgroup_wait(&wg);			/* lucky: one at a time */
	ls_waitgroup_go(&wg, pay, &p2, "bob->alice");
	ls_waitgroup_wait(&wg);
	printf("alice %lld, bob %lld\n", (long long)alice.balance,
	       (long long)bob.balance);
	return 0;
}
