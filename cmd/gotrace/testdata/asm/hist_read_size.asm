tracepoint:syscalls:sys_exit_read (p0_tracepoint, 16 bytes of stack):
p0_tracepoint:
	  ; hist_read_size.bt:1:50
	 0: MovReg dst: r6 src: r1
	  ; hist_read_size.bt:1:1
	 1: Call FnGetCurrentPidTgid
	 2: RShImm dst: r0 imm: 32
	 3: JEqImm dst: r0 off: -1 imm: 4242 <L10>
	  ; hist_read_size.bt:1:36
	 4: LdXMemDW dst: r1 src: r6 off: 16 imm: 0
	  ; hist_read_size.bt:1:36
	 5: JSLEImm dst: r1 off: -1 imm: 0 <L10>
	  ; hist_read_size.bt:1:66
	 6: MovImm dst: r2 imm: 2
	 7: MovReg dst: r3 src: r1
	 8: RShImm dst: r1 imm: 32
	 9: JEqImm dst: r1 off: -1 imm: 0 <L3>
	10: MovReg dst: r3 src: r1
	11: AddImm dst: r2 imm: 32
L3:
	12: JLTImm dst: r3 off: -1 imm: 65536 <L4>
	13: RShImm dst: r3 imm: 16
	14: AddImm dst: r2 imm: 16
L4:
	15: JLTImm dst: r3 off: -1 imm: 256 <L5>
	16: RShImm dst: r3 imm: 8
	17: AddImm dst: r2 imm: 8
L5:
	18: JLTImm dst: r3 off: -1 imm: 16 <L6>
	19: RShImm dst: r3 imm: 4
	20: AddImm dst: r2 imm: 4
L6:
	21: JLTImm dst: r3 off: -1 imm: 4 <L7>
	22: RShImm dst: r3 imm: 2
	23: AddImm dst: r2 imm: 2
L7:
	24: JLTImm dst: r3 off: -1 imm: 2 <L8>
	25: AddImm dst: r2 imm: 1
L8:
	26: StXMemDW dst: rfp src: r2 off: -16 imm: 0
	27: LoadMapPtr dst: r6 fd: 0 <m0_bytes>
	29: MovReg dst: r7 src: rfp
	30: AddImm dst: r7 imm: -16
	31: MovReg dst: r1 src: r6
	32: MovReg dst: r2 src: r7
	33: Call FnMapLookupElem
	34: JEqImm dst: r0 off: -1 imm: 0 <L9>
	35: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	36: AddImm dst: r1 imm: 1
	37: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	38: Ja off: -1 <L10>
L9:
	39: LoadMapValue dst: r3, fd: 0 off: 40 <globals>
	41: MovImm dst: r4 imm: 0
	42: MovReg dst: r1 src: r6
	43: MovReg dst: r2 src: r7
	44: Call FnMapUpdateElem
L10:
	  ; hist_read_size.bt:1:50
	45: MovImm dst: r0 imm: 0
	46: Exit

