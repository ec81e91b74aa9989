// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       17-singleflight-barrier/h2o
 * chapter:  17
 * lesson:   17-singleflight-barrier
 * title:    Building water molecules at a barrier
 * kind:     fix
 * verdict:  panic
 * achieve:  Make every group of three atoms that passes the barrier together
 *           be two hydrogens and one oxygen.
 * hint:     The barrier counts arrivals; it does not care which atoms arrive.
 *           What trips it first?
 * hint:     Admit at most two hydrogens and one oxygen per round before they
 *           reach the barrier.
 * hint:     Two semaphores: hydrogen with 2 tokens, oxygen with 1.  Acquire
 *           yours before the barrier and release it after.
 */
/*
 * Solution: a hydrogen semaphore with two tokens and an oxygen semaphore
 * with one.  The third hydrogen now waits for a token (SEM_WAIT) instead
 * of reaching the barrier; the first oxygen completes the group, the bond
 * releases the three tokens, and the next round forms.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

static struct ls_barrier *barrier;
static struct ls_semaphore *hydrogen, *oxygen;
static struct ls_mutex mol_mu = LS_MUTEX_INIT("molecule.mu");
static char molecule[8];
static int natoms, molecules;

static void bond(void *arg)
{
	int h = 0, o = 0;

	for (int i = 0; i < natoms; i++)
		molecule[i] == 'H' ? h++ : o++;
	if (h != 2 || o != 1)
		ls_panic("bond: not a water molecule");
	printf("bond: %s -> H2O\n", molecule);
	molecules++;
	natoms = 0;
}

static void atom(void *arg)
{
	char kind = *(const char *)arg;
	struct ls_semaphore *mine = kind == 'H' ? hydrogen : oxygen;

	ls_semaphore_acquire(mine, NULL, 1);
	ls_mutex_lock(&mol_mu);
	molecule[natoms++] = kind;
	molecule[natoms] = '\0';
	ls_mutex_unlock(&mol_mu);
	ls_barrier_await(barrier, NULL);
	ls_semaphore_release(mine, 1);
}

int main(void)
{
	struct ls_waitgroup wg = LS_WAITGROUP_INIT("atoms");

	barrier = ls_barrier_new(3, bond, NULL, "h2o");
	hydrogen = ls_semaphore_new(2, "hydrogen");
	oxygen = ls_semaphore_new(1, "oxygen");
	for (int i = 0; i < 3; i++)
		ls_waitgroup_go(&wg, atom, "H", "H");
	ls_sleep(50 * LS_MSEC);			/* the hydrogens come first */
	ls_waitgroup_go(&wg, atom, "O", "O");
	ls_waitgroup_go(&wg, atom, "H", "H");
	ls_waitgroup_go(&wg, atom, "O", "O");
	ls_waitgroup_wait(&wg);
	printf("%d molecule(s)\n", molecules);
	ls_barrier_free(barrier);
	ls_semaphore_free(hydrogen);
	ls_semaphore_free(oxygen);
	if (molecules != 2) {
		fprintf(stderr, "FAIL: expected two molecules\n");
		return 1;
	}
	return 0;
}
