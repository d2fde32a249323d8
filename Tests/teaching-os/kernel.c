// teaching-os: a bare-metal kernel written the way teaching operating systems (xv6-riscv and
// its relatives) are written for QEMU virt, to check that the board runs such software
// unchanged (issue 15, item 3; docs/qemu-compatibility.md). It runs in M-mode from
// 0x80000000 (QEMU's -bios none) on hart 0 and relies on what QEMU 7.2 does:
//
// - The 16550's transmitter is interrupt-driven: a ring, the THR-empty interrupt (IER.ETBEI)
//   and an interrupt handler that reads only LSR and RHR. It never reads IIR, so THR-empty
//   stays pending in the UART once the ring is empty; on QEMU the PLIC does not raise it
//   again until the UART next updates its line.
// - The virtio-blk driver checks magic, version 2, device ID 2 and QEMU's vendor ID, and
//   negotiates only the low feature word, without VIRTIO_F_VERSION_1, yet expects
//   FEATURES_OK to stick.
//
// It reads sectors 0 and 5 of the disk, writes sector 9 and reads it back, echoes console
// input line by line until "poweroff", and powers off through the SiFive test finisher.

typedef unsigned char uint8;
typedef unsigned short uint16;
typedef unsigned int uint32;
typedef unsigned long uint64;

// ---- QEMU virt's memory map --------------------------------------------------------------
#define UART0 0x10000000UL
#define UART0_IRQ 10
#define VIRTIO0 0x10001000UL
#define VIRTIO0_IRQ 1
#define PLIC 0x0c000000UL
#define PLIC_PRIORITY(s) (PLIC + 4 * (s))
#define PLIC_MENABLE(h) (PLIC + 0x2000 + (h) * 0x100)
#define PLIC_MTHRESHOLD(h) (PLIC + 0x200000 + (h) * 0x2000)
#define PLIC_MCLAIM(h) (PLIC + 0x200004 + (h) * 0x2000)
#define FINISHER 0x100000UL

static inline uint64 r_mcause(void) { uint64 x; asm volatile("csrr %0, mcause" : "=r"(x)); return x; }
static inline uint64 r_mepc(void) { uint64 x; asm volatile("csrr %0, mepc" : "=r"(x)); return x; }
static inline uint64 r_mtval(void) { uint64 x; asm volatile("csrr %0, mtval" : "=r"(x)); return x; }
static inline void intr_on(void) { asm volatile("csrsi mstatus, 8"); }
static inline void intr_off(void) { asm volatile("csrci mstatus, 8"); }
static inline void wfi(void) { asm volatile("wfi"); }
#define MIE_MEIE (1UL << 11)

static void poweroff(uint32 code) {
  volatile uint32 *f = (volatile uint32 *)FINISHER;
  *f = code == 0 ? 0x5555 : (code << 16) | 0x3333;
  for (;;) wfi();
}

// ---- UART (16550) -------------------------------------------------------------------------
#define Reg(r) ((volatile uint8 *)(UART0 + (r)))
#define RHR 0
#define THR 0
#define IER 1
#define IER_RX_ENABLE (1 << 0)
#define IER_TX_ENABLE (1 << 1)
#define FCR 2
#define FCR_FIFO_ENABLE (1 << 0)
#define FCR_FIFO_CLEAR (3 << 1)
#define LCR 3
#define LCR_EIGHT_BITS 3
#define LCR_BAUD_LATCH (1 << 7)
#define LSR 5
#define LSR_RX_READY (1 << 0)
#define LSR_TX_IDLE (1 << 5)
#define ReadReg(r) (*Reg(r))
#define WriteReg(r, v) (*Reg(r) = (v))

#define TX_SIZE 32
static char tx_buf[TX_SIZE];
static volatile uint64 tx_w, tx_r;
// A byte is in THR and its THR-empty interrupt will come: the handler sends the next one.
static volatile int tx_busy;

#define RX_SIZE 256
static char rx_buf[RX_SIZE];
static volatile uint64 rx_w, rx_r;

static void uart_init(void) {
  WriteReg(IER, 0x00);
  WriteReg(LCR, LCR_BAUD_LATCH);
  WriteReg(0, 0x03);  // 38.4K baud
  WriteReg(1, 0x00);
  WriteReg(LCR, LCR_EIGHT_BITS);
  WriteReg(FCR, FCR_FIFO_ENABLE | FCR_FIFO_CLEAR);
}

// Polled output, before interrupts are on (xv6's uartputc_sync).
static void putc_sync(char c) {
  while ((ReadReg(LSR) & LSR_TX_IDLE) == 0) {}
  WriteReg(THR, c);
}

