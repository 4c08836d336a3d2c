tracepoint:raw_syscalls:sys_enter (p0_tracepoint, 24 bytes of stack):
p0_tracepoint:
	  ; count_pid.bt:1:1
	 0: LoadMapValue dst: r1, fd: 0 off: 0 <stop>
	  ; count_pid.bt:1:1
	 2: LdXMemDW dst: r2 src: r1 off: 0 imm: 0
	  ; count_pid.bt:1:1
	 3: JNEImm dst: r2 off: -1 imm: 0 <L3>
	  ; count_pid.bt:1:1
	 4: Call FnGetCurrentPidTgid
	  ; count_pid.bt:1:1
	 5: MovReg dst: r1 src: r0
	  ; count_pid.bt:1:1
	 6: RShImm dst: r1 imm: 32
	  ; count_pid.bt:1:1
	 7: JEqImm dst: r1 off: -1 imm: 4242 <L3>
	  ; count_pid.bt:1:1
	 8: LoadMapValue dst: r2, fd: 0 off: 0 <held>
	  ; count_pid.bt:1:1
	10: LdXMemDW dst: r3 src: r2 off: 0 imm: 0
	  ; count_pid.bt:1:1
	11: JEqReg dst: r1 off: -1 src: r3 <L3>
	  ; count_pid.bt:1:39
	12: Call FnGetCurrentPidTgid
	  ; count_pid.bt:1:39
	13: MovReg dst: r1 src: r0
	  ; count_pid.bt:1:39
	14: RShImm dst: r1 imm: 32
	  ; count_pid.bt:1:39
	15: StXMemDW dst: rfp src: r1 off: -16 imm: 0
	  ; count_pid.bt:1:39
	16: LoadMapPtr dst: r1 fd: 0 <m0_>
	  ; count_pid.bt:1:39
	18: MovReg dst: r2 src: rfp
	  ; count_pid.bt:1:39
	19: AddImm dst: r2 imm: -16
	  ; count_pid.bt:1:39
	20: Call FnMapLookupElem
	  ; count_pid.bt:1:39
	21: MovReg dst: r3 src: r0
	  ; count_pid.bt:1:39
	22: JEqImm dst: r3 off: -1 imm: 0 <L2>
	  ; count_pid.bt:1:39
	23: LdXMemDW dst: r1 src: r3 off: 0 imm: 0
	  ; count_pid.bt:1:39
	24: AddImm dst: r1 imm: 1
	  ; count_pid.bt:1:39
	25: StXMemDW dst: r3 src: r1 off: 0 imm: 0
	  ; count_pid.bt:1:39
	26: Ja off: -1 <L3>
L2:
	  ; count_pid.bt:1:39
	27: StMemDW dst: rfp src: r0 off: -24 imm: 1
	  ; count_pid.bt:1:39
	28: LoadMapPtr dst: r1 fd: 0 <m0_>
	  ; count_pid.bt:1:39
	30: MovReg dst: r2 src: rfp
	  ; count_pid.bt:1:39
	31: AddImm dst: r2 imm: -16
	  ; count_pid.bt:1:39
	32: MovReg dst: r3 src: rfp
	  ; count_pid.bt:1:39
	33: AddImm dst: r3 imm: -24
	  ; count_pid.bt:1:39
	34: MovImm dst: r4 imm: 0
	  ; count_pid.bt:1:39
	35: Call FnMapUpdateElem
	  ; count_pid.bt:1:39
	36: MovReg dst: r5 src: r0
	  ; count_pid.bt:1:39
	37: AddImm dst: r5 imm: 7
	  ; count_pid.bt:1:39
	38: MovReg dst: r1 src: r5
	  ; count_pid.bt:1:39
	39: NegImm dst: r1 imm: 0
	  ; count_pid.bt:1:39
	40: OrReg dst: r5 src: r1
	  ; count_pid.bt:1:39
	41: RShImm dst: r5 imm: 63
	  ; count_pid.bt:1:39
	42: XorImm dst: r5 imm: 1
	  ; count_pid.bt:1:39
	43: LoadMapValue dst: r1, fd: 0 off: 40 <globals>
	  ; count_pid.bt:1:39
	45: StXAtomicAddDW dst: r1 src: r5 off: 0
L3:
	  ; count_pid.bt:1:35
	46: MovImm dst: r0 imm: 0
	  ; count_pid.bt:1:35
	47: Exit

