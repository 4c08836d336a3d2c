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

tracepoint:syscalls:sys_exit_read (p1_tracepoint, 40 bytes of stack):
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
	 13: MovImm dst: r1 imm: 0
	   ; read_latency.bt:2:43
	 14: JEqImm dst: r0 off: -1 imm: 0 <L2>
	   ; read_latency.bt:2:43
	 15: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
L2:
	   ; read_latency.bt:2:43
	 16: JEqImm dst: r1 off: -1 imm: 0 <L1>
	   ; read_latency.bt:2:62
	 17: Call FnKtimeGetBootNs
	   ; read_latency.bt:2:62
	 18: MovReg dst: r8 src: r0
	   ; read_latency.bt:2:77
	 19: MovReg dst: r1 src: r6
	   ; read_latency.bt:2:77
	 20: MovReg dst: r2 src: r7
	   ; read_latency.bt:2:77
	 21: Call FnMapLookupElem
	   ; read_latency.bt:2:77
	 22: MovImm dst: r1 imm: 0
	   ; read_latency.bt:2:77
	 23: JEqImm dst: r0 off: -1 imm: 0 <L3>
	   ; read_latency.bt:2:77
	 24: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
L3:
	   ; read_latency.bt:2:62
	 25: SubReg dst: r8 src: r1
	   ; read_latency.bt:2:62
	 26: MovImm dst: r1 imm: 0
	   ; read_latency.bt:2:62
	 27: JSLTImm dst: r8 off: -1 imm: 0 <L10>
	   ; read_latency.bt:2:62
	 28: MovImm dst: r1 imm: 1
	   ; read_latency.bt:2:62
	 29: JEqImm dst: r8 off: -1 imm: 0 <L10>
	   ; read_latency.bt:2:62
	 30: MovImm dst: r1 imm: 2
	   ; read_latency.bt:2:62
	 31: MovReg dst: r2 src: r8
	   ; read_latency.bt:2:62
	 32: RShImm dst: r8 imm: 32
	   ; read_latency.bt:2:62
	 33: JEqImm dst: r8 off: -1 imm: 0 <L5>
	   ; read_latency.bt:2:62
	 34: MovReg dst: r2 src: r8
	   ; read_latency.bt:2:62
	 35: AddImm dst: r1 imm: 32
L5:
	   ; read_latency.bt:2:62
	 36: JLTImm dst: r2 off: -1 imm: 65536 <L6>
	   ; read_latency.bt:2:62
	 37: RShImm dst: r2 imm: 16
	   ; read_latency.bt:2:62
	 38: AddImm dst: r1 imm: 16
L6:
	   ; read_latency.bt:2:62
	 39: JLTImm dst: r2 off: -1 imm: 256 <L7>
	   ; read_latency.bt:2:62
	 40: RShImm dst: r2 imm: 8
	   ; read_latency.bt:2:62
	 41: AddImm dst: r1 imm: 8
L7:
	   ; read_latency.bt:2:62
	 42: JLTImm dst: r2 off: -1 imm: 16 <L8>
	   ; read_latency.bt:2:62
	 43: RShImm dst: r2 imm: 4
	   ; read_latency.bt:2:62
	 44: AddImm dst: r1 imm: 4
L8:
	   ; read_latency.bt:2:62
	 45: JLTImm dst: r2 off: -1 imm: 4 <L9>
	   ; read_latency.bt:2:62
	 46: RShImm dst: r2 imm: 2
	   ; read_latency.bt:2:62
	 47: AddImm dst: r1 imm: 2
L9:
	   ; read_latency.bt:2:62
	 48: JLTImm dst: r2 off: -1 imm: 2 <L10>
	   ; read_latency.bt:2:62
	 49: AddImm dst: r1 imm: 1
L10:
	   ; read_latency.bt:2:62
	 50: StXMemDW dst: rfp src: r1 off: -32 imm: 0
	   ; read_latency.bt:2:62
	 51: LoadMapPtr dst: r8 fd: 0 <m0_ns>
	   ; read_latency.bt:2:62
	 53: MovReg dst: r9 src: rfp
	   ; read_latency.bt:2:62
	 54: AddImm dst: r9 imm: -32
	   ; read_latency.bt:2:62
	 55: MovReg dst: r1 src: r8
	   ; read_latency.bt:2:62
	 56: MovReg dst: r2 src: r9
	   ; read_latency.bt:2:62
	 57: Call FnMapLookupElem
	   ; read_latency.bt:2:62
	 58: JEqImm dst: r0 off: -1 imm: 0 <L11>
	   ; read_latency.bt:2:62
	 59: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	   ; read_latency.bt:2:62
	 60: AddImm dst: r1 imm: 1
	   ; read_latency.bt:2:62
	 61: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	   ; read_latency.bt:2:62
	 62: Ja off: -1 <L12>
L11:
	   ; read_latency.bt:2:62
	 63: LoadMapValue dst: r3, fd: 0 off: 40 <globals>
	   ; read_latency.bt:2:62
	 65: MovImm dst: r4 imm: 0
	   ; read_latency.bt:2:62
	 66: MovReg dst: r1 src: r8
	   ; read_latency.bt:2:62
	 67: MovReg dst: r2 src: r9
	   ; read_latency.bt:2:62
	 68: Call FnMapUpdateElem
L12:
	   ; read_latency.bt:2:84
	 69: MovReg dst: r1 src: r6
	   ; read_latency.bt:2:84
	 70: MovReg dst: r2 src: r7
	   ; read_latency.bt:2:84
	 71: Call FnMapDeleteElem
L1:
	   ; read_latency.bt:2:49
	 72: MovImm dst: r0 imm: 0
	   ; read_latency.bt:2:49
	 73: Exit

