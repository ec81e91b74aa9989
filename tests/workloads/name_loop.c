// SPDX-License-Identifier: MIT
/*
 * name_loop - a tiny traced workload: renames itself N times (default 1000),
 * firing the go_name probe once per call, then prints "done N".
 */
#include <stdio.h>
#include <stdlib.h>

#include <lockstep/lockstep.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;

	for (int i = 0; i < n; i++)
		ls_set_name(i & 1 ? "odd" : "even");
	printf("done %d\n", n);
	return 0;
}
