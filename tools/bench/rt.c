/* Runtime of the benchmark kernels: polled NS16550A output, the test finisher, the
   instruction counter, the common entry point and the report of unexpected traps. */
#include "bench.h"

#define UART0_BASE 0x10000000ul
#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_THRE 0x20
#define FINISHER_BASE 0x100000ul
#define FINISHER_PASS 0x5555u
#define FINISHER_FAIL 0x3333u

static void uart_putc(char c) {
  volatile u8 *uart = (volatile u8 *)UART0_BASE;
  while ((uart[UART_LSR] & UART_LSR_THRE) == 0) {
  }
  uart[UART_THR] = (u8)c;
}

void uart_puts(const char *s) {
  for (; *s; s++) {
    if (*s == '\n') uart_putc('\r');
    uart_putc(*s);
  }
}

void uart_hex64(u64 v) {
  for (int shift = 60; shift >= 0; shift -= 4) uart_putc("0123456789abcdef"[(v >> shift) & 15]);
}

void uart_dec(u64 v) {
  char buf[24];
  int i = 0;
  do {
    buf[i++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (i > 0) uart_putc(buf[--i]);
}

void bench_exit(u32 code) {
  volatile u32 *finisher = (volatile u32 *)FINISHER_BASE;
  *finisher = code == 0 ? FINISHER_PASS : (code << 16) | FINISHER_FAIL;
  for (;;) __asm__ volatile("wfi");
}

void bench_fail(const char *why) {
  uart_puts(bench_name);
  uart_puts(": FAIL: ");
  uart_puts(why);
  uart_puts("\n");
  bench_exit(1);
}

static inline u64 read_minstret(void) {
  u64 v;
  __asm__ volatile("csrr %0, minstret" : "=r"(v));
  return v;
}

/* Called by start.S: in M-mode (machine_mode = 1) it also reports minstret across the kernel;
   in the Sv39 variant it runs in S-mode, where minstret is not readable. */
__attribute__((noreturn)) void bench_entry(int machine_mode) {
  u64 start = machine_mode ? read_minstret() : 0;
  u64 sum = bench_run();
  u64 end = machine_mode ? read_minstret() : 0;
  uart_puts(bench_name);
  uart_puts(": checksum 0x");
  uart_hex64(sum);
  uart_puts("\n");
  if (machine_mode) {
    uart_puts(bench_name);
    uart_puts(": minstret delta ");
    uart_dec(end - start);
    uart_puts("\n");
  }
  if (sum != bench_expected) {
    uart_puts(bench_name);
    uart_puts(": FAIL: expected 0x");
    uart_hex64(bench_expected);
    uart_puts("\n");
    bench_exit(1);
  }
  bench_exit(0);
}

/* Every trap is a bug here (no interrupts are enabled): report it and exit with code 3. */
__attribute__((noreturn)) void bench_trap(u64 mcause, u64 mepc, u64 mtval) {
  uart_puts(bench_name);
  uart_puts(": unexpected trap mcause=0x");
  uart_hex64(mcause);
  uart_puts(" mepc=0x");
  uart_hex64(mepc);
  uart_puts(" mtval=0x");
  uart_hex64(mtval);
  uart_puts("\n");
  bench_exit(3);
}

/* The compiler may emit calls to these even in freestanding code. */
void *memset(void *dst, int c, usize n) {
  u8 *d = dst;
  while (n--) *d++ = (u8)c;
  return dst;
}

void *memcpy(void *dst, const void *src, usize n) {
  u8 *d = dst;
  const u8 *s = src;
  while (n--) *d++ = *s++;
  return dst;
}
