tracepoint:syscalls:sys_enter_read (p0_tracepoint, 24 bytes of stack):
p0_tracepoint:
	  ; read_latency.bt:1:1
	 0: LoadMapValue dst: r1, fd: 0 off: 0 <stop>
	  ; read_latency.bt:1:1
	 2: LdXMemDW dst: r2 src: r1 off: 0 imm: 0
	  ; read_latency.bt:1:1
	 3: JNEImm dst: r2 off: -1 imm: 0 <L2>
	  ; read_latency.bt:1:1
	 4: Call FnGetCurrentPidTgid
	  ; read_latency.bt:1:1
	 5: MovReg dst: r6 src: r0
	  ; read_latency.bt:1:1
	 6: RShImm dst: r0 imm: 32
	  ; read_latency.bt:1:1
	 7: JEqImm dst: r0 off: -1 imm: 4242 <L2>
	  ; read_latency.bt:1:52
	 8: Call FnKtimeGetBootNs
	  ; read_latency.bt:1:52
	 9: StXMemDW dst: rfp src: r0 off: -16 imm: 0
	  ; read_latency.bt:1:45
	10: MovReg32 dst: r6 src: r6
	  ; read_latency.bt:1:45
	11: StXMemDW dst: rfp src: r6 off: -24 imm: 0
	  ; read_latency.bt:1:38
	12: LoadMapPtr dst: r1 fd: 0 <m1_start>
	  ; read_latency.bt:1:38
	14: MovReg dst: r2 src: rfp
	  ; read_latency.bt:1:38
	15: AddImm dst: r2 imm: -24
	  ; read_latency.bt:1:38
	16: MovReg dst: r3 src: rfp
	  ; read_latency.bt:1:38
	17: AddImm dst: r3 imm: -16
	  ; read_latency.bt:1:38
	18: MovImm dst: r4 imm: 0
	  ; read_latency.bt:1:38
	19: Call FnMapUpdateElem
	  ; read_latency.bt:1:38
	20: JNEImm dst: r0 off: -1 imm: -7 <L2>
	  ; read_latency.bt:1:38
	21: LoadMapValue dst: r1, fd: 0 off: 56 <globals>
	  ; read_latency.bt:1:38
	23: StXAtomicAddDW dst: r1 src: r0 off: 0
L2:
	  ; read_latency.bt:1:36
	24: MovImm dst: r0 imm: 0
	  ; read_latency.bt:1:36
	25: Exit

tracepoint:syscalls:sys_exit_read (p1_tracepoint, 48 bytes of stack):
p1_tracepoint:
	   ; read_latency.bt:2:1
	  0: LoadMapValue dst: r1, fd: 0 off: 0 <stop>
	   ; read_latency.bt:2:1
	  2: LdXMemDW dst: r2 src: r1 off: 0 imm: 0
	   ; read_latency.bt:2:1
	  3: JNEImm dst: r2 off: -1 imm: 0 <L1>
	   ; read_latency.bt:2:1
	  4: Call FnGetCurrentPidTgid
	   ; read_latency.bt:2:1
	  5: MovReg dst: r1 src: r0
	   ; read_latency.bt:2:1
	  6: RShImm dst: r1 imm: 32
	   ; read_latency.bt:2:1
	  7: JEqImm dst: r1 off: -1 imm: 4242 <L1>
	   ; read_latency.bt:2:43
	  8: MovReg32 dst: r0 src: r0
	   ; read_latency.bt:2:43
	  9: StXMemDW dst: rfp src: r0 off: -16 imm: 0
	   ; read_latency.bt:2:43
	 10: LoadMapPtr dst: r6 fd: 0 <m1_start>
	   ; read_latency.bt:2:43
	 12: MovReg dst: r7 src: rfp
	   ; read_latency.bt:2:43
	 13: AddImm dst: r7 imm: -16
	   ; read_latency.bt:2:43
	 14: MovReg dst: r1 src: r6
	   ; read_latency.bt:2:43
	 15: MovReg dst: r2 src: r7
	   ; read_latency.bt:2:43
	 16: Call FnMapLookupElem
	   ; read_latency.bt:2:43
	 17: MovImm dst: r1 imm: 0
	   ; read_latency.bt:2:43
	 18: JEqImm dst: r0 off: -1 imm: 0 <L2>
	   ; read_latency.bt:2:43
	 19: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
L2:
	   ; read_latency.bt:2:43
	 20: JEqImm dst: r1 off: -1 imm: 0 <L1>
	   ; read_latency.bt:2:62
	 21: Call FnKtimeGetBootNs
	   ; read_latency.bt:2:62
	 22: MovReg dst: r8 src: r0
	   ; read_latency.bt:2:77
	 23: MovReg dst: r1 src: r6
	   ; read_latency.bt:2:77
	 24: MovReg dst: r2 src: r7
	   ; read_latency.bt:2:77
	 25: Call FnMapLookupElem
	   ; read_latency.bt:2:77
	 26: MovImm dst: r1 imm: 0
	   ; read_latency.bt:2:77
	 27: JEqImm dst: r0 off: -1 imm: 0 <L3>
	   ; read_latency.bt:2:77
	 28: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
