tracepoint:raw_syscalls:sys_enter (p0_tracepoint, 32 bytes of stack):
p0_tracepoint:
	  ; count_pid_comm.bt:1:1
	 0: Call FnGetCurrentPidTgid
	 1: RShImm dst: r0 imm: 32
	 2: JEqImm dst: r0 off: -1 imm: 4242 <L4>
	  ; count_pid_comm.bt:1:39
	 3: StXMemW dst: rfp src: r0 off: -32 imm: 0
	  ; count_pid_comm.bt:1:44
	 4: MovReg dst: r1 src: rfp
	 5: AddImm dst: r1 imm: -28
	 6: MovImm dst: r2 imm: 16
	 7: Call FnGetCurrentComm
	 8: LoadMapPtr dst: r6 fd: 0 <m0_>
	10: MovReg dst: r7 src: rfp
	11: AddImm dst: r7 imm: -32
	12: MovReg dst: r1 src: r6
	13: MovReg dst: r2 src: r7
	14: Call FnMapLookupElem
	15: JEqImm dst: r0 off: -1 imm: 0 <L2>
	16: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	17: AddImm dst: r1 imm: 1
	18: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	19: Ja off: -1 <L4>
L2:
	20: LoadMapValue dst: r3, fd: 0 off: 40 <globals>
	22: MovImm dst: r4 imm: 0
	23: MovReg dst: r1 src: r6
	24: MovReg dst: r2 src: r7
	25: Call FnMapUpdateElem
	26: JNEImm dst: r0 off: -1 imm: -7 <L4>
	27: LoadMapValue dst: r1, fd: 0 off: 48 <globals>
	29: StXAtomicAddDW dst: r1 src: r0 off: 0
L4:
	  ; count_pid_comm.bt:1:35
	30: MovImm dst: r0 imm: 0
	31: Exit

