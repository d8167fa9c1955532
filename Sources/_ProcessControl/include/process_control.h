#ifndef PROCESS_CONTROL_H
#define PROCESS_CONTROL_H

/// prctl(PR_SET_CHILD_SUBREAPER, on): orphaned descendants of this process
/// are reparented to it instead of to init. 0, or -1 with errno set.
int process_control_set_child_subreaper(int on);

/// prctl(PR_SET_DUMPABLE, on): after a change of user the kernel clears the
/// flag, and a process that is not dumpable cannot be read by the Swift
/// backtracer, which reports a crash's line. 0, or -1 with errno set.
int process_control_set_dumpable(int on);

#endif
