// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       03-mutex-pitfalls/reentrant
 * chapter:  03
 * lesson:   03-mutex-pitfalls
 * title:    A locked function calls another that locks again
 * kind:     fix
 * verdict:  deadlock
 * achieve:  Let deposit_all() reuse the deposit logic without locking the
 *           account twice.
 * hint:     The goroutine dump shows main waiting on account.mu.  Who holds it?
 * hint:     A Go mutex is not re-entrant: the holder that locks again waits for
 *           itself, forever.
 * hint:     Split deposit() into a part that takes the lock and a
 *           deposit_locked() that expects the caller to hold it.
 */
/*
 * deposit() locks the account.  deposit_all() locks the account too, so that
 * the batch is applied as one step, and then calls deposit() for each
 * amount.
 *
 * Unlike a recursive pthread mutex or Java's synchronized, a Go mutex does
 * not remember who holds it.  Locking it again from the same goroutine is a
 * plain deadlock; with nobody else left to run, the runtime reports it.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

struct account {
	struct ls_mutex	mu;
	int64_t		balance;
};

static void deposit(struct account *a, int64_t amount)
{
	ls_mutex_lock(&a->mu);
	a->balance += amount;
	ls_mutex_unlock(&a->mu);
}

/* Apply a whole batch atomically: nobody sees half of it. */
static void deposit_all(struct account *a, const int64_t *amounts, int n)
{
	ls_mutex_lock(&a->mu);
	for (int i = 0; i < n; i++)
		deposit(a, amounts[i]);
	ls_mutex_unlock(&a->mu);
}

int main(void)
{
	struct account acct = { .mu = LS_MUTEX_INIT("account.mu") };
	const int64_t batch[] = { 10, 20, 30 };

	deposit(&acct, 100);
	printf("balance after one deposit: %lld\n", (long long)acct.balance);
	deposit_all(&acct, batch, 3);
	printf("balance after the batch: %lld\n", (long long)acct.balance);
	return 0;
}
