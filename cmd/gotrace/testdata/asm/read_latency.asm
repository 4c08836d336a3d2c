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
	 6: MovReg dst: r1 src: r6
	  ; read_latency.bt:1:1
	 7: RShImm dst: r1 imm: 32
	  ; read_latency.bt:1:1
	 8: JEqImm dst: r1 off: -1 imm: 4242 <L2>
	  ; read_latency.bt:1:1
	 9: LoadMapValue dst: r2, fd: 0 off: 0 <held>
	  ; read_latency.bt:1:1
	11: LdXMemDW dst: r3 src: r2 off: 0 imm: 0
	  ; read_latency.bt:1:1
	12: JEqReg dst: r1 off: -1 src: r3 <L2>
	  ; read_latency.bt:1:52
	13: Call FnKtimeGetBootNs
	  ; read_latency.bt:1:52
	14: MovReg dst: r1 src: r0
	  ; read_latency.bt:1:52
	15: StXMemDW dst: rfp src: r1 off: -16 imm: 0
	  ; read_latency.bt:1:45
	16: LShImm dst: r6 imm: 32
	  ; read_latency.bt:1:45
	17: RShImm dst: r6 imm: 32
	  ; read_latency.bt:1:45
	18: StXMemDW dst: rfp src: r6 off: -24 imm: 0
	  ; read_latency.bt:1:38
	19: LoadMapPtr dst: r1 fd: 0 <m1_start>
	  ; read_latency.bt:1:38
	21: MovReg dst: r2 src: rfp
	  ; read_latency.bt:1:38
	22: AddImm dst: r2 imm: -24
	  ; read_latency.bt:1:38
	23: MovReg dst: r3 src: rfp
	  ; read_latency.bt:1:38
	24: AddImm dst: r3 imm: -16
	  ; read_latency.bt:1:38
	25: MovImm dst: r4 imm: 0
	  ; read_latency.bt:1:38
	26: Call FnMapUpdateElem
	  ; read_latency.bt:1:38
	27: MovReg dst: r5 src: r0
	  ; read_latency.bt:1:38
	28: JNEImm dst: r5 off: -1 imm: -7 <L2>
	  ; read_latency.bt:1:38
	29: MovImm dst: r1 imm: 1
	  ; read_latency.bt:1:38
	30: LoadMapValue dst: r2, fd: 0 off: 48 <globals>
	  ; read_latency.bt:1:38
	32: StXAtomicAddDW dst: r2 src: r1 off: 0
L2:
	  ; read_latency.bt:1:36
	33: MovImm dst: r0 imm: 0
	  ; read_latency.bt:1:36
	34: Exit

tracepoint:syscalls:sys_exit_read (p1_tracepoint, 56 bytes of stack):
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
	  6: MovReg dst: r2 src: r1
	   ; read_latency.bt:2:1
	  7: RShImm dst: r2 imm: 32
	   ; read_latency.bt:2:1
	  8: JEqImm dst: r2 off: -1 imm: 4242 <L1>
	   ; read_latency.bt:2:1
	  9: LoadMapValue dst: r3, fd: 0 off: 0 <held>
	   ; read_latency.bt:2:1
	 11: LdXMemDW dst: r4 src: r3 off: 0 imm: 0
	   ; read_latency.bt:2:1
	 12: JEqReg dst: r2 off: -1 src: r4 <L1>
	   ; read_latency.bt:2:43
	 13: LShImm dst: r1 imm: 32
	   ; read_latency.bt:2:43
	 14: MovReg dst: r6 src: r1
	   ; read_latency.bt:2:43
	 15: RShImm dst: r6 imm: 32
	   ; read_latency.bt:2:43
	 16: StXMemDW dst: rfp src: r6 off: -16 imm: 0
	   ; read_latency.bt:2:43
	 17: LoadMapPtr dst: r1 fd: 0 <m1_start>
	   ; read_latency.bt:2:43
	 19: MovReg dst: r2 src: rfp
	   ; read_latency.bt:2:43
	 20: AddImm dst: r2 imm: -16
	   ; read_latency.bt:2:43
	 21: Call FnMapLookupElem
	   ; read_latency.bt:2:43
	 22: MovReg dst: r3 src: r0
	   ; read_latency.bt:2:43
	 23: MovImm dst: r1 imm: 0
	   ; read_latency.bt:2:43
	 24: JEqImm dst: r3 off: -1 imm: 0 <L2>
	   ; read_latency.bt:2:43
	 25: LdXMemDW dst: r1 src: r3 off: 0 imm: 0
