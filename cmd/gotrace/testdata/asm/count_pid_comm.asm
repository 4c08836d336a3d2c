tracepoint:raw_syscalls:sys_enter (p0_tracepoint, 32 bytes of stack):
p0_tracepoint:
	  ; count_pid_comm.bt:1:1
	 0: Call FnGetCurrentPidTgid
	  ; count_pid_comm.bt:1:1
	 1: RShImm dst: r0 imm: 32
	  ; count_pid_comm.bt:1:1
	 2: JEqImm dst: r0 off: -1 imm: 4242 <L4>
	  ; count_pid_comm.bt:1:39
	 3: StXMemW dst: rfp src: r0 off: -32 imm: 0
	  ; count_pid_comm.bt:1:44
	 4: MovReg dst: r1 src: rfp
	  ; count_pid_comm.bt:1:44
	 5: AddImm dst: r1 imm: -28
	  ; count_pid_comm.bt:1:44
	 6: MovImm dst: r2 imm: 16
	  ; count_pid_comm.bt:1:44
	 7: Call FnGetCurrentComm
	  ; count_pid_comm.bt:1:44
	 8: LoadMapPtr dst: r6 fd: 0 <m0_>
	  ; count_pid_comm.bt:1:44
	10: MovReg dst: r7 src: rfp
	  ; count_pid_comm.bt:1:44
	11: AddImm dst: r7 imm: -32
	  ; count_pid_comm.bt:1:44
	12: MovReg dst: r1 src: r6
	  ; count_pid_comm.bt:1:44
	13: MovReg dst: r2 src: r7
	  ; count_pid_comm.bt:1:44
	14: Call FnMapLookupElem
	  ; count_pid_comm.bt:1:44
	15: JEqImm dst: r0 off: -1 imm: 0 <L2>
	  ; count_pid_comm.bt:1:44
	16: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	  ; count_pid_comm.bt:1:44
	17: AddImm dst: r1 imm: 1
	  ; count_pid_comm.bt:1:44
	18: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	  ; count_pid_comm.bt:1:44
	19: Ja off: -1 <L4>
L2:
	  ; count_pid_comm.bt:1:44
	20: LoadMapValue dst: r3, fd: 0 off: 40 <globals>
	  ; count_pid_comm.bt:1:44
	22: MovImm dst: r4 imm: 0
	  ; count_pid_comm.bt:1:44
	23: MovReg dst: r1 src: r6
	  ; count_pid_comm.bt:1:44
	24: MovReg dst: r2 src: r7
	  ; count_pid_comm.bt:1:44
	25: Call FnMapUpdateElem
	  ; count_pid_comm.bt:1:44
	26: JNEImm dst: r0 off: -1 imm: -7 <L4>
	  ; count_pid_comm.bt:1:44
	27: LoadMapValue dst: r1, fd: 0 off: 48 <globals>
	  ; count_pid_comm.bt:1:44
	29: StXAtomicAddDW dst: r1 src: r0 off: 0
L4:
	  ; count_pid_comm.bt:1:35
	30: MovImm dst: r0 imm: 0
	  ; count_pid_comm.bt:1:35
	31: Exit

