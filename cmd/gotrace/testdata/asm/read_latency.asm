tracepoint:syscalls:sys_enter_read (p0_tracepoint, 24 bytes of stack):
p0_tracepoint:
	  ; read_latency.bt:1:1
	 0: Call FnGetCurrentPidTgid
	  ; read_latency.bt:1:1
	 1: MovReg dst: r6 src: r0
	  ; read_latency.bt:1:1
	 2: RShImm dst: r0 imm: 32
	  ; read_latency.bt:1:1
	 3: JEqImm dst: r0 off: -1 imm: 4242 <L2>
	  ; read_latency.bt:1:52
	 4: Call FnKtimeGetBootNs
	  ; read_latency.bt:1:52
	 5: StXMemDW dst: rfp src: r0 off: -16 imm: 0
	  ; read_latency.bt:1:45
	 6: MovReg32 dst: r6 src: r6
	  ; read_latency.bt:1:45
	 7: StXMemDW dst: rfp src: r6 off: -24 imm: 0
	  ; read_latency.bt:1:38
	 8: LoadMapPtr dst: r1 fd: 0 <m1_start>
	  ; read_latency.bt:1:38
	10: MovReg dst: r2 src: rfp
	  ; read_latency.bt:1:38
	11: AddImm dst: r2 imm: -24
	  ; read_latency.bt:1:38
	12: MovReg dst: r3 src: rfp
	  ; read_latency.bt:1:38
	13: AddImm dst: r3 imm: -16
	  ; read_latency.bt:1:38
	14: MovImm dst: r4 imm: 0
	  ; read_latency.bt:1:38
	15: Call FnMapUpdateElem
	  ; read_latency.bt:1:38
	16: JNEImm dst: r0 off: -1 imm: -7 <L2>
	  ; read_latency.bt:1:38
	17: LoadMapValue dst: r1, fd: 0 off: 56 <globals>
	  ; read_latency.bt:1:38
	19: StXAtomicAddDW dst: r1 src: r0 off: 0
L2:
	  ; read_latency.bt:1:36
	20: MovImm dst: r0 imm: 0
	  ; read_latency.bt:1:36
	21: Exit

tracepoint:syscalls:sys_exit_read (p1_tracepoint, 32 bytes of stack):
p1_tracepoint:
	   ; read_latency.bt:2:1
	  0: Call FnGetCurrentPidTgid
	   ; read_latency.bt:2:1
	  1: MovReg dst: r1 src: r0
	   ; read_latency.bt:2:1
	  2: RShImm dst: r1 imm: 32
	   ; read_latency.bt:2:1
	  3: JEqImm dst: r1 off: -1 imm: 4242 <L1>
	   ; read_latency.bt:2:43
	  4: MovReg32 dst: r0 src: r0
	   ; read_latency.bt:2:43
	  5: StXMemDW dst: rfp src: r0 off: -16 imm: 0
	   ; read_latency.bt:2:43
	  6: LoadMapPtr dst: r6 fd: 0 <m1_start>
	   ; read_latency.bt:2:43
	  8: MovReg dst: r7 src: rfp
	   ; read_latency.bt:2:43
	  9: AddImm dst: r7 imm: -16
	   ; read_latency.bt:2:43
	 10: MovReg dst: r1 src: r6
	   ; read_latency.bt:2:43
	 11: MovReg dst: r2 src: r7
	   ; read_latency.bt:2:43
	 12: Call FnMapLookupElem
	   ; read_latency.bt:2:43
	 13: MovImm dst: r8 imm: 0
	   ; read_latency.bt:2:43
	 14: JEqImm dst: r0 off: -1 imm: 0 <L2>
	   ; read_latency.bt:2:43
	 15: LdXMemDW dst: r8 src: r0 off: 0 imm: 0
