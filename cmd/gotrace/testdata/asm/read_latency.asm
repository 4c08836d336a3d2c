tracepoint:syscalls:sys_enter_read (p0_tracepoint, 24 bytes of stack):
p0_tracepoint:
	  ; read_latency.bt:1:1
	 0: LoadMapValue dst: r1, fd: 0 off: 0 <stop>
	  ; read_latency.bt:1:1
	 2: LdXMemDW dst: r2 src: r1 off: 0 imm: 0
	  ; read_latency.bt:1:1
	 3: JNEImm dst: r2 off: -1 imm: 0 <L1>
	  ; read_latency.bt:1:1
	 4: Call FnGetCurrentPidTgid
	  ; read_latency.bt:1:1
	 5: MovReg dst: r1 src: r0
	  ; read_latency.bt:1:1
	 6: RShImm dst: r1 imm: 32
	  ; read_latency.bt:1:1
	 7: JEqImm dst: r1 off: -1 imm: 4242 <L1>
	  ; read_latency.bt:1:1
	 8: LoadMapValue dst: r2, fd: 0 off: 0 <held>
	  ; read_latency.bt:1:1
	10: LdXMemDW dst: r3 src: r2 off: 0 imm: 0
	  ; read_latency.bt:1:1
	11: JEqReg dst: r1 off: -1 src: r3 <L1>
	  ; read_latency.bt:1:52
	12: Call FnKtimeGetBootNs
	  ; read_latency.bt:1:52
	13: MovReg dst: r1 src: r0
	  ; read_latency.bt:1:52
	14: StXMemDW dst: rfp src: r1 off: -16 imm: 0
	  ; read_latency.bt:1:45
	15: Call FnGetCurrentPidTgid
	  ; read_latency.bt:1:45
	16: MovReg dst: r1 src: r0
	  ; read_latency.bt:1:45
	17: LShImm dst: r1 imm: 32
	  ; read_latency.bt:1:45
	18: RShImm dst: r1 imm: 32
	  ; read_latency.bt:1:45
	19: StXMemDW dst: rfp src: r1 off: -24 imm: 0
	  ; read_latency.bt:1:38
	20: LoadMapPtr dst: r1 fd: 0 <m1_start>
	  ; read_latency.bt:1:38
	22: MovReg dst: r2 src: rfp
	  ; read_latency.bt:1:38
	23: AddImm dst: r2 imm: -24
	  ; read_latency.bt:1:38
	24: MovReg dst: r3 src: rfp
	  ; read_latency.bt:1:38
	25: AddImm dst: r3 imm: -16
	  ; read_latency.bt:1:38
	26: MovImm dst: r4 imm: 0
	  ; read_latency.bt:1:38
	27: Call FnMapUpdateElem
	  ; read_latency.bt:1:38
	28: MovReg dst: r5 src: r0
	  ; read_latency.bt:1:38
	29: AddImm dst: r5 imm: 7
	  ; read_latency.bt:1:38
	30: MovReg dst: r1 src: r5
	  ; read_latency.bt:1:38
	31: NegImm dst: r1 imm: 0
	  ; read_latency.bt:1:38
	32: OrReg dst: r5 src: r1
	  ; read_latency.bt:1:38
	33: RShImm dst: r5 imm: 63
	  ; read_latency.bt:1:38
	34: XorImm dst: r5 imm: 1
	  ; read_latency.bt:1:38
	35: LoadMapValue dst: r1, fd: 0 off: 48 <globals>
	  ; read_latency.bt:1:38
	37: StXAtomicAddDW dst: r1 src: r5 off: 0