L3:
	   ; read_latency.bt:2:62
	 29: SubReg dst: r8 src: r1
	   ; read_latency.bt:2:62
	 30: MovImm dst: r1 imm: 0
	   ; read_latency.bt:2:62
	 31: JSLTImm dst: r8 off: -1 imm: 0 <L10>
	   ; read_latency.bt:2:62
	 32: MovImm dst: r1 imm: 1
	   ; read_latency.bt:2:62
	 33: JEqImm dst: r8 off: -1 imm: 0 <L10>
	   ; read_latency.bt:2:62
	 34: MovImm dst: r1 imm: 2
	   ; read_latency.bt:2:62
	 35: MovReg dst: r2 src: r8
	   ; read_latency.bt:2:62
	 36: RShImm dst: r8 imm: 32
	   ; read_latency.bt:2:62
	 37: JEqImm dst: r8 off: -1 imm: 0 <L5>
	   ; read_latency.bt:2:62
	 38: MovReg dst: r2 src: r8
	   ; read_latency.bt:2:62
	 39: AddImm dst: r1 imm: 32
L5:
	   ; read_latency.bt:2:62
	 40: JLTImm dst: r2 off: -1 imm: 65536 <L6>
	   ; read_latency.bt:2:62
	 41: RShImm dst: r2 imm: 16
	   ; read_latency.bt:2:62
	 42: AddImm dst: r1 imm: 16
L6:
	   ; read_latency.bt:2:62
	 43: JLTImm dst: r2 off: -1 imm: 256 <L7>
	   ; read_latency.bt:2:62
	 44: RShImm dst: r2 imm: 8
	   ; read_latency.bt:2:62
	 45: AddImm dst: r1 imm: 8
L7:
	   ; read_latency.bt:2:62
	 46: JLTImm dst: r2 off: -1 imm: 16 <L8>
	   ; read_latency.bt:2:62
	 47: RShImm dst: r2 imm: 4
	   ; read_latency.bt:2:62
	 48: AddImm dst: r1 imm: 4
L8:
	   ; read_latency.bt:2:62
	 49: JLTImm dst: r2 off: -1 imm: 4 <L9>
	   ; read_latency.bt:2:62
	 50: RShImm dst: r2 imm: 2
	   ; read_latency.bt:2:62
	 51: AddImm dst: r1 imm: 2
L9:
	   ; read_latency.bt:2:62
	 52: JLTImm dst: r2 off: -1 imm: 2 <L10>
	   ; read_latency.bt:2:62
	 53: AddImm dst: r1 imm: 1
L10:
	   ; read_latency.bt:2:62
	 54: StMemDW dst: rfp src: r0 off: -40 imm: 0
	   ; read_latency.bt:2:62
	 55: StXMemDW dst: rfp src: r1 off: -32 imm: 0
	   ; read_latency.bt:2:62
	 56: LoadMapPtr dst: r8 fd: 0 <m0_ns>
	   ; read_latency.bt:2:62
	 58: MovReg dst: r9 src: rfp
	   ; read_latency.bt:2:62
	 59: AddImm dst: r9 imm: -40
	   ; read_latency.bt:2:62
	 60: MovReg dst: r1 src: r8
	   ; read_latency.bt:2:62
	 61: MovReg dst: r2 src: r9
	   ; read_latency.bt:2:62
	 62: Call FnMapLookupElem
	   ; read_latency.bt:2:62
	 63: JEqImm dst: r0 off: -1 imm: 0 <L11>
	   ; read_latency.bt:2:62
	 64: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	   ; read_latency.bt:2:62
	 65: AddImm dst: r1 imm: 1
	   ; read_latency.bt:2:62
	 66: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	   ; read_latency.bt:2:62
	 67: Ja off: -1 <L12>
L11:
	   ; read_latency.bt:2:62
	 68: LoadMapValue dst: r3, fd: 0 off: 40 <globals>
	   ; read_latency.bt:2:62
	 70: MovImm dst: r4 imm: 0
	   ; read_latency.bt:2:62
	 71: MovReg dst: r1 src: r8
	   ; read_latency.bt:2:62
	 72: MovReg dst: r2 src: r9
	   ; read_latency.bt:2:62
	 73: Call FnMapUpdateElem
L12:
	   ; read_latency.bt:2:84
	 74: MovReg dst: r1 src: r6
	   ; read_latency.bt:2:84
	 75: MovReg dst: r2 src: r7
	   ; read_latency.bt:2:84
	 76: Call FnMapDeleteElem
L1:
	   ; read_latency.bt:2:49
	 77: MovImm dst: r0 imm: 0
	   ; read_latency.bt:2:49
	 78: Exit

