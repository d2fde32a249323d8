/* /init of the Linux test initramfs (built by tools/build/linux.sh).
 *
 * No libc: static, freestanding rv64imac/lp64, entered at _start (start.S), which also holds
 * the one system-call entry, sys_call(). It mounts proc and sysfs, reports how many CPUs
 * are online, mounts devtmpfs on /dev and then:
 *   - with `vireo.test=disk` on the kernel command line, runs the disk test: mount /dev/vda
 *     (ext2) on /mnt, print the first line of /mnt/hello.txt, write /mnt/out.txt, sync,
 *     unmount, report whether /dev/vdb exists, power off;
 *   - with `vireo.test=bench`, runs the disk benchmark on the raw /dev/vda (any content; the
 *     build makes bench.img): read all of it sequentially in 64 KiB reads (O_DIRECT), write
 *     the same bytes back in 64 KiB pwrites and fsync, print both times, power off;
 *   - with `vireo.test=fp`, runs one double-precision computation in user mode (init is
 *     built rv64imac; the instructions are enabled for that one function) and prints its
 *     bits, then powers off — on a hart without F/D it dies of SIGILL and the kernel panics
 *     ("Attempted to kill init! exitcode=0x00000004"), the failure a stock userland meets;
 *   - otherwise runs a tiny shell on /dev/console (`help` lists its builtins).
 * It never returns: init exiting panics the kernel, so every way out is a power-off. */

typedef unsigned long size_t;
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned long u64;

