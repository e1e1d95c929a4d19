/*
 * stamp: a static, libc-free program. At _start it reads CLOCK_MONOTONIC with a raw syscall
 * (no vDSO set-up, no libc start-up in front of it), writes the struct stamp_msg to
 * STAMP_FD or to the fd given in decimal as argv[1], and exits 0 (1 if the write failed or
 * argv[1] is not a decimal fd number).
 */
#include <time.h>

#include "../rawsys.h"
#include "stamp_proto.h"
#include "target_rt.h"

/* sp points at the initial stack the kernel built: argc, argv[0..argc), NULL, envp... */
__attribute__((noreturn, used)) void stamp_main(long *sp)
{
	struct timespec ts;
	struct stamp_msg msg;

	raw_syscall2(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	msg.sec = ts.tv_sec;
	msg.nsec = ts.tv_nsec;
	msg.cpu = stamp_cpu();
	msg.reserved = 0;

	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	long fd = STAMP_FD;
	if (argc > 1 && (fd = parse_fd(argv[1])) < 0)
		leave(1);
	long n = raw_syscall3(SYS_write, fd, &msg, sizeof(msg));
	leave(n == (long)sizeof(msg) ? 0 : 1);
}

#if defined(__x86_64__)
__asm__(".text\n.global _start\n.type _start,@function\n_start:\n"
	"\txor %ebp, %ebp\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall stamp_main\n\thlt\n");
#elif defined(__aarch64__)
__asm__(".text\n.global _start\n.type _start,%function\n_start:\n"
	"\tmov x29, #0\n\tmov x30, #0\n\tmov x0, sp\n\tbl stamp_main\n");
#endif