// Interrupt-driven output: into the ring; the first byte of a burst goes to THR at once,
// the rest from the THR-empty interrupt, one byte per interrupt.
static void uart_putc(char c) {
  intr_off();
  while (tx_w - tx_r == TX_SIZE) {  // full: wait for the handler to make room
    wfi();
    intr_on();
    intr_off();
  }
  tx_buf[tx_w++ % TX_SIZE] = c;
  if (!tx_busy) {
    tx_busy = 1;
    WriteReg(THR, tx_buf[tx_r++ % TX_SIZE]);
  }
  intr_on();
}

// The UART's interrupt: read what arrived, send the next byte. Never reads IIR.
static void uart_intr(void) {
  while (ReadReg(LSR) & LSR_RX_READY) {
    char c = ReadReg(RHR);
    if (rx_w - rx_r < RX_SIZE) rx_buf[rx_w++ % RX_SIZE] = c;
  }
  if (ReadReg(LSR) & LSR_TX_IDLE) {
    if (tx_r != tx_w) {
      WriteReg(THR, tx_buf[tx_r++ % TX_SIZE]);
    } else {
      tx_busy = 0;  // THR-empty stays pending in the UART: nobody reads IIR
    }
  }
}

static void uart_drain(void) {
  intr_off();
  while (tx_r != tx_w) {
    wfi();
    intr_on();
    intr_off();
  }
  intr_on();
}

static int uart_getc(void) {
  intr_off();
  while (rx_r == rx_w) {
    wfi();
    intr_on();
    intr_off();
  }
  int c = rx_buf[rx_r++ % RX_SIZE];
  intr_on();
  return c;
}

// ---- printing -----------------------------------------------------------------------------
static void (*out)(char) = putc_sync;

static void print(const char *s) {
  while (*s) out(*s++);
}

static void print_hex(uint64 v) {
  static const char digits[] = "0123456789abcdef";
  char b[16];
  int n = 0;
  do { b[n++] = digits[v & 15]; v >>= 4; } while (v);
  print("0x");
  while (n) out(b[--n]);
}

static void print_dec(uint64 v) {
  char b[20];
  int n = 0;
  do { b[n++] = '0' + v % 10; v /= 10; } while (v);
  while (n) out(b[--n]);
}

// The text at the start of a sector: printable bytes up to the first NUL, at most 60.
static void print_text(const uint8 *p) {
  out('"');
  for (int i = 0; i < 60 && p[i]; i++) out(p[i] >= 32 && p[i] < 127 ? p[i] : '.');
  out('"');
}

static void fail(const char *what) {
  out = putc_sync;
  print("teaching-os: FAIL: ");
  print(what);
  print("\n");
  poweroff(1);
}

// ---- PLIC ---------------------------------------------------------------------------------
static void plic_init(void) {
  *(volatile uint32 *)PLIC_PRIORITY(UART0_IRQ) = 1;
  *(volatile uint32 *)PLIC_PRIORITY(VIRTIO0_IRQ) = 1;
  *(volatile uint32 *)PLIC_MENABLE(0) = (1 << UART0_IRQ) | (1 << VIRTIO0_IRQ);
  *(volatile uint32 *)PLIC_MTHRESHOLD(0) = 0;
}

static int plic_claim(void) { return *(volatile uint32 *)PLIC_MCLAIM(0); }
static void plic_complete(int irq) { *(volatile uint32 *)PLIC_MCLAIM(0) = irq; }

// ---- virtio-blk over virtio-mmio (modern, version 2) --------------------------------------
#define VR(off) ((volatile uint32 *)(VIRTIO0 + (off)))
#define MMIO_MAGIC_VALUE 0x000
#define MMIO_VERSION 0x004
#define MMIO_DEVICE_ID 0x008
#define MMIO_VENDOR_ID 0x00c
#define MMIO_DEVICE_FEATURES 0x010
#define MMIO_DRIVER_FEATURES 0x020
#define MMIO_QUEUE_SEL 0x030
#define MMIO_QUEUE_NUM_MAX 0x034
#define MMIO_QUEUE_NUM 0x038
#define MMIO_QUEUE_READY 0x044
#define MMIO_QUEUE_NOTIFY 0x050
#define MMIO_INTERRUPT_STATUS 0x060
#define MMIO_INTERRUPT_ACK 0x064
#define MMIO_STATUS 0x070
#define MMIO_QUEUE_DESC_LOW 0x080
#define MMIO_QUEUE_DESC_HIGH 0x084
#define MMIO_DRIVER_DESC_LOW 0x090
#define MMIO_DRIVER_DESC_HIGH 0x094
#define MMIO_DEVICE_DESC_LOW 0x0a0
#define MMIO_DEVICE_DESC_HIGH 0x0a4
#define MMIO_CONFIG 0x100

