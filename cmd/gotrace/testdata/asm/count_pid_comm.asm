tracepoint:raw_syscalls:sys_enter (p0_tracepoint, 40 bytes of stack):
p0_tracepoint:
	  ; count_pid_comm.bt:1:1
	 0: LoadMapValue dst: r1, fd: 0 off: 0 <stop>
	  ; count_pid_comm.bt:1:1
	 2: LdXMemDW dst: r2 src: r1 off: 0 imm: 0
	  ; count_pid_comm.bt:1:1
	 3: JNEImm dst: r2 off: -1 imm: 0 <L4>
	  ; count_pid_comm.bt:1:1
	 4: Call FnGetCurrentPidTgid
	  ; count_pid_comm.bt:1:1
	 5: MovReg dst: r1 src: r0
	  ; count_pid_comm.bt:1:1
	 6: RShImm dst: r1 imm: 32
	  ; count_pid_comm.bt:1:1
	 7: JEqImm dst: r1 off: -1 imm: 4242 <L4>
	  ; count_pid_comm.bt:1:1
	 8: LoadMapValue dst: r2, fd: 0 off: 0 <held>
	  ; count_pid_comm.bt:1:1
	10: LdXMemDW dst: r3 src: r2 off: 0 imm: 0
	  ; count_pid_comm.bt:1:1
	11: JEqReg dst: r1 off: -1 src: r3 <L4>
	  ; count_pid_comm.bt:1:52
	12: StMemDW dst: rfp src: r0 off: -32 imm: 0
	  ; count_pid_comm.bt:1:52
	13: StMemDW dst: rfp src: r0 off: -24 imm: 0
	  ; count_pid_comm.bt:1:52
	14: StMemDW dst: rfp src: r0 off: -16 imm: 0
	  ; count_pid_comm.bt:1:39
	15: StXMemDW dst: rfp src: r1 off: -32 imm: 0
	  ; count_pid_comm.bt:1:44
	16: MovReg dst: r1 src: rfp
	  ; count_pid_comm.bt:1:44
	17: AddImm dst: r1 imm: -24
	  ; count_pid_comm.bt:1:44
	18: MovImm dst: r2 imm: 16
	  ; count_pid_comm.bt:1:44
	19: Call FnGetCurrentComm
	  ; count_pid_comm.bt:1:44
	20: LoadMapPtr dst: r1 fd: 0 <m0_>
	  ; count_pid_comm.bt:1:44
	22: MovReg dst: r2 src: rfp
	  ; count_pid_comm.bt:1:44
	23: AddImm dst: r2 imm: -32
	  ; count_pid_comm.bt:1:44
	24: Call FnMapLookupElem
	  ; count_pid_comm.bt:1:44
	25: MovReg dst: r3 src: r0
	  ; count_pid_comm.bt:1:44
	26: JEqImm dst: r3 off: -1 imm: 0 <L2>
	  ; count_pid_comm.bt:1:44
	27: LdXMemDW dst: r1 src: r3 off: 0 imm: 0
	  ; count_pid_comm.bt:1:44
	28: AddImm dst: r1 imm: 1
	  ; count_pid_comm.bt:1:44
	29: StXMemDW dst: r3 src: r1 off: 0 imm: 0
	  ; count_pid_comm.bt:1:44
	30: Ja off: -1 <L4>
L2:
	  ; count_pid_comm.bt:1:44
	31: StMemDW dst: rfp src: r0 off: -40 imm: 1
	  ; count_pid_comm.bt:1:44
	32: LoadMapPtr dst: r1 fd: 0 <m0_>
	  ; count_pid_comm.bt:1:44
	34: MovReg dst: r2 src: rfp
	  ; count_pid_comm.bt:1:44
	35: AddImm dst: r2 imm: -32
	  ; count_pid_comm.bt:1:44
	36: MovReg dst: r3 src: rfp
	  ; count_pid_comm.bt:1:44
	37: AddImm dst: r3 imm: -40
	  ; count_pid_comm.bt:1:44
	38: MovImm dst: r4 imm: 0
	  ; count_pid_comm.bt:1:44
	39: Call FnMapUpdateElem
	  ; count_pid_comm.bt:1:44
	40: MovReg dst: r5 src: r0
	  ; count_pid_comm.bt:1:44
	41: JNEImm dst: r5 off: -1 imm: -7 <L4>
	  ; count_pid_comm.bt:1:44
	42: MovImm dst: r1 imm: 1
	  ; count_pid_comm.bt:1:44
	43: LoadMapValue dst: r2, fd: 0 off: 40 <globals>
	  ; count_pid_comm.bt:1:44
	45: StXAtomicAddDW dst: r2 src: r1 off: 0
L4:
	  ; count_pid_comm.bt:1:35
	46: MovImm dst: r0 imm: 0
	  ; count_pid_comm.bt:1:35
	47: Exit

