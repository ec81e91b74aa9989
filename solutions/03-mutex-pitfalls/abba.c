// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       03-mutex-pitfalls/abba
 * chapter:  03
 * lesson:   03-mutex-pitfalls
 * title:    Two locks taken in opposite orders
 * kind:     fix
 * verdict:  deadlock
 * achieve:  Make both transfers finish, still holding both accounts' locks
 *           while money moves.
 * hint:     Draw who holds what when each goroutine blocks.
 * hint:     A single global order for acquiring locks makes a cycle impossible.
 * hint:     In transfer(), lock the account with the lower id first, whichever
 *           direction the money goes.
 */
/*
 * Solution: every transfer locks the lower-id account first.  Whoever gets
 * that lock first does its whole transfer; the other waits for it, holding
 * nothing, so no cycle can form.
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
	struct account *first = from->id < to->id ? from : to;
	struct account *second = first == from ? to : from;

	ls_mutex_lock(&first->mu);
	ls_sleep(50 * LS_MSEC);			/* bookkeeping */
	ls_mutex_lock(&second->mu);
	from->balance -= amount;
	to->balance += amount;
	ls_mutex_unlock(&second->mu);
	ls_mutex_unlock(&first->mu);
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
	ls_waitgroup_go(&wg, pay, &p2, "bob->alice");
	ls_waitgroup_wait(&wg);
	printf("alice %lld, bob %lld\n", (long long)alice.balance,
	       (long long)bob.balance);
	if (alice.balance != 80 || bob.balance != 120) {
		fprintf(stderr, "FAIL: money was created or lost\n");
		return 1;
	}
	return 0;
}
