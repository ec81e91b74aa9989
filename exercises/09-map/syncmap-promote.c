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
 * sync.Map keeps two maps.  "read" is read-only and consulted without a
 * lock.  New keys go into "dirty", under a mutex.  Reads that miss "read"
 * fall back to "dirty" and count a miss; enough misses and the whole dirty
 * map is promoted to be the new read map, so that later reads are
 * lock-free again.  That is why sync.Map suits "written once, read many
 * times" keys.
 *
 * The program stores eight settings and reads the three hot ones once.
 * Watch MAP_OP (a1: hit in read map, a2: misses).  Change the reading part
 * so that the map promotes its dirty map.
 */
#include <stdio.h>
#include <lockstep/lockstep.h>

static const char *const keys[] = {
	"timeout", "retries", "region", "color", "lang", "theme", "tz", "units",
};
static const char *const hot[] = { "timeout", "retries", "region" };

static void show(struct ls_syncmap *m)
{
	struct ls_syncmap_stats st;

	ls_syncmap_stats(m, &st);
	printf("read %zu keys, dirty %zu keys, misses %d\n", st.read_len,
	       st.dirty_len, st.misses);
}

int main(void)
{
	struct ls_syncmap *m = ls_syncmap_new("settings");
	void *v;

	for (int i = 0; i < 8; i++)
		ls_syncmap_store(m, keys[i], (void *)(intptr_t)(i + 1));
	show(m);

	for (int i = 0; i < 3; i++)
		if (ls_syncmap_load(m, hot[i], &v))
			printf("%s = %d\n", hot[i], (int)(intptr_t)v);
	show(m);

	ls_syncmap_free(m);
	return 0;
}
