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
 * transfer() locks the source account, then the destination, moves the
 * money, and unlocks both.  Alice pays Bob while Bob pays Alice.
 *
 * Each goroutine takes its first lock and then spends a moment on
 * bookkeeping (the ls_sleep) before it takes the second one.  That moment is
 * where the bad interleaving happens every run: each holds the lock the
 * other one needs next.
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
	ls_sleep(50 * LS_MSEC);			/* bookkeeping */
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
	ls_waitgroup_go(&wg, pay, &p2, "bob->alice");
	ls_waitgroup_wait(&wg);
	printf("alice %lld, bob %lld\n", (long long)alice.balance,
	       (long long)bob.balance);
	return 0;
}
