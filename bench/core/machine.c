/* Machine metadata for run.json. */
#include <dirent.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <libcpuid/libcpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "machine.h"
#include "lab/state/memkind.h"

char *read_line_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	char *nl;

	if (!f)
		return NULL;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	nl = strchr(buf, '\n');
	if (nl)
		*nl = 0;
	return buf;
}

static json_t *file_string(const char *path)
{
	char buf[1024];

	return read_line_file(path, buf, sizeof(buf)) ? json_string(buf) : json_null();
}

static const char *hypervisor_name(hypervisor_vendor_t h)
{
	switch (h) {
	case HYPERVISOR_NONE:
		return "none";
	case HYPERVISOR_BHYVE:
		return "bhyve";
	case HYPERVISOR_HYPERV:
		return "hyperv";
	case HYPERVISOR_KVM:
		return "kvm";
	case HYPERVISOR_PARALLELS:
		return "parallels";
	case HYPERVISOR_QEMU:
		return "qemu";
	case HYPERVISOR_VIRTUALBOX:
		return "virtualbox";
	case HYPERVISOR_VMWARE:
		return "vmware";
	case HYPERVISOR_XEN:
		return "xen";
	default:
		return "unknown";
	}
}

static json_t *cpu_describe(void)
{
	struct cpu_raw_data_t raw;
	struct cpu_id_t id;
	json_t *o = json_object();

	json_object_set_new(o, "online", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	if (cpuid_get_raw_data(&raw) || cpu_identify(&raw, &id)) {
		json_object_set_new(o, "error", json_string(cpuid_error()));
		return o;
	}
	json_object_set_new(o, "vendor", json_string(id.vendor_str));
	json_object_set_new(o, "brand", json_string(id.brand_str));
	json_object_set_new(o, "codename", json_string(id.cpu_codename));
	json_object_set_new(o, "family", json_integer(id.family));
	json_object_set_new(o, "model", json_integer(id.model));
	json_object_set_new(o, "stepping", json_integer(id.stepping));
	json_object_set_new(o, "cores", json_integer(id.num_cores));
	json_object_set_new(o, "logical_cpus", json_integer(id.num_logical_cpus));
	json_object_set_new(o, "hypervisor",
			    json_string(hypervisor_name(cpuid_get_hypervisor(&raw, &id))));
	json_object_set_new(o, "libcpuid", json_string(cpuid_lib_version()));
	return o;
}

/* /sys/devices/system/cpu/vulnerabilities/<name>: "Mitigation: ..." per issue. */
static json_t *mitigations(void)
{
	const char *dir = "/sys/devices/system/cpu/vulnerabilities";
	DIR *d = opendir(dir);
	struct dirent *e;
	json_t *o = json_object();

	if (!d)
		return o;
	while ((e = readdir(d))) {
		char path[512];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		json_object_set_new(o, e->d_name, file_string(path));
	}
	closedir(d);
	return o;
}

/* a /proc/meminfo field in bytes, null if unreadable */
static json_t *meminfo_json(const char *key)
{
	uint64_t b = meminfo_bytes(key);
	return b ? json_integer((json_int_t)b) : json_null();
}

json_t *machine_describe(void)
{
	json_t *m = json_object(), *thp = json_object(), *lim = json_object();
	struct utsname u;
	char host[256];
	struct rlimit rl;

	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = 0;
		json_object_set_new(m, "hostname", json_string(host));
	}
	if (uname(&u) == 0) {
		json_object_set_new(m, "kernel", json_string(u.release));
		json_object_set_new(m, "kernel_version", json_string(u.version));
		json_object_set_new(m, "arch", json_string(u.machine));
	}
	json_object_set_new(m, "cmdline", file_string("/proc/cmdline"));
	json_object_set_new(m, "cpu", cpu_describe());
	json_object_set_new(m, "mem_total", meminfo_json("MemTotal"));
	json_object_set_new(m, "mem_available", meminfo_json("MemAvailable"));
	json_object_set_new(thp, "enabled",
			    file_string("/sys/kernel/mm/transparent_hugepage/enabled"));
	json_object_set_new(thp, "defrag",
			    file_string("/sys/kernel/mm/transparent_hugepage/defrag"));
	json_object_set_new(m, "thp", thp);
	json_object_set_new(m, "aslr", file_string("/proc/sys/kernel/randomize_va_space"));
	json_object_set_new(m, "mitigations", mitigations());
	json_object_set_new(m, "clocksource",
			    file_string("/sys/devices/system/clocksource/clocksource0/"
					"current_clocksource"));
	json_object_set_new(m, "hypervisor_sysfs", file_string("/sys/hypervisor/type"));
	json_object_set_new(m, "dmi_product", file_string("/sys/class/dmi/id/product_name"));
	json_object_set_new(m, "dmi_vendor", file_string("/sys/class/dmi/id/sys_vendor"));
	json_object_set_new(m, "cpufreq_governor",
			    file_string("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"));
	json_object_set_new(m, "smt", file_string("/sys/devices/system/cpu/smt/control"));
	json_object_set_new(m, "yama_ptrace_scope",
			    file_string("/proc/sys/kernel/yama/ptrace_scope"));
	json_object_set_new(m, "perf_event_paranoid",
			    file_string("/proc/sys/kernel/perf_event_paranoid"));
	json_object_set_new(m, "glibc", json_string(gnu_get_libc_version()));
	json_object_set_new(m, "compiler", json_string(__VERSION__));
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		json_object_set_new(lim, "nofile_soft", json_integer((json_int_t)rl.rlim_cur));
		json_object_set_new(lim, "nofile_hard", json_integer((json_int_t)rl.rlim_max));
	}
	if (getrlimit(RLIMIT_NPROC, &rl) == 0)
		json_object_set_new(lim, "nproc_soft", json_integer((json_int_t)rl.rlim_cur));
	json_object_set_new(m, "rlimits", lim);
	json_object_set_new(m, "euid", json_integer(geteuid()));
	return m;
}
