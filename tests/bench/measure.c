/* measure: runs a command and prints its wall-clock seconds, peak resident
 * set (KiB, from wait4's rusage), exit status and CPU seconds (user + system:
 * what a busy machine does not inflate), for the benchmark tables. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fputs("usage: measure RESULT-FILE COMMAND [ARG...]\n"
		      "Runs COMMAND; writes \"SECONDS MAXRSS_KIB STATUS CPU_SECONDS\" to RESULT-FILE and exits\n"
		      "with its status.\n",
		      stderr);
		return 2;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		perror("measure: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "measure: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("measure: wait4");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		     (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	FILE *f = fopen(argv[1], "w");
	if (!f || fprintf(f, "%.3f %ld %d %.3f\n", secs, ru.ru_maxrss, code, cpu) < 0 || fclose(f) != 0) {
		perror(argv[1]);
		return 2;
	}
	return code;
}