long sys_call(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

/* asm-generic system-call numbers (RISC-V uses the generic table). */
enum {
  NR_dup3 = 24, NR_mkdirat = 34, NR_umount2 = 39, NR_mount = 40, NR_faccessat = 48,
  NR_openat = 56, NR_close = 57, NR_getdents64 = 61, NR_read = 63, NR_write = 64,
  NR_sync = 81, NR_fsync = 82, NR_nanosleep = 101, NR_reboot = 142, NR_uname = 160,
  NR_lseek = 62, NR_pread64 = 67, NR_pwrite64 = 68, NR_clock_gettime = 113,
  NR_munmap = 215, NR_mmap = 222,
};
#define AT_FDCWD (-100)
#define O_RDONLY 0
#define O_WRONLY 01
#define O_RDWR 02
#define O_CREAT 0100
#define O_TRUNC 01000
#define O_DIRECTORY 0200000
#define O_DIRECT 040000
#define EINTR 4
#define EBADF 9
#define EBUSY 16
#define EINVAL 22
#define SEEK_END 2
#define CLOCK_MONOTONIC 1
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_PRIVATE 0x02
#define MAP_ANONYMOUS 0x20
#define DT_DIR 4
#define REBOOT_MAGIC1 0xfee1deadL
#define REBOOT_MAGIC2 672274793L
#define REBOOT_CMD_RESTART 0x01234567L
#define REBOOT_CMD_POWER_OFF 0x4321fedcL

#define SC(nr, a, b, c, d, e) sys_call((nr), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

static long sys_openat(const char *path, int flags, int mode) { return SC(NR_openat, AT_FDCWD, path, flags, mode, 0); }
static long sys_close(int fd) { return SC(NR_close, fd, 0, 0, 0, 0); }
static long sys_read(int fd, void *buf, size_t n) { return SC(NR_read, fd, buf, n, 0, 0); }
static long sys_write(int fd, const void *buf, size_t n) { return SC(NR_write, fd, buf, n, 0, 0); }
static long sys_mount(const char *src, const char *dir, const char *type) { return SC(NR_mount, src, dir, type, 0, 0); }
static long sys_umount(const char *dir) { return SC(NR_umount2, dir, 0, 0, 0, 0); }
static long sys_exists(const char *path) { return SC(NR_faccessat, AT_FDCWD, path, 0 /* F_OK */, 0, 0) == 0; }
static long sys_reboot(long cmd) { return SC(NR_reboot, REBOOT_MAGIC1, REBOOT_MAGIC2, cmd, 0, 0); }

/* The compiler may emit calls to these even in freestanding code. */
void *memset(void *d, int c, size_t n) { u8 *p = d; while (n--) *p++ = (u8)c; return d; }
void *memcpy(void *d, const void *s, size_t n) { u8 *p = d; const u8 *q = s; while (n--) *p++ = *q++; return d; }
void *memmove(void *d, const void *s, size_t n) {
  u8 *p = d; const u8 *q = s;
  if (p < q) { while (n--) *p++ = *q++; } else { while (n--) p[n] = q[n]; }
  return d;
}

static size_t str_len(const char *s) { size_t n = 0; while (s[n]) n++; return n; }
static int str_eq(const char *a, const char *b) { while (*a && *a == *b) { a++; b++; } return *a == *b; }
static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* ---- Output: lines are assembled in a buffer and written to fd 1 (/dev/console) in one
 * write, so they do not interleave with kernel messages mid-line. ---- */

static char obuf[1024];
static size_t olen;

static void out_flush(void) {
  size_t done = 0;
  while (done < olen) {
    long n = sys_write(1, obuf + done, olen - done);
    if (n == -EINTR) continue;
    if (n <= 0) break;
    done += (size_t)n;
  }
  olen = 0;
}
static void out_chr(char c) { if (olen == sizeof obuf) out_flush(); obuf[olen++] = c; }
static void out_mem(const char *s, size_t n) { while (n--) out_chr(*s++); }
static void out_str(const char *s) { while (*s) out_chr(*s++); }
static void out_num(long v) {
  char d[24]; int i = 0;
  unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
  if (v < 0) out_chr('-');
  do { d[i++] = (char)('0' + u % 10); u /= 10; } while (u);
  while (i) out_chr(d[--i]);
}
/* "vireo-init: error: STEP: errno N" */
static void report_error(const char *step, long err) {
  out_str("vireo-init: error: "); out_str(step); out_str(": errno "); out_num(-err); out_chr('\n');
  out_flush();
}

/* ---- Files ---- */

/* Reads up to cap bytes of PATH; returns the count or -errno. */
static long read_file(const char *path, char *buf, size_t cap) {
  long fd = sys_openat(path, O_RDONLY, 0);
  if (fd < 0) return fd;
  size_t got = 0;
  while (got < cap) {
    long n = sys_read((int)fd, buf + got, cap - got);
    if (n == -EINTR) continue;
    if (n < 0) { sys_close((int)fd); return n; }
    if (n == 0) break;
    got += (size_t)n;
  }
  sys_close((int)fd);
  return (long)got;
}

static char big[16384];

/* Online CPUs: the ranges in /sys/devices/system/cpu/online ("0-3,5"), or else the
 * "processor" lines of /proc/cpuinfo. 0 when neither can be read. */
static int count_cpus(void) {
  char b[256];
  long n = read_file("/sys/devices/system/cpu/online", b, sizeof b - 1);
  if (n > 0) {
    int count = 0;
    long i = 0;
    while (i < n) {
      long lo = 0, hi;
      if (b[i] < '0' || b[i] > '9') break;
      while (i < n && b[i] >= '0' && b[i] <= '9') lo = lo * 10 + (b[i++] - '0');
      hi = lo;
      if (i < n && b[i] == '-') {
        i++; hi = 0;
        while (i < n && b[i] >= '0' && b[i] <= '9') hi = hi * 10 + (b[i++] - '0');
      }
      if (hi >= lo) count += (int)(hi - lo + 1);
      if (i < n && b[i] == ',') i++; else break;
    }
    if (count > 0) return count;
  }
  n = read_file("/proc/cpuinfo", big, sizeof big);
  int count = 0;
  for (long i = 0; i < n; i++) {
    if ((i == 0 || big[i - 1] == '\n') && n - i >= 9) {
      const char *p = "processor"; long k = 0;
      while (k < 9 && big[i + k] == p[k]) k++;
      if (k == 9) count++;
    }
  }
  return count;
}

/* True when the kernel command line holds WORD as a whole argument. */
static int cmdline_has(const char *word) {
  char b[1024];
  long n = read_file("/proc/cmdline", b, sizeof b - 1);
  if (n <= 0) return 0;
  b[n] = 0;
  size_t wl = str_len(word);
  for (long i = 0; i < n; ) {
    while (i < n && is_space(b[i])) i++;
    long start = i;
    while (i < n && !is_space(b[i])) i++;
    if ((size_t)(i - start) == wl) {
      size_t k = 0;
      while (k < wl && b[start + (long)k] == word[k]) k++;
      if (k == wl) return 1;
    }
  }
  return 0;
}

static void sleep_seconds(long s) {
  long ts[2] = { s, 0 };
  SC(NR_nanosleep, ts, 0, 0, 0, 0);
}

static void __attribute__((noreturn)) power_off(long cmd) {
  out_str(cmd == REBOOT_CMD_RESTART ? "vireo-init: rebooting\n" : "vireo-init: powering off\n");
  out_flush();
  SC(NR_sync, 0, 0, 0, 0, 0);
  long r = sys_reboot(cmd);
  report_error("reboot", r);
  for (;;) sleep_seconds(3600);   /* cannot exit: that would panic the kernel */
}

/* ---- The FP test (vireo.test=fp) ---- */

static void out_hex(u64 v) {
  out_str("0x");
  for (int i = 60; i >= 0; i -= 4) out_chr("0123456789abcdef"[(v >> i) & 15]);
}

/* 3/8 + 3/8 = 0.75, whose IEEE 754 double is 0x3fe8000000000000. */
static void __attribute__((noreturn)) fp_test(void) {
  u64 bits;
  __asm__ volatile(".option push\n\t.option arch, +d\n\t"
                   "li t0, 3\n\tfcvt.d.l ft0, t0\n\tli t0, 8\n\tfcvt.d.l ft1, t0\n\t"
                   "fdiv.d ft2, ft0, ft1\n\tfadd.d ft2, ft2, ft2\n\tfmv.x.d %0, ft2\n\t"
                   ".option pop" : "=r"(bits) : : "t0");
  out_str("vireo-init: fp 3/8 + 3/8 = "); out_hex(bits); out_chr('\n');
  power_off(REBOOT_CMD_POWER_OFF);
}

/* ---- The disk test (vireo.test=disk) ---- */

static void __attribute__((noreturn)) disk_test(int cpus) {
  long r = sys_mount("/dev/vda", "/mnt", "ext2");
  if (r < 0) {
    report_error("mount /dev/vda", r);
  } else {
    int ok = 1;
    char b[256];
    long n = read_file("/mnt/hello.txt", b, sizeof b);
    if (n < 0) {
      report_error("read /mnt/hello.txt", n);
    } else {
      long e = 0;
      while (e < n && b[e] != '\n') e++;
      out_str("vireo-init: read: "); out_mem(b, (size_t)e); out_chr('\n'); out_flush();
    }
    char text[64];
    size_t tl = 0;
    const char *parts[] = { "written by linux on ", 0, " cpus\n" };
    for (int p = 0; p < 3; p++) {
      if (parts[p]) { for (const char *s = parts[p]; *s; s++) text[tl++] = *s; continue; }
      char d[12]; int k = 0; int v = cpus;
      do { d[k++] = (char)('0' + v % 10); v /= 10; } while (v);
      while (k) text[tl++] = d[--k];
    }
    long fd = sys_openat("/mnt/out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
      report_error("open /mnt/out.txt", fd); ok = 0;
    } else {
      long w = sys_write((int)fd, text, tl);
      if (w != (long)tl) { report_error("write /mnt/out.txt", w < 0 ? w : -5 /* EIO */); ok = 0; }
      long f = SC(NR_fsync, fd, 0, 0, 0, 0);
      if (f < 0) { report_error("fsync /mnt/out.txt", f); ok = 0; }
      long c = sys_close((int)fd);
      if (c < 0) { report_error("close /mnt/out.txt", c); ok = 0; }
    }
    SC(NR_sync, 0, 0, 0, 0, 0);
    r = sys_umount("/mnt");
    if (r < 0) { report_error("umount /mnt", r); ok = 0; }
    if (ok) { out_str("vireo-init: wrote out.txt\n"); out_flush(); }
  }
  out_str(sys_exists("/dev/vdb") ? "vireo-init: vdb present\n" : "vireo-init: no vdb\n");
  out_flush();
  power_off(REBOOT_CMD_POWER_OFF);
}

/* ---- The disk benchmark (vireo.test=bench) ---- */

#define BENCH_CHUNK 65536L

/* CLOCK_MONOTONIC in microseconds (the system call: this /init has no vDSO code). */
static long now_us(void) {
  long ts[2] = { 0, 0 };
  long r = SC(NR_clock_gettime, CLOCK_MONOTONIC, ts, 0, 0, 0);
  if (r < 0) { report_error("clock_gettime", r); return 0; }
  return ts[0] * 1000000L + ts[1] / 1000;
}

/* Opens /dev/vda with FLAGS | O_DIRECT, or with FLAGS alone when the kernel refuses
 * O_DIRECT (EINVAL); *direct says which. */
static long bench_open(int flags, int *direct) {
  long fd = sys_openat("/dev/vda", flags | O_DIRECT, 0);
  *direct = fd >= 0;
  if (fd == -EINVAL) fd = sys_openat("/dev/vda", flags, 0);
  return fd;
}

/* "vireo-init: bench WHAT N bytes in T us" */
static void bench_report(const char *what, long bytes, long us) {
  out_str("vireo-init: bench "); out_str(what); out_chr(' '); out_num(bytes);
  out_str(" bytes in "); out_num(us); out_str(" us\n"); out_flush();
}

/* Reads all of /dev/vda into one buffer (64 KiB reads), then writes it back (64 KiB
 * pwrites, fsync). The buffer is anonymous memory, page-aligned as O_DIRECT needs, and
 * touched before the clock starts so that page faults are not counted. */
static void __attribute__((noreturn)) bench_test(void) {
  int direct;
  long fd = bench_open(O_RDONLY, &direct);
  if (fd < 0) { report_error("open /dev/vda", fd); power_off(REBOOT_CMD_POWER_OFF); }
  long size = SC(NR_lseek, fd, 0, SEEK_END, 0, 0);
  if (size < 0) { report_error("lseek /dev/vda", size); power_off(REBOOT_CMD_POWER_OFF); }
  out_str("vireo-init: bench /dev/vda "); out_num(size);
  out_str(direct ? " bytes, O_DIRECT\n" : " bytes, buffered\n"); out_flush();
  size_t len = size > 0 ? (size_t)size : 1;
  long m = sys_call(NR_mmap, 0, (long)len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m < 0 && m > -4096) { report_error("mmap", m); power_off(REBOOT_CMD_POWER_OFF); }
  u8 *buf = (u8 *)m;
  for (size_t i = 0; i < len; i += 4096) buf[i] = 0;

  long got = 0, t0 = now_us();
  while (got < size) {
    long want = size - got < BENCH_CHUNK ? size - got : BENCH_CHUNK;
    long n = SC(NR_pread64, fd, buf + got, want, got, 0);
    if (n == -EINTR) continue;
    if (n <= 0) { report_error("read /dev/vda", n < 0 ? n : -5 /* EIO */); break; }
    got += n;
  }
  long t1 = now_us();
  sys_close((int)fd);
  bench_report("read", got, t1 - t0);
  if (got != size) power_off(REBOOT_CMD_POWER_OFF);

  fd = bench_open(O_RDWR, &direct);
  if (fd < 0) { report_error("open /dev/vda for writing", fd); power_off(REBOOT_CMD_POWER_OFF); }
  long put = 0;
  t0 = now_us();
  while (put < size) {
    long want = size - put < BENCH_CHUNK ? size - put : BENCH_CHUNK;
    long n = SC(NR_pwrite64, fd, buf + put, want, put, 0);
    if (n == -EINTR) continue;
    if (n <= 0) { report_error("write /dev/vda", n < 0 ? n : -5 /* EIO */); break; }
    put += n;
  }
  long f = SC(NR_fsync, fd, 0, 0, 0, 0);
  t1 = now_us();
  if (f < 0) report_error("fsync /dev/vda", f);
  sys_close((int)fd);
  if (put == size && f >= 0) bench_report("wrote", put, t1 - t0);
  SC(NR_munmap, buf, len, 0, 0, 0);
  power_off(REBOOT_CMD_POWER_OFF);
}

/* ---- The shell ---- */

static char ibuf[512];
static size_t ilen;

/* The next input line (without its newline) in LINE; -1 at end of input. */
static long read_line(char *line, size_t cap) {
  for (;;) {
    size_t i = 0;
    while (i < ilen && ibuf[i] != '\n') i++;
    if (i < ilen || ilen == sizeof ibuf) {
      size_t n = i < cap - 1 ? i : cap - 1;
      memcpy(line, ibuf, n);
      line[n] = 0;
      size_t used = i < ilen ? i + 1 : ilen;
      memmove(ibuf, ibuf + used, ilen - used);
      ilen -= used;
      return (long)n;
    }
    long r = sys_read(0, ibuf + ilen, sizeof ibuf - ilen);
    if (r == -EINTR) continue;
    if (r <= 0) {
      if (ilen == 0) return -1;
      ibuf[ilen++] = '\n';   /* a last line without a newline */
      continue;
    }
    ilen += (size_t)r;
  }
}

static void cmd_cat(const char *path) {
  long fd = sys_openat(path, O_RDONLY, 0);
  if (fd < 0) { out_str("cat: "); out_str(path); out_str(": errno "); out_num(-fd); out_chr('\n'); return; }
  for (;;) {
    long n = sys_read((int)fd, big, sizeof big);
    if (n == -EINTR) continue;
    if (n < 0) { out_str("cat: "); out_str(path); out_str(": errno "); out_num(-n); out_chr('\n'); break; }
    if (n == 0) break;
    out_mem(big, (size_t)n);
  }
  sys_close((int)fd);
}

static void cmd_ls(const char *path) {
  long fd = sys_openat(path, O_RDONLY | O_DIRECTORY, 0);
  if (fd < 0) { out_str("ls: "); out_str(path); out_str(": errno "); out_num(-fd); out_chr('\n'); return; }
  static u64 dbuf[512];   /* struct linux_dirent64 records, 8-byte aligned */
  for (;;) {
    long n = SC(NR_getdents64, fd, dbuf, sizeof dbuf, 0, 0);
    if (n == -EINTR) continue;
    if (n < 0) { out_str("ls: "); out_str(path); out_str(": errno "); out_num(-n); out_chr('\n'); break; }
    if (n == 0) break;
    const u8 *p = (const u8 *)dbuf;
    for (long off = 0; off < n; ) {
      u16 reclen = *(const u16 *)(p + off + 16);
      u8 type = p[off + 18];
      const char *name = (const char *)(p + off + 19);
      if (!str_eq(name, ".") && !str_eq(name, "..")) {
        out_str(name);
        if (type == DT_DIR) out_chr('/');
        out_chr('\n');
      }
      off += reclen;
    }
  }
  sys_close((int)fd);
}

static void cmd_uname(void) {
  static char u[6][65];   /* struct new_utsname */
  long r = SC(NR_uname, u, 0, 0, 0, 0);
  if (r < 0) { out_str("uname: errno "); out_num(-r); out_chr('\n'); return; }
  out_str(u[0]); out_chr(' '); out_str(u[2]); out_chr(' '); out_str(u[4]); out_chr('\n');
}

static void shell(void) {
  out_str("vireo-init: shell on /dev/console (type help)\n");
  char line[256];
  char *argv[16];
  for (;;) {
    out_str("# ");
    out_flush();
    long n = read_line(line, sizeof line);
    if (n < 0) { out_chr('\n'); power_off(REBOOT_CMD_POWER_OFF); }
    int argc = 0;
    for (char *p = line; *p && argc < 16; ) {
      while (*p && is_space(*p)) *p++ = 0;
      if (!*p) break;
      argv[argc++] = p;
      while (*p && !is_space(*p)) p++;
    }
    if (argc == 0) continue;
    const char *c = argv[0];
    if (str_eq(c, "echo")) {
      for (int i = 1; i < argc; i++) { if (i > 1) out_chr(' '); out_str(argv[i]); }
      out_chr('\n');
    } else if (str_eq(c, "cat")) {
      if (argc < 2) out_str("usage: cat FILE\n");
      for (int i = 1; i < argc; i++) cmd_cat(argv[i]);
    } else if (str_eq(c, "ls")) {
      cmd_ls(argc > 1 ? argv[1] : ".");
    } else if (str_eq(c, "mount")) {
      if (argc < 3) { out_str("usage: mount DEV DIR [TYPE]\n"); continue; }
      long r = sys_mount(argv[1], argv[2], argc > 3 ? argv[3] : "ext2");
      if (r < 0) { out_str("mount: errno "); out_num(-r); out_chr('\n'); }
    } else if (str_eq(c, "umount")) {
      if (argc < 2) { out_str("usage: umount DIR\n"); continue; }
      long r = sys_umount(argv[1]);
      if (r < 0) { out_str("umount: errno "); out_num(-r); out_chr('\n'); }
    } else if (str_eq(c, "uname")) {
      cmd_uname();
    } else if (str_eq(c, "nproc")) {
      out_num(count_cpus()); out_chr('\n');
    } else if (str_eq(c, "poweroff")) {
      power_off(REBOOT_CMD_POWER_OFF);
    } else if (str_eq(c, "reboot")) {
      power_off(REBOOT_CMD_RESTART);
    } else if (str_eq(c, "help")) {
      out_str("builtins: echo ARGS, cat FILE, ls [DIR], mount DEV DIR [TYPE], umount DIR,\n"
              "          uname, nproc, poweroff, reboot, help\n");
    } else {
      out_str("sh: "); out_str(c); out_str(": not found\n");
    }
  }
}

/* ---- Entry (from _start) ---- */

void __attribute__((noreturn)) init_main(void) {
  /* The kernel gives init /dev/console as fds 0-2 when it can open it; else try here. */
  if (sys_write(1, "", 0) == -EBADF) {
    long fd = sys_openat("/dev/console", O_RDWR, 0);
    if (fd >= 0) for (int i = 0; i < 3; i++) if (fd != i) SC(NR_dup3, fd, i, 0, 0, 0);
  }
  long r = sys_mount("proc", "/proc", "proc");
  if (r < 0 && r != -EBUSY) report_error("mount /proc", r);
  r = sys_mount("sysfs", "/sys", "sysfs");
  if (r < 0 && r != -EBUSY) report_error("mount /sys", r);
  int cpus = count_cpus();
  out_str("vireo-init: started on "); out_num(cpus); out_str(" cpus\n"); out_flush();
  /* Not automatic for an initramfs (CONFIG_DEVTMPFS_MOUNT acts on a disk root only);
   * EBUSY means it is already there. */
  r = sys_mount("devtmpfs", "/dev", "devtmpfs");
  if (r < 0 && r != -EBUSY) report_error("mount /dev", r);
  if (cmdline_has("vireo.test=disk")) disk_test(cpus);
  if (cmdline_has("vireo.test=bench")) bench_test();
  if (cmdline_has("vireo.test=fp")) fp_test();
  shell();
  power_off(REBOOT_CMD_POWER_OFF);
}