L1:
	  ; read_latency.bt:1:36
	38: MovImm dst: r0 imm: 0
	  ; read_latency.bt:1:36
	39: Exit

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
	  6: RShImm dst: r1 imm: 32
	   ; read_latency.bt:2:1
	  7: JEqImm dst: r1 off: -1 imm: 4242 <L1>
	   ; read_latency.bt:2:1
	  8: LoadMapValue dst: r2, fd: 0 off: 0 <held>
	   ; read_latency.bt:2:1
	 10: LdXMemDW dst: r3 src: r2 off: 0 imm: 0
	   ; read_latency.bt:2:1
	 11: JEqReg dst: r1 off: -1 src: r3 <L1>
	   ; read_latency.bt:2:43
	 12: Call FnGetCurrentPidTgid
	   ; read_latency.bt:2:43
	 13: MovReg dst: r1 src: r0
	   ; read_latency.bt:2:43
	 14: LShImm dst: r1 imm: 32
	   ; read_latency.bt:2:43
	 15: RShImm dst: r1 imm: 32
	   ; read_latency.bt:2:43
	 16: StXMemDW dst: rfp src: r1 off: -16 imm: 0
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
	 28: MovReg dst: r6 src: r0
	   ; read_latency.bt:2:77
	 29: Call FnGetCurrentPidTgid
	   ; read_latency.bt:2:77
	 30: MovReg dst: r1 src: r0
	   ; read_latency.bt:2:77
	 31: LShImm dst: r1 imm: 32
	   ; read_latency.bt:2:77
	 32: RShImm dst: r1 imm: 32
	   ; read_latency.bt:2:77
	 33: StXMemDW dst: rfp src: r1 off: -24 imm: 0
	   ; read_latency.bt:2:77
	 34: LoadMapPtr dst: r1 fd: 0 <m1_start>
	   ; read_latency.bt:2:77
	 36: MovReg dst: r2 src: rfp
	   ; read_latency.bt:2:77
	 37: AddImm dst: r2 imm: -24
	   ; read_latency.bt:2:77
	 38: Call FnMapLookupElem
	   ; read_latency.bt:2:77
	 39: MovReg dst: r3 src: r0
	   ; read_latency.bt:2:77
	 40: MovImm dst: r1 imm: 0
	   ; read_latency.bt:2:77
	 41: JEqImm dst: r3 off: -1 imm: 0 <L3>
	   ; read_latency.bt:2:77
	 42: LdXMemDW dst: r1 src: r3 off: 0 imm: 0
L3:
	   ; read_latency.bt:2:62
	 43: SubReg dst: r6 src: r1
	   ; read_latency.bt:2:62
	 44: MovImm dst: r1 imm: 0
	   ; read_latency.bt:2:62
	 45: JSLTImm dst: r6 off: -1 imm: 0 <L4>
	   ; read_latency.bt:2:62
	 46: MovImm dst: r1 imm: 1
	   ; read_latency.bt:2:62
	 47: JEqImm dst: r6 off: -1 imm: 0 <L4>
	   ; read_latency.bt:2:62
	 48: MovImm dst: r2 imm: 0
	   ; read_latency.bt:2:62
	 49: MovReg dst: r3 src: r6
	   ; read_latency.bt:2:62
	 50: RShImm dst: r3 imm: 32
	   ; read_latency.bt:2:62
	 51: JEqImm dst: r3 off: -1 imm: 0 <L5>
	   ; read_latency.bt:2:62
	 52: MovReg dst: r6 src: r3
	   ; read_latency.bt:2:62
	 53: AddImm dst: r2 imm: 32
L5:
	   ; read_latency.bt:2:62
	 54: MovReg dst: r3 src: r6
	   ; read_latency.bt:2:62
	 55: RShImm dst: r3 imm: 16
	   ; read_latency.bt:2:62
	 56: JEqImm dst: r3 off: -1 imm: 0 <L6>
	   ; read_latency.bt:2:62
	 57: MovReg dst: r6 src: r3
	   ; read_latency.bt:2:62
	 58: AddImm dst: r2 imm: 16
L6:
	   ; read_latency.bt:2:62
	 59: MovReg dst: r3 src: r6
	   ; read_latency.bt:2:62
	 60: RShImm dst: r3 imm: 8
	   ; read_latency.bt:2:62
	 61: JEqImm dst: r3 off: -1 imm: 0 <L7>
	   ; read_latency.bt:2:62
	 62: MovReg dst: r6 src: r3
	   ; read_latency.bt:2:62
	 63: AddImm dst: r2 imm: 8
L7:
	   ; read_latency.bt:2:62
	 64: MovReg dst: r3 src: r6
	   ; read_latency.bt:2:62
	 65: RShImm dst: r3 imm: 4
	   ; read_latency.bt:2:62
	 66: JEqImm dst: r3 off: -1 imm: 0 <L8>
	   ; read_latency.bt:2:62
	 67: MovReg dst: r6 src: r3
	   ; read_latency.bt:2:62
	 68: AddImm dst: r2 imm: 4
L8:
	   ; read_latency.bt:2:62
	 69: MovReg dst: r3 src: r6
	   ; read_latency.bt:2:62
	 70: RShImm dst: r3 imm: 2
	   ; read_latency.bt:2:62
	 71: JEqImm dst: r3 off: -1 imm: 0 <L9>
	   ; read_latency.bt:2:62
	 72: MovReg dst: r6 src: r3
	   ; read_latency.bt:2:62
	 73: AddImm dst: r2 imm: 2
