/* C library symbols the Embedded Swift guests need (EMBEDDED.md "Runtime symbols"):
   the memory routines, the heap behind posix_memalign/free, and putchar for print().
   Compiled with -fno-builtin so the compiler cannot turn these loops back into calls to
   themselves. */
typedef unsigned long usize;

#define ENOMEM 12

/* Console.swift: one byte to the SBI console (DBCN, or the legacy putchar). */
void rt_console_putchar(unsigned char byte);

int putchar(int c) {
  rt_console_putchar((unsigned char)c);
  return c;
}

void *memset(void *dst, int c, usize n) {
  unsigned char *d = dst;
  while (n--) *d++ = (unsigned char)c;
  return dst;
}

void *memcpy(void *dst, const void *src, usize n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  while (n--) *d++ = *s++;
  return dst;
}

void *memmove(void *dst, const void *src, usize n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (d < s) {
    while (n--) *d++ = *s++;
  } else {
    while (n--) d[n] = s[n];
  }
  return dst;
}

int memcmp(const void *a, const void *b, usize n) {
  const unsigned char *x = a, *y = b;
  for (usize i = 0; i < n; i++)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

/* The heap: [__heap_start, __heap_end) from linker/guest.ld. Every block has a 16-byte
   header holding its size class. Class k holds up to 16 << k bytes (k < CLASS_COUNT) and is
   recycled through a free list per class; bigger or over-aligned blocks come from the bump
   pointer and are never reused. Guests allocate little (strings, a few arrays), so this is
   enough; the trap handler must not allocate (it may interrupt an allocation). */
#define HEADER_SIZE 16
#define CLASS_COUNT 9
#define UNCLASSED ((usize)-1)

extern unsigned char __heap_start[];
extern unsigned char __heap_end[];

static usize heap_next;                 /* 0 until the first allocation */
static usize free_lists[CLASS_COUNT];   /* header addresses; the link is the header word */

static usize size_class(usize size) {
  for (usize k = 0; k < CLASS_COUNT; k++)
    if (size <= ((usize)16 << k)) return k;
  return UNCLASSED;
}

int posix_memalign(void **result, usize alignment, usize size) {
  if (!heap_next) heap_next = (usize)__heap_start;
  usize k = alignment <= 16 ? size_class(size) : UNCLASSED;
  if (k != UNCLASSED && free_lists[k]) {
    usize *header = (usize *)free_lists[k];
    free_lists[k] = header[0];
    header[0] = k;
    *result = (unsigned char *)header + HEADER_SIZE;
    return 0;
  }
  usize capacity = k != UNCLASSED ? (usize)16 << k : (size + 15) & ~(usize)15;
  usize align = alignment > 16 ? alignment : 16;
  usize payload = (heap_next + HEADER_SIZE + align - 1) & ~(align - 1);
  if (payload + capacity > (usize)__heap_end || payload + capacity < payload) return ENOMEM;
  ((usize *)(payload - HEADER_SIZE))[0] = k;
  heap_next = payload + capacity;
  *result = (void *)payload;
  return 0;
}

void free(void *pointer) {
  if (!pointer) return;
  usize *header = (usize *)((unsigned char *)pointer - HEADER_SIZE);
  usize k = header[0];
  if (k == UNCLASSED) return;
  header[0] = free_lists[k];
  free_lists[k] = (usize)header;
}
