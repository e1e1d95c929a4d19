/*
 * Loading, attaching and describing the spawn probes (probes/spawn.bpf.c and
 * probes/spawn_fentry.bpf.c).
 *
 * Which programs run is found by trial loads, never by kernel version or tracefs files:
 * every tracepoint has a tp_btf program and a raw_tp twin; all tp_btf ones are tried at once
 * (the common case: one load), then per tracepoint when that fails. The fentry programs are
 * optional extras, tried per kernel function. Every program ends up in run.json with whether
 * it is attached and, if not, why.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "libbpf_log.h"
#include "pidns.h"
#include "probes.h"
#include "probes_internal.h"
#include "spawn_events.h"
#include "spawn.skel.h"
#include "spawn_fentry.skel.h"

/* One tracepoint's pair of programs. */
struct tp_pair {
	const char *tp, *btf, *raw;
	bool required; /* without it nothing useful is recorded */
};
static const struct tp_pair tp_pairs[] = {
    {"sys_enter", "sp_enter_btf", "sp_enter_raw", true},
    {"sys_exit", "sp_exit_btf", "sp_exit_raw", false},
    {"task_newtask", "sp_newtask_btf", "sp_newtask_raw", false},
    {"sched_process_fork", "sp_fork_btf", "sp_fork_raw", true},
    {"sched_wakeup_new", "sp_wakeup_btf", "sp_wakeup_raw", false},
    {"sched_switch", "sp_switch_btf", "sp_switch_raw", false},
    {"sched_process_exec", "sp_exec_btf", "sp_exec_raw", false},
    {"sched_process_exit", "sp_pexit_btf", "sp_pexit_raw", false},
    {"mmap_lock_acquire_returned", "sp_lockacq_btf", "sp_lockacq_raw", false},
    {"mmap_lock_released", "sp_lockrel_btf", "sp_lockrel_raw", false},
};
#define N_PAIRS (sizeof(tp_pairs) / sizeof(tp_pairs[0]))

/* One kernel function's fentry/fexit pair. Everything hangs off copy_process's pair: it
 * creates the per-thread accumulator the others add to. */
struct kf_group {
	const char *fn, *in, *out;
};
static const struct kf_group kf_groups[] = {
    {"copy_process", "sp_cp_in", "sp_cp_out"},	     {"dup_mm", "sp_dupmm_in", "sp_dupmm_out"},
    {"dup_mmap", "sp_dupmmap_in", "sp_dupmmap_out"}, {"dup_fd", "sp_dupfd_in", "sp_dupfd_out"},
    {"copy_page_range", "sp_cpr_in", "sp_cpr_out"},  {"begin_new_exec", "sp_bne_in", "sp_bne_out"},
};
#define N_KF (sizeof(kf_groups) / sizeof(kf_groups[0]))

/* include/linux/errno.h: internal, but bpf_trampoline lets it reach user space where an
 * arch has no trampolines. */
#define KERNEL_ENOTSUPP 524

enum choice { USE_NONE = -1, USE_BTF = 0, USE_RAW = 1 };

/* Whether this process holds what loading tracing programs needs: CAP_BPF and CAP_PERFMON
 * (kernel/bpf/syscall.c bpf_prog_load), or CAP_SYS_ADMIN on kernels before 5.8. */
static bool have_bpf_caps(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {{0}};

	if (syscall(SYS_capget, &hdr, data))
		return false;
#define HAS_CAP(c) ((data[(c) / 32].effective >> ((c) % 32)) & 1u)
	return HAS_CAP(CAP_SYS_ADMIN) || (HAS_CAP(CAP_BPF) && HAS_CAP(CAP_PERFMON));
#undef HAS_CAP
}

/* what + the error + why: "Operation not permitted (need CAP_BPF and CAP_PERFMON)" when
 * the capabilities are missing, else libbpf's first warning ("failed to find kernel BTF
 * type ID of 'dup_mm'"), or for EPERM with the capabilities held, the kernel's refusal. */
static void load_error(int err, const char *what, char *buf, size_t len)
{
	const char *w = libbpf_first_warn;

	if (err == -EPERM)
		w = have_bpf_caps() ? "refused by the kernel although CAP_BPF and CAP_PERFMON "
				      "are held"
				    : "need CAP_BPF and CAP_PERFMON";
	snprintf(buf, len, "%s%s%s%s%s", what, strerror(-err), *w ? " (" : "", w, *w ? ")" : "");
	libbpf_first_warn[0] = '\0';
}

