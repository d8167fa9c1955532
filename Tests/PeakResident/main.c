// peak-resident PROGRAM [ARGUMENT...]: runs PROGRAM (an absolute path) with
// its standard output and error sent to /dev/null, and prints its peak
// resident size in KB (its ru_maxrss) on standard output. Exit status 0 when
// PROGRAM ran (whatever its own status), 70 when it could not be started.
//
// Why a program of its own: when a process calls exec, Linux records the peak
// resident size of the memory it leaves as the process's peak so far. A child
// that posix_spawn starts shares its parent's memory until its exec, so its
// ru_maxrss starts at the parent's peak: a test runner that has grown past
// the bound a test checks would see every child it starts "reach" it. This
// program is small, and the child it forks starts from its few hundred KB.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: peak-resident PROGRAM [ARGUMENT...]\n");
    return 64;
  }
  pid_t pid = fork();
  if (pid < 0) {
    perror("peak-resident: fork");
    return 70;
  }
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
      dup2(null, 1);
      dup2(null, 2);
    }
    execv(argv[1], argv + 1);
    _exit(127);
  }
  int status = 0;
  struct rusage usage;
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) {
      perror("peak-resident: wait4");
      return 70;
    }
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    fprintf(stderr, "peak-resident: cannot start %s\n", argv[1]);
    return 70;
  }
  printf("%ld\n", usage.ru_maxrss);
  return 0;
}
