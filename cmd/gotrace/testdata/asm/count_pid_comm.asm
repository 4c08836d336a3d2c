tracepoint:raw_syscalls:sys_enter (p0_tracepoint, 40 bytes of stack):
p0_tracepoint:
	  ; count_pid_comm.bt:1:1
	 0: LoadMapValue dst: r1, fd: 0 off: 0 <stop>
	  ; count_pid_comm.bt:1:1
	 2: LdXMemDW dst: r2 src: r1 off: 0 imm: 0
	  ; count_pid_comm.bt:1:1
	 3: JNEImm dst: r2 off: -1 imm: 0 <L3>
	  ; count_pid_comm.bt:1:1
	 4: Call FnGetCurrentPidTgid
	  ; count_pid_comm.bt:1:1
	 5: MovReg dst: r1 src: r0
	  ; count_pid_comm.bt:1:1
	 6: RShImm dst: r1 imm: 32
	  ; count_pid_comm.bt:1:1
	 7: JEqImm dst: r1 off: -1 imm: 4242 <L3>
	  ; count_pid_comm.bt:1:1
	 8: LoadMapValue dst: r2, fd: 0 off: 0 <held>
	  ; count_pid_comm.bt:1:1
	10: LdXMemDW dst: r3 src: r2 off: 0 imm: 0
	  ; count_pid_comm.bt:1:1
	11: JEqReg dst: r1 off: -1 src: r3 <L3>
	  ; count_pid_comm.bt:1:52
	12: StMemDW dst: rfp src: r0 off: -32 imm: 0
	  ; count_pid_comm.bt:1:52
	13: StMemDW dst: rfp src: r0 off: -24 imm: 0
	  ; count_pid_comm.bt:1:52
	14: StMemDW dst: rfp src: r0 off: -16 imm: 0
	  ; count_pid_comm.bt:1:39
	15: Call FnGetCurrentPidTgid
	  ; count_pid_comm.bt:1:39
	16: MovReg dst: r1 src: r0
	  ; count_pid_comm.bt:1:39
	17: RShImm dst: r1 imm: 32
	  ; count_pid_comm.bt:1:39
	18: StXMemDW dst: rfp src: r1 off: -32 imm: 0
	  ; count_pid_comm.bt:1:44
	19: MovReg dst: r1 src: rfp
	  ; count_pid_comm.bt:1:44
	20: AddImm dst: r1 imm: -24
	  ; count_pid_comm.bt:1:44
	21: MovImm dst: r2 imm: 16
	  ; count_pid_comm.bt:1:44
	22: Call FnGetCurrentComm
	  ; count_pid_comm.bt:1:44
	23: LoadMapPtr dst: r1 fd: 0 <m0_>
	  ; count_pid_comm.bt:1:44
	25: MovReg dst: r2 src: rfp
	  ; count_pid_comm.bt:1:44
	26: AddImm dst: r2 imm: -32
	  ; count_pid_comm.bt:1:44
	27: Call FnMapLookupElem
	  ; count_pid_comm.bt:1:44
	28: MovReg dst: r3 src: r0
	  ; count_pid_comm.bt:1:44
	29: JEqImm dst: r3 off: -1 imm: 0 <L2>
	  ; count_pid_comm.bt:1:44
	30: LdXMemDW dst: r1 src: r3 off: 0 imm: 0
	  ; count_pid_comm.bt:1:44
	31: AddImm dst: r1 imm: 1
	  ; count_pid_comm.bt:1:44
	32: StXMemDW dst: r3 src: r1 off: 0 imm: 0
	  ; count_pid_comm.bt:1:44
	33: Ja off: -1 <L3>
L2:
	  ; count_pid_comm.bt:1:44
	34: StMemDW dst: rfp src: r0 off: -40 imm: 1
	  ; count_pid_comm.bt:1:44
	35: LoadMapPtr dst: r1 fd: 0 <m0_>
	  ; count_pid_comm.bt:1:44
	37: MovReg dst: r2 src: rfp
	  ; count_pid_comm.bt:1:44
	38: AddImm dst: r2 imm: -32
	  ; count_pid_comm.bt:1:44
	39: MovReg dst: r3 src: rfp
	  ; count_pid_comm.bt:1:44
	40: AddImm dst: r3 imm: -40
	  ; count_pid_comm.bt:1:44
	41: MovImm dst: r4 imm: 0
	  ; count_pid_comm.bt:1:44
	42: Call FnMapUpdateElem
	  ; count_pid_comm.bt:1:44
	43: MovReg dst: r5 src: r0
	  ; count_pid_comm.bt:1:44
	44: AddImm dst: r5 imm: 7
	  ; count_pid_comm.bt:1:44
	45: MovReg dst: r1 src: r5
	  ; count_pid_comm.bt:1:44
	46: NegImm dst: r1 imm: 0
	  ; count_pid_comm.bt:1:44
	47: OrReg dst: r5 src: r1
	  ; count_pid_comm.bt:1:44
	48: RShImm dst: r5 imm: 63
	  ; count_pid_comm.bt:1:44
	49: XorImm dst: r5 imm: 1
	  ; count_pid_comm.bt:1:44
	50: LoadMapValue dst: r1, fd: 0 off: 40 <globals>
	  ; count_pid_comm.bt:1:44
	52: StXAtomicAddDW dst: r1 src: r5 off: 0
L3:
	  ; count_pid_comm.bt:1:35
	53: MovImm dst: r0 imm: 0
	  ; count_pid_comm.bt:1:35
	54: Exit