L2:
	   ; read_latency.bt:2:43
	 16: JEqImm dst: r8 off: -1 imm: 0 <L1>
	   ; read_latency.bt:2:62
	 17: Call FnKtimeGetBootNs
	   ; read_latency.bt:2:62
	 18: SubReg dst: r0 src: r8
	   ; read_latency.bt:2:62
	 19: MovImm dst: r1 imm: 0
	   ; read_latency.bt:2:62
	 20: JSLTImm dst: r0 off: -1 imm: 0 <L9>
	   ; read_latency.bt:2:62
	 21: MovImm dst: r1 imm: 1
	   ; read_latency.bt:2:62
	 22: JEqImm dst: r0 off: -1 imm: 0 <L9>
	   ; read_latency.bt:2:62
	 23: MovImm dst: r1 imm: 2
	   ; read_latency.bt:2:62
	 24: MovReg dst: r2 src: r0
	   ; read_latency.bt:2:62
	 25: RShImm dst: r0 imm: 32
	   ; read_latency.bt:2:62
	 26: JEqImm dst: r0 off: -1 imm: 0 <L4>
	   ; read_latency.bt:2:62
	 27: MovReg dst: r2 src: r0
	   ; read_latency.bt:2:62
	 28: AddImm dst: r1 imm: 32
L4:
	   ; read_latency.bt:2:62
	 29: JLTImm dst: r2 off: -1 imm: 65536 <L5>
	   ; read_latency.bt:2:62
	 30: RShImm dst: r2 imm: 16
	   ; read_latency.bt:2:62
	 31: AddImm dst: r1 imm: 16
L5:
	   ; read_latency.bt:2:62
	 32: JLTImm dst: r2 off: -1 imm: 256 <L6>
	   ; read_latency.bt:2:62
	 33: RShImm dst: r2 imm: 8
	   ; read_latency.bt:2:62
	 34: AddImm dst: r1 imm: 8
L6:
	   ; read_latency.bt:2:62
	 35: JLTImm dst: r2 off: -1 imm: 16 <L7>
	   ; read_latency.bt:2:62
	 36: RShImm dst: r2 imm: 4
	   ; read_latency.bt:2:62
	 37: AddImm dst: r1 imm: 4
L7:
	   ; read_latency.bt:2:62
	 38: JLTImm dst: r2 off: -1 imm: 4 <L8>
	   ; read_latency.bt:2:62
	 39: RShImm dst: r2 imm: 2
	   ; read_latency.bt:2:62
	 40: AddImm dst: r1 imm: 2
L8:
	   ; read_latency.bt:2:62
	 41: JLTImm dst: r2 off: -1 imm: 2 <L9>
	   ; read_latency.bt:2:62
	 42: AddImm dst: r1 imm: 1
L9:
	   ; read_latency.bt:2:62
	 43: StXMemDW dst: rfp src: r1 off: -24 imm: 0
	   ; read_latency.bt:2:62
	 44: LoadMapPtr dst: r8 fd: 0 <m0_ns>
	   ; read_latency.bt:2:62
	 46: MovReg dst: r9 src: rfp
	   ; read_latency.bt:2:62
	 47: AddImm dst: r9 imm: -24
	   ; read_latency.bt:2:62
	 48: MovReg dst: r1 src: r8
	   ; read_latency.bt:2:62
	 49: MovReg dst: r2 src: r9
	   ; read_latency.bt:2:62
	 50: Call FnMapLookupElem
	   ; read_latency.bt:2:62
	 51: JEqImm dst: r0 off: -1 imm: 0 <L10>
	   ; read_latency.bt:2:62
	 52: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	   ; read_latency.bt:2:62
	 53: AddImm dst: r1 imm: 1
	   ; read_latency.bt:2:62
	 54: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	   ; read_latency.bt:2:62
	 55: Ja off: -1 <L11>
L10:
	   ; read_latency.bt:2:62
	 56: LoadMapValue dst: r3, fd: 0 off: 40 <globals>
	   ; read_latency.bt:2:62
	 58: MovImm dst: r4 imm: 0
	   ; read_latency.bt:2:62
	 59: MovReg dst: r1 src: r8
	   ; read_latency.bt:2:62
	 60: MovReg dst: r2 src: r9
	   ; read_latency.bt:2:62
	 61: Call FnMapUpdateElem
L11:
	   ; read_latency.bt:2:84
	 62: MovReg dst: r1 src: r6
	   ; read_latency.bt:2:84
	 63: MovReg dst: r2 src: r7
	   ; read_latency.bt:2:84
	 64: Call FnMapDeleteElem
L1:
	   ; read_latency.bt:2:49
	 65: MovImm dst: r0 imm: 0
	   ; read_latency.bt:2:49
	 66: Exit