L2:
	   ; read_latency.bt:2:43
	 26: JEqImm dst: r1 off: -1 imm: 0 <L1>
	   ; read_latency.bt:2:62
	 27: Call FnKtimeGetBootNs
	   ; read_latency.bt:2:62
	 28: MovReg dst: r7 src: r0
	   ; read_latency.bt:2:77
	 29: StXMemDW dst: rfp src: r6 off: -24 imm: 0
	   ; read_latency.bt:2:77
	 30: LoadMapPtr dst: r1 fd: 0 <m1_start>
	   ; read_latency.bt:2:77
	 32: MovReg dst: r2 src: rfp
	   ; read_latency.bt:2:77
	 33: AddImm dst: r2 imm: -24
	   ; read_latency.bt:2:77
	 34: Call FnMapLookupElem
	   ; read_latency.bt:2:77
	 35: MovReg dst: r3 src: r0
	   ; read_latency.bt:2:77
	 36: MovImm dst: r1 imm: 0
	   ; read_latency.bt:2:77
	 37: JEqImm dst: r3 off: -1 imm: 0 <L3>
	   ; read_latency.bt:2:77
	 38: LdXMemDW dst: r1 src: r3 off: 0 imm: 0
L3:
	   ; read_latency.bt:2:62
	 39: SubReg dst: r7 src: r1
	   ; read_latency.bt:2:62
	 40: MovImm dst: r1 imm: 0
	   ; read_latency.bt:2:62
	 41: JSLTImm dst: r7 off: -1 imm: 0 <L4>
	   ; read_latency.bt:2:62
	 42: MovImm dst: r1 imm: 1
	   ; read_latency.bt:2:62
	 43: JEqImm dst: r7 off: -1 imm: 0 <L4>
	   ; read_latency.bt:2:62
	 44: MovImm dst: r2 imm: 0
	   ; read_latency.bt:2:62
	 45: MovReg dst: r3 src: r7
	   ; read_latency.bt:2:62
	 46: RShImm dst: r7 imm: 32
	   ; read_latency.bt:2:62
	 47: JEqImm dst: r7 off: -1 imm: 0 <L5>
	   ; read_latency.bt:2:62
	 48: MovReg dst: r3 src: r7
	   ; read_latency.bt:2:62
	 49: AddImm dst: r2 imm: 32
L5:
	   ; read_latency.bt:2:62
	 50: MovReg dst: r4 src: r3
	   ; read_latency.bt:2:62
	 51: RShImm dst: r4 imm: 16
	   ; read_latency.bt:2:62
	 52: JEqImm dst: r4 off: -1 imm: 0 <L6>
	   ; read_latency.bt:2:62
	 53: MovReg dst: r3 src: r4
	   ; read_latency.bt:2:62
	 54: AddImm dst: r2 imm: 16
L6:
	   ; read_latency.bt:2:62
	 55: MovReg dst: r4 src: r3
	   ; read_latency.bt:2:62
	 56: RShImm dst: r4 imm: 8
	   ; read_latency.bt:2:62
	 57: JEqImm dst: r4 off: -1 imm: 0 <L7>
	   ; read_latency.bt:2:62
	 58: MovReg dst: r3 src: r4
	   ; read_latency.bt:2:62
	 59: AddImm dst: r2 imm: 8
