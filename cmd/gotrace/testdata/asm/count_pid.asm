tracepoint:raw_syscalls:sys_enter (p0_tracepoint, 16 bytes of stack):
p0_tracepoint:
	  ; count_pid.bt:1:1
	 0: Call FnGetCurrentPidTgid
	 1: RShImm dst: r0 imm: 32
	 2: JEqImm dst: r0 off: -1 imm: 4242 <L4>
	  ; count_pid.bt:1:39
	 3: StXMemDW dst: rfp src: r0 off: -16 imm: 0
	 4: LoadMapPtr dst: r6 fd: 0 <m0_>
	 6: MovReg dst: r7 src: rfp
	 7: AddImm dst: r7 imm: -16
	 8: MovReg dst: r1 src: r6
	 9: MovReg dst: r2 src: r7
	10: Call FnMapLookupElem
	11: JEqImm dst: r0 off: -1 imm: 0 <L2>
	12: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	13: AddImm dst: r1 imm: 1
	14: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	15: Ja off: -1 <L4>
L2:
	16: LoadMapValue dst: r3, fd: 0 off: 40 <globals>
	18: MovImm dst: r4 imm: 0
	19: MovReg dst: r1 src: r6
	20: MovReg dst: r2 src: r7
	21: Call FnMapUpdateElem
	22: JNEImm dst: r0 off: -1 imm: -7 <L4>
	23: LoadMapValue dst: r1, fd: 0 off: 48 <globals>
	25: StXAtomicAddDW dst: r1 src: r0 off: 0
L4:
	  ; count_pid.bt:1:35
	26: MovImm dst: r0 imm: 0
	27: Exit

