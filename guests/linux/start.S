/* Entry point and system-call layer of the test initramfs's /init (guests/linux/init.c).
 * No libc: the kernel starts _start with sp at argc (then argv[], envp[], auxv); registers
 * are otherwise zero. RISC-V Linux system calls take the number in a7 and up to six
 * arguments in a0..a5, and return the result (or -errno) in a0. */

        .section .text.start, "ax"
        .globl _start
_start:
        /* The linker relaxes small-data accesses against gp: set it before any C runs. */
        .option push
        .option norelax
        la      gp, __global_pointer$
        .option pop
        andi    sp, sp, -16
        call    init_main
        /* init_main never returns (it powers off). If it did, init exiting would panic the
         * kernel: ask for power-off here, and if even that fails, spin (U-mode wfi may
         * trap, so a plain loop). */
        li      a0, 0xfee1dead          /* LINUX_REBOOT_MAGIC1 */
        li      a1, 672274793           /* LINUX_REBOOT_MAGIC2 */
        li      a2, 0x4321fedc          /* LINUX_REBOOT_CMD_POWER_OFF */
        li      a3, 0
        li      a7, 142                 /* __NR_reboot */
        ecall
1:      j       1b

        .text
/* long sys_call(long nr, long a0, long a1, long a2, long a3, long a4, long a5) */
        .globl sys_call
        .type sys_call, @function
sys_call:
        mv      a7, a0
        mv      a0, a1
        mv      a1, a2
        mv      a2, a3
        mv      a3, a4
        mv      a4, a5
        mv      a5, a6
        ecall
        ret
        .size sys_call, . - sys_call
