/* C library symbols the Embedded Swift code calls (EMBEDDED.md "Runtime symbols"). The memory
   routines are C compiled with -fno-builtin so the compiler cannot turn the loops back into
   calls to themselves; the allocator itself is Heap.swift. */
typedef unsigned long usize;

#define ENOMEM 12

/* Heap.swift */
void *demo_heap_allocate(usize size, usize alignment);
void demo_heap_release(void *pointer);

int posix_memalign(void **result, usize alignment, usize size) {
  void *block = demo_heap_allocate(size, alignment);
  if (!block) return ENOMEM;
  *result = block;
  return 0;
}

void free(void *pointer) {
  if (pointer) demo_heap_release(pointer);
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
