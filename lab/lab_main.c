/*
 * spawnscope-lab: the process that spawns every measured child (see lab_proto.h).
 *
 * Started by the driver with the command socket at LAB_SOCK_FD, the shared arena at
 * LAB_ARENA_FD, /dev/null on stdin and the driver's pid in argv[1]. It catches no signal
 * (a CLONE_VM child would otherwise have to reset handlers the experiment did not ask for),
 * lives in its own process group (the terminal's Ctrl-C reaches the driver, which asks the
 * lab to stop after the sample in flight), and dies with the driver (PR_SET_PDEATHSIG).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "lab.h"

static void reply_rc(struct lab_msg *m, int rc)
{
	m->rc = rc;
}

static bool dispatch(struct lab_msg *m)
{
	int rc;

	switch (m->op) {
	case LAB_MEM_ALLOC:
		lab_mem_alloc(m);
		break;
	case LAB_MEM_FREE:
		lab_mem_free(m);
		break;
	case LAB_FDS_OPEN:
		lab_fds_open(m);
		break;
	case LAB_FDS_CLOSE:
		lab_fds_close(m);
		break;
	case LAB_LOAD_START:
		lab_load_start(m);
		break;
	case LAB_LOAD_STOP:
		lab_load_stop(m);
		break;
	case LAB_POSTFORK:
		lab_postfork(m);
		break;
	case LAB_RUN:
		reply_rc(m, lab_run());
		break;
	case LAB_ONE:
		rc = lab_one(m->u.one.arm, &lab_sh->one);
		reply_rc(m, rc);
		break;
	case LAB_FOOTPRINT:
		reply_rc(m, lab_footprint_read(&m->u.fp));
		break;
	case LAB_QUIT:
		lab_state_release();
		reply_rc(m, 0);
		return false;
	default:
		snprintf(m->u.why, sizeof(m->u.why), "unknown command %u", m->op);
		reply_rc(m, -EPROTO);
	}
	return true;
}

int main(int argc, char **argv)
{
	struct lab_msg m;
	bool more = true;
	void *arena;
	pid_t driver;

	if (argc != 2 || (driver = (pid_t)strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr,
			"spawnscope-lab: started by the driver only (usage: %s DRIVER_PID)\n",
			argv[0]);
		return 2;
	}
	/* Die with the driver; if it already died, its orphan must not run on. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != driver)
		return 1;
	setpgid(0, 0);
	arena = mmap(NULL, LAB_ARENA_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, LAB_ARENA_FD, 0);
	if (arena == MAP_FAILED) {
		fprintf(stderr, "spawnscope-lab: mapping the shared arena (fd %d): %s\n",
			LAB_ARENA_FD, strerror(errno));
		return 1;
	}
	/* dup_mmap skips VM_DONTCOPY: no child copies the page tables of the samples */
	if (madvise(arena, LAB_ARENA_BYTES, MADV_DONTFORK)) {
		fprintf(stderr, "spawnscope-lab: MADV_DONTFORK on the arena: %s\n",
			strerror(errno));
		return 1;
	}
	close(LAB_ARENA_FD);
	lab_sh = arena;
	if (lab_sh->magic != LAB_MAGIC || lab_sh->version != LAB_PROTO_VERSION) {
		fprintf(stderr, "spawnscope-lab: the driver speaks another protocol version\n");
		return 1;
	}
	memset(&m, 0, sizeof(m));
	m.op = LAB_HELLO;
	m.rc = lab_loop_init();
	m.u.hello.pid = getpid();
	m.u.hello.version = (int32_t)LAB_PROTO_VERSION;
	if (m.rc)
		snprintf(m.u.why, sizeof(m.u.why), "stamp pipe: %s", strerror(-m.rc));
	if (lab_send(&m) || m.rc)
		return 1;
	while (more) {
		if (lab_recv(&m))
			break; /* the driver is gone */
		more = dispatch(&m);
		m.op = LAB_REPLY;
		if (lab_send(&m))
			break;
	}
	lab_state_release();
	return 0;
}
