tracepoint:syscalls:sys_exit_read (p0_tracepoint, 32 bytes of stack):
p0_tracepoint:
	   ; hist_read_size.bt:1:50
	  0: MovReg dst: r6 src: r1
	   ; hist_read_size.bt:1:1
	  1: LoadMapValue dst: r1, fd: 0 off: 0 <stop>
	   ; hist_read_size.bt:1:1
	  3: LdXMemDW dst: r2 src: r1 off: 0 imm: 0
	   ; hist_read_size.bt:1:1
	  4: JNEImm dst: r2 off: -1 imm: 0 <L10>
	   ; hist_read_size.bt:1:1
	  5: Call FnGetCurrentPidTgid
	   ; hist_read_size.bt:1:1
	  6: MovReg dst: r1 src: r0
	   ; hist_read_size.bt:1:1
	  7: RShImm dst: r1 imm: 32
	   ; hist_read_size.bt:1:1
	  8: JEqImm dst: r1 off: -1 imm: 4242 <L10>
	   ; hist_read_size.bt:1:1
	  9: LoadMapValue dst: r2, fd: 0 off: 0 <held>
	   ; hist_read_size.bt:1:1
	 11: LdXMemDW dst: r3 src: r2 off: 0 imm: 0
	   ; hist_read_size.bt:1:1
	 12: JEqReg dst: r1 off: -1 src: r3 <L10>
	   ; hist_read_size.bt:1:40
	 13: LdXMemDW dst: r1 src: r6 off: 16 imm: 0
	   ; hist_read_size.bt:1:45
	 14: JSLEImm dst: r1 off: -1 imm: 0 <L10>
	   ; hist_read_size.bt:1:70
	 15: MovImm dst: r2 imm: 0
	   ; hist_read_size.bt:1:70
	 16: JSLTImm dst: r1 off: -1 imm: 0 <L2>
	   ; hist_read_size.bt:1:70
	 17: MovImm dst: r2 imm: 1
	   ; hist_read_size.bt:1:70
	 18: JEqImm dst: r1 off: -1 imm: 0 <L2>
	   ; hist_read_size.bt:1:70
	 19: MovImm dst: r3 imm: 0
	   ; hist_read_size.bt:1:70
	 20: MovReg dst: r4 src: r1
	   ; hist_read_size.bt:1:70
	 21: RShImm dst: r1 imm: 32
	   ; hist_read_size.bt:1:70
	 22: JEqImm dst: r1 off: -1 imm: 0 <L3>
	   ; hist_read_size.bt:1:70
	 23: MovReg dst: r4 src: r1
	   ; hist_read_size.bt:1:70
	 24: AddImm dst: r3 imm: 32
L3:
	   ; hist_read_size.bt:1:70
	 25: MovReg dst: r1 src: r4
	   ; hist_read_size.bt:1:70
	 26: RShImm dst: r1 imm: 16
	   ; hist_read_size.bt:1:70
	 27: JEqImm dst: r1 off: -1 imm: 0 <L4>
	   ; hist_read_size.bt:1:70
	 28: MovReg dst: r4 src: r1
	   ; hist_read_size.bt:1:70
	 29: AddImm dst: r3 imm: 16
L4:
	   ; hist_read_size.bt:1:70
	 30: MovReg dst: r1 src: r4
	   ; hist_read_size.bt:1:70
	 31: RShImm dst: r1 imm: 8
	   ; hist_read_size.bt:1:70
	 32: JEqImm dst: r1 off: -1 imm: 0 <L5>
	   ; hist_read_size.bt:1:70
	 33: MovReg dst: r4 src: r1
	   ; hist_read_size.bt:1:70
	 34: AddImm dst: r3 imm: 8
L5:
	   ; hist_read_size.bt:1:70
	 35: MovReg dst: r1 src: r4
	   ; hist_read_size.bt:1:70
	 36: RShImm dst: r1 imm: 4
	   ; hist_read_size.bt:1:70
	 37: JEqImm dst: r1 off: -1 imm: 0 <L6>
	   ; hist_read_size.bt:1:70
	 38: MovReg dst: r4 src: r1
	   ; hist_read_size.bt:1:70
	 39: AddImm dst: r3 imm: 4
L6:
	   ; hist_read_size.bt:1:70
	 40: MovReg dst: r1 src: r4
	   ; hist_read_size.bt:1:70
	 41: RShImm dst: r1 imm: 2
	   ; hist_read_size.bt:1:70
	 42: JEqImm dst: r1 off: -1 imm: 0 <L7>
	   ; hist_read_size.bt:1:70
	 43: MovReg dst: r4 src: r1
	   ; hist_read_size.bt:1:70
	 44: AddImm dst: r3 imm: 2
L7:
	   ; hist_read_size.bt:1:70
	 45: RShImm dst: r4 imm: 1
	   ; hist_read_size.bt:1:70
	 46: JEqImm dst: r4 off: -1 imm: 0 <L8>
	   ; hist_read_size.bt:1:70
	 47: AddImm dst: r3 imm: 1
L8:
	   ; hist_read_size.bt:1:70
	 48: MovReg dst: r2 src: r3
	   ; hist_read_size.bt:1:70
	 49: AddImm dst: r2 imm: 2
L2:
	   ; hist_read_size.bt:1:70
	 50: StMemDW dst: rfp src: r0 off: -24 imm: 0
	   ; hist_read_size.bt:1:70
	 51: StXMemDW dst: rfp src: r2 off: -16 imm: 0
	   ; hist_read_size.bt:1:70
	 52: LoadMapPtr dst: r1 fd: 0 <m0_bytes>
	   ; hist_read_size.bt:1:70
	 54: MovReg dst: r2 src: rfp
	   ; hist_read_size.bt:1:70
	 55: AddImm dst: r2 imm: -24
	   ; hist_read_size.bt:1:70
	 56: Call FnMapLookupElem
	   ; hist_read_size.bt:1:70
	 57: MovReg dst: r3 src: r0
	   ; hist_read_size.bt:1:70
	 58: JEqImm dst: r3 off: -1 imm: 0 <L9>
	   ; hist_read_size.bt:1:70
	 59: LdXMemDW dst: r1 src: r3 off: 0 imm: 0
	   ; hist_read_size.bt:1:70
	 60: AddImm dst: r1 imm: 1
	   ; hist_read_size.bt:1:70
	 61: StXMemDW dst: r3 src: r1 off: 0 imm: 0
	   ; hist_read_size.bt:1:70
	 62: Ja off: -1 <L10>
L9:
	   ; hist_read_size.bt:1:70
	 63: StMemDW dst: rfp src: r0 off: -32 imm: 1
	   ; hist_read_size.bt:1:70
	 64: LoadMapPtr dst: r1 fd: 0 <m0_bytes>
	   ; hist_read_size.bt:1:70
	 66: MovReg dst: r2 src: rfp
	   ; hist_read_size.bt:1:70
	 67: AddImm dst: r2 imm: -24
	   ; hist_read_size.bt:1:70
	 68: MovReg dst: r3 src: rfp
	   ; hist_read_size.bt:1:70
	 69: AddImm dst: r3 imm: -32
	   ; hist_read_size.bt:1:70
	 70: MovImm dst: r4 imm: 0
	   ; hist_read_size.bt:1:70
	 71: Call FnMapUpdateElem
L10:
	   ; hist_read_size.bt:1:50
	 72: MovImm dst: r0 imm: 0
	   ; hist_read_size.bt:1:50
	 73: Exit