#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FEATURES_OK 8

#define BLK_F_RO 5
#define BLK_F_SCSI 7
#define BLK_F_CONFIG_WCE 11
#define BLK_F_MQ 12
#define F_ANY_LAYOUT 27
#define RING_F_INDIRECT_DESC 28
#define RING_F_EVENT_IDX 29

#define NUM 8
struct virtq_desc { uint64 addr; uint32 len; uint16 flags; uint16 next; };
#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
struct virtq_avail { uint16 flags; uint16 idx; uint16 ring[NUM]; uint16 unused; };
struct virtq_used_elem { uint32 id; uint32 len; };
struct virtq_used { uint16 flags; uint16 idx; struct virtq_used_elem ring[NUM]; };

struct blk_req { uint32 type; uint32 reserved; uint64 sector; };
#define BLK_T_IN 0
#define BLK_T_OUT 1

static struct virtq_desc desc[NUM] __attribute__((aligned(4096)));
static struct virtq_avail avail __attribute__((aligned(4096)));
static struct virtq_used used __attribute__((aligned(4096)));
static struct blk_req req;
static volatile uint8 req_status;
static volatile int req_done;
static uint16 used_idx;
static uint8 sector_buf[512] __attribute__((aligned(16)));

static void virtio_init(void) {
  if (*VR(MMIO_MAGIC_VALUE) != 0x74726976) fail("virtio: no virtio-mmio device at 0x10001000");
  if (*VR(MMIO_VERSION) != 2) fail("virtio: not a version 2 (modern) transport");
  if (*VR(MMIO_DEVICE_ID) != 2) fail("virtio: slot 0 is not a block device");
  uint32 vendor = *VR(MMIO_VENDOR_ID);
  if (vendor != 0x554d4551) {
    print("virtio: vendor ");
    print_hex(vendor);
    print("\n");
    fail("virtio: not QEMU's vendor ID");
  }
  print("virtio: magic ok, version 2, block device, vendor QEMU\n");

  uint32 status = 0;
  *VR(MMIO_STATUS) = status;
  status |= STATUS_ACKNOWLEDGE;
  *VR(MMIO_STATUS) = status;
  status |= STATUS_DRIVER;
  *VR(MMIO_STATUS) = status;

  // The low word only, as xv6: VIRTIO_F_VERSION_1 (bit 32) is never accepted.
  uint32 features = *VR(MMIO_DEVICE_FEATURES);
  features &= ~(1u << BLK_F_RO);
  features &= ~(1u << BLK_F_SCSI);
  features &= ~(1u << BLK_F_CONFIG_WCE);
  features &= ~(1u << BLK_F_MQ);
  features &= ~(1u << F_ANY_LAYOUT);
  features &= ~(1u << RING_F_EVENT_IDX);
  features &= ~(1u << RING_F_INDIRECT_DESC);
  *VR(MMIO_DRIVER_FEATURES) = features;

  status |= STATUS_FEATURES_OK;
  *VR(MMIO_STATUS) = status;
  if (!(*VR(MMIO_STATUS) & STATUS_FEATURES_OK)) fail("virtio: FEATURES_OK did not stick");
  print("virtio: features negotiated without VERSION_1, FEATURES_OK kept\n");

  *VR(MMIO_QUEUE_SEL) = 0;
  if (*VR(MMIO_QUEUE_READY)) fail("virtio: queue 0 already ready");
  uint32 max = *VR(MMIO_QUEUE_NUM_MAX);
  if (max == 0) fail("virtio: no queue 0");
  if (max < NUM) fail("virtio: queue 0 too short");
  *VR(MMIO_QUEUE_NUM) = NUM;
  *VR(MMIO_QUEUE_DESC_LOW) = (uint64)desc;
  *VR(MMIO_QUEUE_DESC_HIGH) = (uint64)desc >> 32;
  *VR(MMIO_DRIVER_DESC_LOW) = (uint64)&avail;
  *VR(MMIO_DRIVER_DESC_HIGH) = (uint64)&avail >> 32;
  *VR(MMIO_DEVICE_DESC_LOW) = (uint64)&used;
  *VR(MMIO_DEVICE_DESC_HIGH) = (uint64)&used >> 32;
  *VR(MMIO_QUEUE_READY) = 1;

  status |= STATUS_DRIVER_OK;
  *VR(MMIO_STATUS) = status;

  uint64 capacity = VR(MMIO_CONFIG)[0] | (uint64)VR(MMIO_CONFIG)[1] << 32;
  print("virtio: capacity ");
  print_dec(capacity);
  print(" sectors\n");
}