L9:
	   ; read_latency.bt:2:62
	 74: RShImm dst: r6 imm: 1
	   ; read_latency.bt:2:62
	 75: JEqImm dst: r6 off: -1 imm: 0 <L10>
	   ; read_latency.bt:2:62
	 76: AddImm dst: r2 imm: 1
L10:
	   ; read_latency.bt:2:62
	 77: MovReg dst: r1 src: r2
	   ; read_latency.bt:2:62
	 78: AddImm dst: r1 imm: 2
L4:
	   ; read_latency.bt:2:62
	 79: StMemDW dst: rfp src: r0 off: -40 imm: 0
	   ; read_latency.bt:2:62
	 80: StXMemDW dst: rfp src: r1 off: -32 imm: 0
	   ; read_latency.bt:2:62
	 81: LoadMapPtr dst: r1 fd: 0 <m0_ns>
	   ; read_latency.bt:2:62
	 83: MovReg dst: r2 src: rfp
	   ; read_latency.bt:2:62
	 84: AddImm dst: r2 imm: -40
	   ; read_latency.bt:2:62
	 85: Call FnMapLookupElem
	   ; read_latency.bt:2:62
	 86: MovReg dst: r3 src: r0
	   ; read_latency.bt:2:62
	 87: JEqImm dst: r3 off: -1 imm: 0 <L11>
	   ; read_latency.bt:2:62
	 88: LdXMemDW dst: r1 src: r3 off: 0 imm: 0
	   ; read_latency.bt:2:62
	 89: AddImm dst: r1 imm: 1
	   ; read_latency.bt:2:62
	 90: StXMemDW dst: r3 src: r1 off: 0 imm: 0
	   ; read_latency.bt:2:62
	 91: Ja off: -1 <L12>
L11:
	   ; read_latency.bt:2:62
	 92: StMemDW dst: rfp src: r0 off: -48 imm: 1
	   ; read_latency.bt:2:62
	 93: LoadMapPtr dst: r1 fd: 0 <m0_ns>
	   ; read_latency.bt:2:62
	 95: MovReg dst: r2 src: rfp
	   ; read_latency.bt:2:62
	 96: AddImm dst: r2 imm: -40
	   ; read_latency.bt:2:62
	 97: MovReg dst: r3 src: rfp
	   ; read_latency.bt:2:62
	 98: AddImm dst: r3 imm: -48
	   ; read_latency.bt:2:62
	 99: MovImm dst: r4 imm: 0
	   ; read_latency.bt:2:62
	100: Call FnMapUpdateElem
	   ; read_latency.bt:2:62
	101: MovReg dst: r5 src: r0
	   ; read_latency.bt:2:62
	102: AddImm dst: r5 imm: 7
	   ; read_latency.bt:2:62
	103: MovReg dst: r1 src: r5
	   ; read_latency.bt:2:62
	104: NegImm dst: r1 imm: 0
	   ; read_latency.bt:2:62
	105: OrReg dst: r5 src: r1
	   ; read_latency.bt:2:62
	106: RShImm dst: r5 imm: 63
	   ; read_latency.bt:2:62
	107: XorImm dst: r5 imm: 1
	   ; read_latency.bt:2:62
	108: LoadMapValue dst: r1, fd: 0 off: 40 <globals>
	   ; read_latency.bt:2:62
	110: StXAtomicAddDW dst: r1 src: r5 off: 0
L12:
	   ; read_latency.bt:2:98
	111: Call FnGetCurrentPidTgid
	   ; read_latency.bt:2:98
	112: MovReg dst: r1 src: r0
	   ; read_latency.bt:2:98
	113: LShImm dst: r1 imm: 32
	   ; read_latency.bt:2:98
	114: RShImm dst: r1 imm: 32
	   ; read_latency.bt:2:98
	115: StXMemDW dst: rfp src: r1 off: -56 imm: 0
	   ; read_latency.bt:2:84
	116: LoadMapPtr dst: r1 fd: 0 <m1_start>
	   ; read_latency.bt:2:84
	118: MovReg dst: r2 src: rfp
	   ; read_latency.bt:2:84
	119: AddImm dst: r2 imm: -56
	   ; read_latency.bt:2:84
	120: Call FnMapDeleteElem
L1:
	   ; read_latency.bt:2:49
	121: MovImm dst: r0 imm: 0
	   ; read_latency.bt:2:49
	122: Exit

