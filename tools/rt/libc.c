/* The C library symbols Embedded Swift needs on bare metal (../shared/EMBEDDED.md "Runtime
   symbols"): memory routines and a small allocator. Shared by the firmware and the guests.
   Compiled with -fno-builtin so the compiler cannot turn the loops back into calls to
   themselves.

   The allocator carves power-of-two size classes (32 B .. 64 MiB) from the region
   [__heap_start, __heap_end) that the linker script reserves, and keeps one free list per
   class. Every block carries a 16-byte header just below the pointer handed out (the raw
   block address and the class), so any alignment can be served by over-allocating. */
typedef unsigned long usize;

#define ENOMEM 12
#define CLASSES 22
#define HEADER 16

extern unsigned char __heap_start[];
extern unsigned char __heap_end[];

static usize heap_next;
static void *free_lists[CLASSES];

static void *class_alloc(int cls) {
  void *p = free_lists[cls];
  if (p) {
    free_lists[cls] = *(void **)p;
    return p;
  }
  usize size = (usize)32 << cls;
  if (heap_next == 0) heap_next = (usize)__heap_start;
  usize start = (heap_next + 15) & ~(usize)15;
  if (start + size < start || start + size > (usize)__heap_end) return 0;
  heap_next = start + size;
  return (void *)start;
}

int posix_memalign(void **result, usize alignment, usize size) {
  if (alignment < HEADER) alignment = HEADER;
  usize need = size + HEADER + (alignment - HEADER);
  if (need < size) return ENOMEM;
  int cls = 0;
  while (cls < CLASSES && ((usize)32 << cls) < need) cls++;
  if (cls == CLASSES) return ENOMEM;
  unsigned char *raw = class_alloc(cls);
  if (!raw) return ENOMEM;
  usize q = ((usize)raw + HEADER + alignment - 1) & ~(alignment - 1);
  ((usize *)q)[-2] = (usize)raw;
  ((usize *)q)[-1] = (usize)cls;
  *result = (void *)q;
  return 0;
}

void free(void *pointer) {
  if (!pointer) return;
  usize *q = pointer;
  void *raw = (void *)q[-2];
  usize cls = q[-1];
  if (cls >= CLASSES) return; /* not ours: ignore rather than corrupt a list */
  *(void **)raw = free_lists[cls];
  free_lists[cls] = raw;
}

/* Bytes still available to the bump allocator (for diagnostics). */
usize heap_unused(void) {
  usize next = heap_next ? heap_next : (usize)__heap_start;
  return (usize)__heap_end - next;
}

/* memset and memcpy move doublewords when both ends allow it: guest RAM is cleared and
   loaded with these, megabytes at a time. */
void *memset(void *dst, int c, usize n) {
  unsigned char *d = dst;
  while (n && ((usize)d & 7)) { *d++ = (unsigned char)c; n--; }
  usize word = (unsigned char)c;
  word |= word << 8;
  word |= word << 16;
  word |= word << 32;
  for (; n >= 64; n -= 64, d += 64) {
    usize *w = (usize *)d;
    w[0] = word; w[1] = word; w[2] = word; w[3] = word;
    w[4] = word; w[5] = word; w[6] = word; w[7] = word;
  }
  for (; n >= 8; n -= 8, d += 8) *(usize *)d = word;
  while (n--) *d++ = (unsigned char)c;
  return dst;
}

void *memcpy(void *dst, const void *src, usize n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  if ((((usize)d ^ (usize)s) & 7) == 0) {
    while (n && ((usize)d & 7)) { *d++ = *s++; n--; }
    for (; n >= 8; n -= 8, d += 8, s += 8) *(usize *)d = *(const usize *)s;
  }
  while (n--) *d++ = *s++;
  return dst;
}

/* Swift's copyMemory lands here: regions that do not overlap (or overlap with the
   destination first, which a forward copy handles) take memcpy's word-wide loop; only a
   destination inside the source copies backwards, word-wide when the two share alignment.
   (A byte loop took 5 instructions a byte: loading a 40 MiB image took seconds.) */
void *memmove(void *dst, const void *src, usize n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (d <= s || d >= s + n) return memcpy(dst, src, n);
  if ((((usize)d ^ (usize)s) & 7) == 0) {
    while (n && ((usize)(d + n) & 7)) { n--; d[n] = s[n]; }
    for (; n >= 8; n -= 8) *(usize *)(d + n - 8) = *(const usize *)(s + n - 8);
  }
  while (n--) d[n] = s[n];
  return dst;
}

int memcmp(const void *a, const void *b, usize n) {
  const unsigned char *x = a, *y = b;
  for (usize i = 0; i < n; i++)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

/* Set/Dictionary seed their hashers from here; a fixed seed keeps runs deterministic. */
void arc4random_buf(void *buf, usize n) {
  unsigned char *b = buf;
  for (usize i = 0; i < n; i++) b[i] = (unsigned char)(0x5A ^ i);
}