static struct prog_slot *slot_add(struct probes *pr, const char *name, enum prog_kind kind)
{
	struct prog_slot *s;

	if (pr->n_progs == PROBES_MAX_PROGS)
		return NULL;
	s = &pr->progs[pr->n_progs++];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->kind = kind;
	return s;
}

static struct prog_slot *slot_find(struct probes *pr, const char *name)
{
	for (size_t i = 0; i < pr->n_progs; i++)
		if (!strcmp(pr->progs[i].name, name))
			return &pr->progs[i];
	return NULL;
}

static void set_autoload(struct bpf_object *obj, const char *name, bool on)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);

	if (p)
		bpf_program__set_autoload(p, on);
}

/* Diagnostic switch SPAWNSCOPE_PROBES_NO_TP_BTF=all or a comma list of tracepoints: a load
 * that includes their tp_btf programs fails (ENOENT, before reaching the kernel), so the
 * fallback runs as it would on a kernel that refuses them. */
static bool tp_btf_refused(const char *tp)
{
	const char *list = getenv("SPAWNSCOPE_PROBES_NO_TP_BTF");
	size_t n = strlen(tp);

	if (!list)
		return false;
	if (!strcmp(list, "all"))
		return true;
	for (const char *p = list; (p = strstr(p, tp)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

static bool is_mmap_lock_tp(size_t i)
{
	return !strncmp(tp_pairs[i].tp, "mmap_lock_", 10);
}

/* Open spawn.bpf.c with one program of each pair as chosen, and load it. */
static int spawn_open_load(const struct probes *pr, const int choice[N_PAIRS],
			   struct spawn_bpf **out)
{
	struct spawn_bpf *s = spawn_bpf__open();
	int err;

	libbpf_first_warn[0] = '\0';
	if (!s)
		return -errno;
	s->rodata->target_tgid = (__u32)pr->watch_tgid;
	s->rodata->mm_memcg_path = pr->mm_layout.memcg_path;
	for (size_t i = 0; i < N_PAIRS; i++) {
		set_autoload(s->obj, tp_pairs[i].btf, choice[i] == USE_BTF);
		set_autoload(s->obj, tp_pairs[i].raw, choice[i] == USE_RAW);
		if (choice[i] == USE_BTF && tp_btf_refused(tp_pairs[i].tp)) {
			snprintf(libbpf_first_warn, sizeof(libbpf_first_warn),
				 "tp_btf/%s refused by SPAWNSCOPE_PROBES_NO_TP_BTF",
				 tp_pairs[i].tp);
			spawn_bpf__destroy(s);
			return -ENOENT;
		}
	}
	err = spawn_bpf__load(s);
	if (err) {
		spawn_bpf__destroy(s);
		return err < 0 ? err : -EINVAL;
	}
	*out = s;
	return 0;
}

/* c for every tracepoint, except the mmap_lock ones when their layout is unknown. */
static void fill_choice(const struct probes *pr, int choice[N_PAIRS], int c)
{
	for (size_t i = 0; i < N_PAIRS; i++)
		choice[i] = is_mmap_lock_tp(i) && !pr->mm_layout.known ? USE_NONE : c;
}

/* Choose tp_btf or raw_tp per tracepoint and load spawn.bpf.c. 0, or -errno with why. */
static int spawn_load(struct probes *pr, char *why, size_t len)
{
	int choice[N_PAIRS], err, err_raw;
	char btf_err[256] = "", raw_err[256] = "";
	const char *btf_what = "loading tp_btf programs failed: ";

	for (size_t i = 0; i < N_PAIRS; i++) {
		struct prog_slot *b = slot_add(pr, tp_pairs[i].btf, PK_TP_BTF);
		struct prog_slot *r = slot_add(pr, tp_pairs[i].raw, PK_RAW_TP);

		if (is_mmap_lock_tp(i) && !pr->mm_layout.known) {
			snprintf(b->reason, REASON_LEN, "not loaded: %s", pr->mm_layout.why);
			snprintf(r->reason, REASON_LEN, "not loaded: %s", pr->mm_layout.why);
		}
	}
	fill_choice(pr, choice, USE_BTF);
	err = spawn_open_load(pr, choice, &pr->skel);
	if (err)
		load_error(err, "", btf_err, sizeof(btf_err));
	if (err == -EPERM) {
		/* No privilege for BPF at all, most likely: one raw_tp load tells. */
		fill_choice(pr, choice, USE_RAW);
		err_raw = spawn_open_load(pr, choice, &pr->skel);
		if (err_raw) {
			load_error(err_raw, "", raw_err, sizeof(raw_err));
			snprintf(why, len, "probes: %s%s; loading raw_tp programs failed: %s",
				 btf_what, btf_err, raw_err);
			for (size_t i = 0; i < N_PAIRS; i++) {
				snprintf(slot_find(pr, tp_pairs[i].btf)->reason, REASON_LEN, "%s%s",
					 btf_what, btf_err);
				snprintf(slot_find(pr, tp_pairs[i].raw)->reason, REASON_LEN,
					 "raw_tp load failed: %s", raw_err);
			}
			return err_raw;
		}
	} else if (err) {
		/* Some tracepoint refused tp_btf: find out which, one pair at a time. */
		for (size_t i = 0; i < N_PAIRS; i++) {
			struct spawn_bpf *trial = NULL;
			int one[N_PAIRS];
			char e1[256], e2[256];

			fill_choice(pr, one, USE_NONE);
			if (choice[i] == USE_NONE)
				continue; /* mmap_lock with an unknown layout: never loaded */
			one[i] = USE_BTF;
			err = spawn_open_load(pr, one, &trial);
			if (!err) {
				choice[i] = USE_BTF;
				spawn_bpf__destroy(trial);
				continue;
			}
			load_error(err, "", e1, sizeof(e1));
			snprintf(slot_find(pr, tp_pairs[i].btf)->reason, REASON_LEN,
				 "tp_btf load failed: %s", e1);
			one[i] = USE_RAW;
			err = spawn_open_load(pr, one, &trial);
			if (!err) {
				choice[i] = USE_RAW;
				spawn_bpf__destroy(trial);
				continue;
			}
			load_error(err, "", e2, sizeof(e2));
			snprintf(slot_find(pr, tp_pairs[i].raw)->reason, REASON_LEN,
				 "raw_tp load failed: %s", e2);
			choice[i] = USE_NONE;
			if (tp_pairs[i].required) {
				snprintf(why, len,
					 "probes: no program for tracepoint %s loads: tp_btf: %s; "
					 "raw_tp: %s",
					 tp_pairs[i].tp, e1, e2);
				return err;
			}
		}
		err = spawn_open_load(pr, choice, &pr->skel);
		if (err) {
			load_error(err, "", btf_err, sizeof(btf_err));
			snprintf(why, len, "probes: loading the chosen programs failed: %s",
				 btf_err);
			return err;
		}
	}
	for (size_t i = 0; i < N_PAIRS; i++) {
		struct prog_slot *b = slot_find(pr, tp_pairs[i].btf);
		struct prog_slot *r = slot_find(pr, tp_pairs[i].raw);

		if (choice[i] == USE_BTF) {
			b->prog = bpf_object__find_program_by_name(pr->skel->obj, b->name);
			snprintf(r->reason, sizeof(r->reason), "not needed: tp_btf twin %s loaded",
				 b->name);
		} else if (choice[i] == USE_RAW) {
			r->prog = bpf_object__find_program_by_name(pr->skel->obj, r->name);
			if (!b->reason[0])
				snprintf(b->reason, sizeof(b->reason), "%s%s", btf_what, btf_err);
		}
	}
	return 0;
}

static int fentry_open_load(const struct probes *pr, const bool use[N_KF],
			    struct spawn_fentry_bpf **out)
{
	struct spawn_fentry_bpf *s = spawn_fentry_bpf__open();
	int err;

	libbpf_first_warn[0] = '\0';
	if (!s)
		return -errno;
	s->rodata->target_tgid = (__u32)pr->watch_tgid;
	/* one map of live tracked processes for both objects */
	err = bpf_map__reuse_fd(s->maps.live, bpf_map__fd(pr->skel->maps.live));
	if (err) {
		spawn_fentry_bpf__destroy(s);
		return err;
	}
	for (size_t i = 0; i < N_KF; i++) {
		set_autoload(s->obj, kf_groups[i].in, use[i]);
		set_autoload(s->obj, kf_groups[i].out, use[i]);
	}
	err = spawn_fentry_bpf__load(s);
	if (err) {
		spawn_fentry_bpf__destroy(s);
		return err < 0 ? err : -EINVAL;
	}
	*out = s;
	return 0;
}

static void kf_reason(struct probes *pr, size_t i, const char *fmt, const char *arg)
{
	snprintf(slot_find(pr, kf_groups[i].in)->reason, REASON_LEN, fmt, arg);
	snprintf(slot_find(pr, kf_groups[i].out)->reason, REASON_LEN, fmt, arg);
}

/* The optional fentry/fexit programs: as many function pairs as the kernel accepts. */
static void fentry_load(struct probes *pr)
{
	bool use[N_KF];
	char e[256];
	int err;

	for (size_t i = 0; i < N_KF; i++) {
		slot_add(pr, kf_groups[i].in, PK_FENTRY);
		slot_add(pr, kf_groups[i].out, PK_FENTRY);
		use[i] = true;
	}
	err = fentry_open_load(pr, use, &pr->fskel);
	if (err) {
		load_error(err, "", e, sizeof(e));
		if (err == -EPERM || err == -EOPNOTSUPP || err == -KERNEL_ENOTSUPP) {
			/* The kernel refuses BPF trampolines as such: no single function helps. */
			for (size_t i = 0; i < N_KF; i++)
				kf_reason(pr, i, "fentry load failed: %s", e);
			return;
		}
		/* Some function has no BTF entry (inlined) or is not traceable: try each. */
		for (size_t i = 0; i < N_KF; i++) {
			struct spawn_fentry_bpf *trial = NULL;
			bool one[N_KF] = {0};

			one[0] = true; /* copy_process: the others depend on it */
			one[i] = true;
			err = fentry_open_load(pr, one, &trial);
			if (!err) {
				spawn_fentry_bpf__destroy(trial);
				continue;
			}
			load_error(err, "", e, sizeof(e));
			use[i] = false;
			kf_reason(pr, i, "fentry load failed: %s", e);
			if (i == 0) {
				for (size_t j = 1; j < N_KF; j++)
					kf_reason(
					    pr, j, "%s",
					    "not loaded: it needs the copy_process pair, which "
					    "failed");
				return;
			}
		}
		err = fentry_open_load(pr, use, &pr->fskel);
		if (err) {
			load_error(err, "", e, sizeof(e));
			for (size_t i = 0; i < N_KF; i++)
				if (use[i])
					kf_reason(pr, i, "fentry load failed: %s", e);
			return;
		}
	}
	for (size_t i = 0; i < N_KF; i++) {
		if (!use[i])
			continue;
		slot_find(pr, kf_groups[i].in)->prog =
		    bpf_object__find_program_by_name(pr->fskel->obj, kf_groups[i].in);
		slot_find(pr, kf_groups[i].out)->prog =
		    bpf_object__find_program_by_name(pr->fskel->obj, kf_groups[i].out);
	}
}

static bool slot_required(const struct prog_slot *s)
{
	for (size_t i = 0; i < N_PAIRS; i++)
		if (tp_pairs[i].required &&
		    (!strcmp(s->name, tp_pairs[i].btf) || !strcmp(s->name, tp_pairs[i].raw)))
			return true;
	return false;
}

/* Entry side first (see attach_all). Then forget spawns caught half-way: their syscall exit
 * will not be seen. 0, or the first -errno of bpf_link__destroy (the link is forgotten
 * either way: libbpf frees it even when closing its fd fails). */
static int detach_all(struct probes *pr)
{
	int first = 0;

	for (size_t i = 0; i < pr->n_progs; i++) {
		struct prog_slot *s = &pr->progs[i];
		int err;

		if (!s->link)
			continue;
		err = bpf_link__destroy(s->link);
		s->link = NULL;
		if (err && !first) {
			first = err < 0 ? err : -EIO;
			snprintf(pr->error, sizeof(pr->error), "probes: detaching %s: %s", s->name,
				 strerror(-first));
		}
	}
	if (pr->skel) {
		probes_clear_map(pr->skel->maps.inflight);
		pr->skel->bss->desc_inflight = 0;
	}
	if (pr->fskel)
		probes_clear_map(pr->fskel->maps.kf_inflight);
	return first;
}

/* Attach every loaded program. A required one that will not attach is an error (-errno,
 * why), and so is, on a re-attach, one that attached at open; any other is reported in its
 * slot. */
static int attach_all(struct probes *pr, bool reattach, char *why, size_t len)
{
	/* In reverse: every exit-side program (sys_exit, sched_switch) is in place before its
	 * entry side (sys_enter, sched_process_fork) starts creating records. */
	for (size_t k = pr->n_progs; k-- > 0;) {
		struct prog_slot *s = &pr->progs[k];
		int err;

		if (!s->prog || s->link)
			continue;
		s->link = bpf_program__attach(s->prog);
		if (s->link) {
			s->reason[0] = '\0';
			if (!reattach)
				s->attached_at_open = true;
			continue;
		}
		err = -errno;
		load_error(err, "attach failed: ", s->reason, sizeof(s->reason));
		if (slot_required(s) || (reattach && s->attached_at_open)) {
			snprintf(why, len, "probes: %s: %s", s->name, s->reason);
			detach_all(pr);
			pr->attached = false;
			return err;
		}
	}
	pr->attached = true;
	return 0;
}

static void summarize(struct probes *pr)
{
	size_t n_att[3] = {0}, n_all[3] = {0};

	for (size_t i = 0; i < pr->n_progs; i++) {
		n_all[pr->progs[i].kind]++;
		if (pr->progs[i].link)
			n_att[pr->progs[i].kind]++;
	}
	snprintf(pr->summary, sizeof(pr->summary),
		 "attached: %zu of %zu tp_btf, %zu of %zu raw_tp (twins, used where tp_btf "
		 "fails), %zu of %zu fentry",
		 n_att[PK_TP_BTF], n_all[PK_TP_BTF], n_att[PK_RAW_TP], n_all[PK_RAW_TP],
		 n_att[PK_FENTRY], n_all[PK_FENTRY]);
}

/* The programs see global pids (task->pid, bpf_get_current_pid_tgid) and key children by
 * them: a driver inside another PID namespace would have getpid() and child pids they never
 * see (lockstat, which needs only the watched tgid, translates it instead: pidns.c). */
static int check_pid_namespace(char *why, size_t len)
{
	if (pidns_is_initial())
		return 0;
	snprintf(why, len,
		 "probes: the driver runs in a PID namespace other than the initial one; the "
		 "probes key children by global pids");
	return -EOPNOTSUPP;
}

int probes_open(enum probes_mode mode, pid_t watch_tgid, struct probes **out, char *why, size_t len)
{
	libbpf_print_fn_t old_print;
	struct probes *pr;
	int err;

	*out = NULL;
	if (len)
		why[0] = '\0';
	if (mode == PROBES_OFF) {
		snprintf(why, len, "probes off (--probes off)");
		return 0;
	}
	err = check_pid_namespace(why, len);
	if (err)
		return mode == PROBES_ON ? err : 0;
	pr = calloc(1, sizeof(*pr));
	if (!pr) {
		snprintf(why, len, "probes: %s", strerror(ENOMEM));
		return mode == PROBES_ON ? -ENOMEM : 0;
	}
	pr->watch_tgid = watch_tgid;
	libbpf_debug = getenv("SPAWNSCOPE_PROBES_DEBUG") != NULL;
	libbpf_first_warn[0] = '\0';
	old_print = libbpf_set_print(libbpf_capture_print);
	mmap_lock_layout_read(&pr->mm_layout);
	err = spawn_load(pr, why, len);
	if (!err) {
		fentry_load(pr);
		err = attach_all(pr, false, why, len);
	}
	libbpf_set_print(old_print);
	if (err) {
		probes_close(pr);
		return mode == PROBES_ON ? err : 0;
	}
	summarize(pr);
	*out = pr;
	return 0;
}

static const char *kind_name(enum prog_kind k)
{
	return k == PK_TP_BTF ? "tp_btf" : k == PK_RAW_TP ? "raw_tp" : "fentry";
}

static void describe_prog(json_t *arr, const char *name, const char *kind, bool attached,
			  const char *reason)
{
	json_t *p = json_object();

	json_object_set_new(p, "name", json_string(name));
	json_object_set_new(p, "kind", json_string(kind));
	json_object_set_new(p, "attached", json_boolean(attached));
	json_object_set_new(p, "reason", json_string(reason));
	json_array_append_new(arr, p);
}

/* Without a loaded probes object, list the programs from the embedded ELF (opening a
 * skeleton only parses it: no privilege needed). */
static void describe_unloaded(json_t *arr, const char *why)
{
	struct spawn_bpf *s = spawn_bpf__open();
	struct spawn_fentry_bpf *f = spawn_fentry_bpf__open();
	struct bpf_program *p;

	if (s)
		bpf_object__for_each_program(p, s->obj)
		{
			const char *sec = bpf_program__section_name(p);

			describe_prog(arr, bpf_program__name(p),
				      strncmp(sec, "tp_btf/", 7) ? "raw_tp" : "tp_btf", false, why);
		}
	if (f)
		bpf_object__for_each_program(p, f->obj)
		{
			describe_prog(arr, bpf_program__name(p), "fentry", false, why);
		}
	spawn_bpf__destroy(s);
	spawn_fentry_bpf__destroy(f);
}

void probes_describe(const struct probes *pr, const char *why_off, json_t *obj)
{
	json_t *arr = json_array();

	json_object_set_new(obj, "enabled", json_boolean(pr != NULL));
	if (!pr) {
		const char *why = why_off && *why_off ? why_off : "probes not opened";
		libbpf_print_fn_t old_print = libbpf_set_print(NULL);

		json_object_set_new(obj, "reason", json_string(why));
		describe_unloaded(arr, why);
		libbpf_set_print(old_print);
	} else {
		json_object_set_new(obj, "reason", json_string(pr->summary));
		json_object_set_new(
		    obj, "mmap_lock_layout",
		    json_string(pr->mm_layout.known ? pr->mm_layout.describe : pr->mm_layout.why));
		for (size_t i = 0; i < pr->n_progs; i++) {
			const struct prog_slot *s = &pr->progs[i];
			const char *reason = s->reason;

			if (s->prog && !s->link && !s->reason[0])
				reason = "detached (probes_set_attached)";
			describe_prog(arr, s->name, kind_name(s->kind), s->link != NULL, reason);
		}
	}
	json_object_set_new(obj, "programs", arr);
}

int probes_set_attached(struct probes *pr, bool on)
{
	if (!pr)
		return -EINVAL;
	pr->error[0] = '\0';
	if (on == pr->attached)
		return 0;
	if (!on) {
		pr->attached = false;
		return detach_all(pr);
	}
	return attach_all(pr, true, pr->error, sizeof(pr->error));
}

const char *probes_error(const struct probes *pr)
{
	return pr ? pr->error : "";
}

/* Sum of recursion_misses (kernel/bpf/syscall.c bpf_prog_get_info_by_fd) over the attached
 * programs: runs the kernel skipped because the program was already active on that CPU. */
static int recursion_misses(const struct probes *pr, uint64_t *out)
{
	*out = 0;
	for (size_t i = 0; i < pr->n_progs; i++) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		if (!pr->progs[i].prog || bpf_program__fd(pr->progs[i].prog) < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(bpf_program__fd(pr->progs[i].prog), &info, &len))
			return -errno;
		*out += info.recursion_misses;
	}
	return 0;
}

int probes_drops(const struct probes *pr, struct probe_drops *out)
{
	memset(out, 0, sizeof(*out));
	if (!pr)
		return -EINVAL;
	out->records_full = pr->skel->bss->drops.records_full;
	out->inflight_full = pr->skel->bss->drops.inflight_full;
	out->live_full = pr->skel->bss->drops.live_full;
	return recursion_misses(pr, &out->recursion_misses);
}

void probes_drops_json(const struct probes *pr, json_t *obj, const char *key)
{
	struct probe_drops d;
	int err;

	if (!pr)
		return;
	err = probes_drops(pr, &d);
	json_object_set_new(
	    obj, key,
	    json_pack("{s:I, s:I, s:I, s:I, s:s}", "records_map_full", (json_int_t)d.records_full,
		      "inflight_map_full", (json_int_t)d.inflight_full, "live_map_full",
		      (json_int_t)d.live_full, "recursion_misses", (json_int_t)d.recursion_misses,
		      "error", err ? strerror(-err) : ""));
}

void probes_close(struct probes *pr)
{
	if (!pr)
		return;
	detach_all(pr);
	spawn_fentry_bpf__destroy(pr->fskel);
	spawn_bpf__destroy(pr->skel);
	free(pr);
}
