// SPDX-License-Identifier: MIT
// SPDX-License-Identifier: MIT
/*
 * lockstep-exercise
 * id:       09-map/syncmap-promote
 * chapter:  09
 * lesson:   09-map
 * title:    Make sync.Map promote its dirty map
 * kind:     make
 * goal:     map-promote
 * achieve:  Read the hot keys often enough that the map promotes its dirty map
 *           to the read map, after which reads take no lock.
 * hint:     A Load that misses the read-only map takes the lock, looks in the
 *           dirty map, and counts a miss.
 * hint:     When the misses reach the number of entries in the dirty map, the
 *           dirty map becomes the read map (MAP_PROMOTE) and the count resets.
 * hint:     Eight keys were stored, so eight misses are needed: read the three
 *           hot keys in a loop, a few rounds.
 */
/*
 * Solution: the hot keys are read in rounds.  The eighth miss equals the
 * size of the dirty map: MAP_PROMOTE, the read map now holds all eight
 * keys, and every later load is a lock-free hit.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

#define ROUNDS	3

static const char *const keys[] = {
	"timeout", "retries", "region", "color", "lang", "theme", "tz", "units",
};
static const char *const hot[] = { "timeout", "retries", "region" };

static void show(struct ls_syncmap *m, struct ls_syncmap_stats *st)
{
	ls_syncmap_stats(m, st);
	printf("read %zu keys, dirty %zu keys, misses %d\n", st->read_len,
	       st->dirty_len, st->misses);
}

int main(void)
{
	struct ls_syncmap *m = ls_syncmap_new("settings");
	struct ls_syncmap_stats st;
	void *v;

	for (int i = 0; i < 8; i++)
		ls_syncmap_store(m, keys[i], (void *)(intptr_t)(i + 1));
	show(m, &st);

	for (int r = 0; r < ROUNDS; r++)
		for (int i = 0; i < 3; i++)
			if (ls_syncmap_load(m, hot[i], &v) && r == 0)
				printf("%s = %d\n", hot[i], (int)(intptr_t)v);
	show(m, &st);

	ls_syncmap_free(m);
	if (st.read_len != 8 || st.amended) {
		fprintf(stderr, "FAIL: the dirty map was not promoted\n");
		return 1;
	}
	return 0;
}
