tracepoint:syscalls:sys_enter_read (p0_tracepoint, 24 bytes of stack):
p0_tracepoint:
	  ; read_latency.bt:1:1
	 0: Call FnGetCurrentPidTgid
	 1: MovReg dst: r6 src: r0
	 2: RShImm dst: r0 imm: 32
	 3: JEqImm dst: r0 off: -1 imm: 4242 <L2>
	  ; read_latency.bt:1:52
	 4: Call FnKtimeGetBootNs
	 5: StXMemDW dst: rfp src: r0 off: -16 imm: 0
	  ; read_latency.bt:1:45
	 6: MovReg32 dst: r6 src: r6
	 7: StXMemDW dst: rfp src: r6 off: -24 imm: 0
	  ; read_latency.bt:1:38
	 8: LoadMapPtr dst: r1 fd: 0 <m1_start>
	10: MovReg dst: r2 src: rfp
	11: AddImm dst: r2 imm: -24
	12: MovReg dst: r3 src: rfp
	13: AddImm dst: r3 imm: -16
	14: MovImm dst: r4 imm: 0
	15: Call FnMapUpdateElem
	16: JNEImm dst: r0 off: -1 imm: -7 <L2>
	17: LoadMapValue dst: r1, fd: 0 off: 56 <globals>
	19: StXAtomicAddDW dst: r1 src: r0 off: 0
L2:
	  ; read_latency.bt:1:36
	20: MovImm dst: r0 imm: 0
	21: Exit

tracepoint:syscalls:sys_exit_read (p1_tracepoint, 32 bytes of stack):
p1_tracepoint:
	   ; read_latency.bt:2:1
	  0: Call FnGetCurrentPidTgid
	  1: MovReg dst: r1 src: r0
	  2: RShImm dst: r1 imm: 32
	  3: JEqImm dst: r1 off: -1 imm: 4242 <L1>
	   ; read_latency.bt:2:43
	  4: MovReg32 dst: r0 src: r0
	  5: StXMemDW dst: rfp src: r0 off: -16 imm: 0
	  6: LoadMapPtr dst: r6 fd: 0 <m1_start>
	  8: MovReg dst: r7 src: rfp
	  9: AddImm dst: r7 imm: -16
	 10: MovReg dst: r1 src: r6
	 11: MovReg dst: r2 src: r7
	 12: Call FnMapLookupElem
	 13: MovImm dst: r8 imm: 0
	 14: JEqImm dst: r0 off: -1 imm: 0 <L2>
	 15: LdXMemDW dst: r8 src: r0 off: 0 imm: 0
L2:
	 16: JEqImm dst: r8 off: -1 imm: 0 <L1>
	   ; read_latency.bt:2:62
	 17: Call FnKtimeGetBootNs
	   ; read_latency.bt:2:62
	 18: SubReg dst: r0 src: r8
	 19: MovImm dst: r1 imm: 0
	 20: JSLTImm dst: r0 off: -1 imm: 0 <L9>
	 21: MovImm dst: r1 imm: 1
	 22: JEqImm dst: r0 off: -1 imm: 0 <L9>
	 23: MovImm dst: r1 imm: 2
	 24: MovReg dst: r2 src: r0
	 25: RShImm dst: r0 imm: 32
	 26: JEqImm dst: r0 off: -1 imm: 0 <L4>
	 27: MovReg dst: r2 src: r0
	 28: AddImm dst: r1 imm: 32
L4:
	 29: JLTImm dst: r2 off: -1 imm: 65536 <L5>
	 30: RShImm dst: r2 imm: 16
	 31: AddImm dst: r1 imm: 16
L5:
	 32: JLTImm dst: r2 off: -1 imm: 256 <L6>
	 33: RShImm dst: r2 imm: 8
	 34: AddImm dst: r1 imm: 8
L6:
	 35: JLTImm dst: r2 off: -1 imm: 16 <L7>
	 36: RShImm dst: r2 imm: 4
	 37: AddImm dst: r1 imm: 4
L7:
	 38: JLTImm dst: r2 off: -1 imm: 4 <L8>
	 39: RShImm dst: r2 imm: 2
	 40: AddImm dst: r1 imm: 2
L8:
	 41: JLTImm dst: r2 off: -1 imm: 2 <L9>
	 42: AddImm dst: r1 imm: 1
L9:
	 43: StXMemDW dst: rfp src: r1 off: -24 imm: 0
	 44: LoadMapPtr dst: r8 fd: 0 <m0_ns>
	 46: MovReg dst: r9 src: rfp
	 47: AddImm dst: r9 imm: -24
	 48: MovReg dst: r1 src: r8
	 49: MovReg dst: r2 src: r9
	 50: Call FnMapLookupElem
	 51: JEqImm dst: r0 off: -1 imm: 0 <L10>
	 52: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	 53: AddImm dst: r1 imm: 1
	 54: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	 55: Ja off: -1 <L11>
L10:
	 56: LoadMapValue dst: r3, fd: 0 off: 40 <globals>
	 58: MovImm dst: r4 imm: 0
	 59: MovReg dst: r1 src: r8
	 60: MovReg dst: r2 src: r9
	 61: Call FnMapUpdateElem
L11:
	   ; read_latency.bt:2:84
	 62: MovReg dst: r1 src: r6
	 63: MovReg dst: r2 src: r7
	 64: Call FnMapDeleteElem
L1:
	   ; read_latency.bt:2:49
	 65: MovImm dst: r0 imm: 0
	 66: Exit

