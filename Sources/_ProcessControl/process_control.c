#include <sys/prctl.h>

#include "process_control.h"

// prctl is variadic in C, which Swift cannot call: these give it fixed arguments.

int process_control_set_child_subreaper(int on) {
  return prctl(PR_SET_CHILD_SUBREAPER, (unsigned long)on, 0UL, 0UL, 0UL);
}

int process_control_set_dumpable(int on) {
  return prctl(PR_SET_DUMPABLE, (unsigned long)on, 0UL, 0UL, 0UL);
}
