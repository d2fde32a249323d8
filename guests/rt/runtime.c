/* The guest-specific C library symbol Embedded Swift needs (EMBEDDED.md "Runtime symbols"):
   putchar for print(). The memory routines, the allocator over [__heap_start, __heap_end)
   (linker/guest.ld) and arc4random_buf come from the shared bare-metal libc,
   tools/rt/libc.c, which tools/build/guests.sh links into every guest. */

/* Console.swift: one byte to the SBI console (DBCN, or the legacy putchar). */
void rt_console_putchar(unsigned char byte);

int putchar(int c) {
  rt_console_putchar((unsigned char)c);
  return c;
}