L7:
	   ; read_latency.bt:2:62
	 60: MovReg dst: r4 src: r3
	   ; read_latency.bt:2:62
	 61: RShImm dst: r4 imm: 4
	   ; read_latency.bt:2:62
	 62: JEqImm dst: r4 off: -1 imm: 0 <L8>
	   ; read_latency.bt:2:62
	 63: MovReg dst: r3 src: r4
	   ; read_latency.bt:2:62
	 64: AddImm dst: r2 imm: 4
L8:
	   ; read_latency.bt:2:62
	 65: MovReg dst: r4 src: r3
	   ; read_latency.bt:2:62
	 66: RShImm dst: r4 imm: 2
	   ; read_latency.bt:2:62
	 67: JEqImm dst: r4 off: -1 imm: 0 <L9>
	   ; read_latency.bt:2:62
	 68: MovReg dst: r3 src: r4
	   ; read_latency.bt:2:62
	 69: AddImm dst: r2 imm: 2
L9:
	   ; read_latency.bt:2:62
	 70: RShImm dst: r3 imm: 1
	   ; read_latency.bt:2:62
	 71: JEqImm dst: r3 off: -1 imm: 0 <L10>
	   ; read_latency.bt:2:62
	 72: AddImm dst: r2 imm: 1
L10:
	   ; read_latency.bt:2:62
	 73: MovReg dst: r1 src: r2
	   ; read_latency.bt:2:62
	 74: AddImm dst: r1 imm: 2
L4:
	   ; read_latency.bt:2:62
	 75: StMemDW dst: rfp src: r0 off: -40 imm: 0
	   ; read_latency.bt:2:62
	 76: StXMemDW dst: rfp src: r1 off: -32 imm: 0
	   ; read_latency.bt:2:62
	 77: LoadMapPtr dst: r1 fd: 0 <m0_ns>
	   ; read_latency.bt:2:62
	 79: MovReg dst: r2 src: rfp
	   ; read_latency.bt:2:62
	 80: AddImm dst: r2 imm: -40
	   ; read_latency.bt:2:62
	 81: Call FnMapLookupElem
	   ; read_latency.bt:2:62
	 82: MovReg dst: r3 src: r0
	   ; read_latency.bt:2:62
	 83: JEqImm dst: r3 off: -1 imm: 0 <L11>
	   ; read_latency.bt:2:62
	 84: LdXMemDW dst: r1 src: r3 off: 0 imm: 0
	   ; read_latency.bt:2:62
	 85: AddImm dst: r1 imm: 1
	   ; read_latency.bt:2:62
	 86: StXMemDW dst: r3 src: r1 off: 0 imm: 0
	   ; read_latency.bt:2:62
	 87: Ja off: -1 <L12>
L11:
	   ; read_latency.bt:2:62
	 88: StMemDW dst: rfp src: r0 off: -48 imm: 1
	   ; read_latency.bt:2:62
	 89: LoadMapPtr dst: r1 fd: 0 <m0_ns>
	   ; read_latency.bt:2:62
	 91: MovReg dst: r2 src: rfp
	   ; read_latency.bt:2:62
	 92: AddImm dst: r2 imm: -40
	   ; read_latency.bt:2:62
	 93: MovReg dst: r3 src: rfp
	   ; read_latency.bt:2:62
	 94: AddImm dst: r3 imm: -48
	   ; read_latency.bt:2:62
	 95: MovImm dst: r4 imm: 0
	   ; read_latency.bt:2:62
	 96: Call FnMapUpdateElem
L12:
	   ; read_latency.bt:2:98
	 97: StXMemDW dst: rfp src: r6 off: -56 imm: 0
	   ; read_latency.bt:2:84
	 98: LoadMapPtr dst: r1 fd: 0 <m1_start>
	   ; read_latency.bt:2:84
	100: MovReg dst: r2 src: rfp
	   ; read_latency.bt:2:84
	101: AddImm dst: r2 imm: -56
	   ; read_latency.bt:2:84
	102: Call FnMapDeleteElem
L1:
	   ; read_latency.bt:2:49
	103: MovImm dst: r0 imm: 0
	   ; read_latency.bt:2:49
	104: Exit

