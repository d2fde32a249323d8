/* The general registers in a frame at sp, x-register order at 8*i (slot 0, x0's, is
   not touched): struct TrapFrame's first 32 fields (Shim/guest.h, filled by start.S's
   rt_trap_entry) and mmubench's process contexts (process.S). Include from a guest's .S
   file; guests.sh adds -I guests/rt. */
#ifndef VIREO_GUEST_FRAME_H
#define VIREO_GUEST_FRAME_H

/* Stores x1 and x3-x31 in their slots; sp's slot (2) is the caller's to fill. */
.macro SAVE_GPRS
  .irp i, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
  sd x\i, \i*8(sp)
  .endr
.endm

/* Loads x1 and x3-x31 from their slots, then sp from its own (last: the frame is at sp). */
.macro LOAD_GPRS
  .irp i, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
  ld x\i, \i*8(sp)
  .endr
  ld x2, 2*8(sp)
.endm

#endif