// One request, three descriptors (header, data, status), as xv6; waits for the interrupt.
static void virtio_rw(uint64 sector, int write) {
  req.type = write ? BLK_T_OUT : BLK_T_IN;
  req.reserved = 0;
  req.sector = sector;
  req_status = 0xff;
  req_done = 0;
  desc[0] = (struct virtq_desc){(uint64)&req, sizeof req, VRING_DESC_F_NEXT, 1};
  desc[1] = (struct virtq_desc){(uint64)sector_buf, 512, (write ? 0 : VRING_DESC_F_WRITE) | VRING_DESC_F_NEXT, 2};
  desc[2] = (struct virtq_desc){(uint64)&req_status, 1, VRING_DESC_F_WRITE, 0};
  avail.ring[avail.idx % NUM] = 0;
  __sync_synchronize();
  avail.idx += 1;
  __sync_synchronize();
  *VR(MMIO_QUEUE_NOTIFY) = 0;
  intr_off();
  while (!req_done) {
    wfi();
    intr_on();
    intr_off();
  }
  intr_on();
  if (req_status != 0) fail("virtio: request failed");
}

static void virtio_intr(void) {
  *VR(MMIO_INTERRUPT_ACK) = *VR(MMIO_INTERRUPT_STATUS) & 3;
  __sync_synchronize();
  while (used_idx != used.idx) {
    __sync_synchronize();
    used_idx++;
    req_done = 1;
  }
}

// ---- traps --------------------------------------------------------------------------------
void trap(void) {
  uint64 cause = r_mcause();
  if (cause == ((1UL << 63) | 11)) {  // machine external interrupt
    int irq = plic_claim();
    if (irq == UART0_IRQ) uart_intr();
    else if (irq == VIRTIO0_IRQ) virtio_intr();
    if (irq) plic_complete(irq);
    return;
  }
  out = putc_sync;
  print("teaching-os: unexpected trap, mcause ");
  print_hex(cause);
  print(" mepc ");
  print_hex(r_mepc());
  print(" mtval ");
  print_hex(r_mtval());
  print("\n");
  poweroff(2);
}

// ---- main ---------------------------------------------------------------------------------
static int streq(const char *a, const char *b) {
  while (*a && *a == *b) { a++; b++; }
  return *a == *b;
}

static void copy_text(uint8 *dst, const char *s) {
  int i = 0;
  for (; s[i]; i++) dst[i] = s[i];
  for (; i < 512; i++) dst[i] = 0;
}

int main(void) {
  uart_init();
  print("teaching-os: booting in M-mode on hart 0\n");
  plic_init();
  WriteReg(IER, IER_TX_ENABLE | IER_RX_ENABLE);
  asm volatile("csrs mie, %0" ::"r"(MIE_MEIE));
  out = uart_putc;
  intr_on();
  print("uart: interrupt-driven transmit and receive\n");

  virtio_init();
  virtio_rw(0, 0);
  print("disk: sector 0: ");
  print_text(sector_buf);
  print("\n");
  virtio_rw(5, 0);
  print("disk: sector 5: ");
  print_text(sector_buf);
  print("\n");
  static const char message[] = "written by teaching-os to sector 9";
  copy_text(sector_buf, message);
  virtio_rw(9, 1);
  copy_text(sector_buf, "");
  virtio_rw(9, 0);
  print("disk: sector 9 after the write: ");
  print_text(sector_buf);
  print(streq((const char *)sector_buf, message) ? " (matches)\n" : " (DIFFERS)\n");

  print("console: type lines, 'poweroff' ends\n");
  char line[80];
  int n = 0;
  print("$ ");
  for (;;) {
    int c = uart_getc();
    if (c == '\r') c = '\n';
    if (c == '\n') {
      out('\n');
      line[n] = 0;
      if (streq(line, "poweroff")) break;
      print("echo: '");
      print(line);
      print("' (");
      print_dec(n);
      print(" bytes)\n$ ");
      n = 0;
    } else if (c >= 32 && c < 127 && n < (int)sizeof line - 1) {
      out(c);
      line[n++] = c;
    }
  }
  print("teaching-os: power off\n");
  uart_drain();
  poweroff(0);
  return 0;
}
