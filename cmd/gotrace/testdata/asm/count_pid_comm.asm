tracepoint:raw_syscalls:sys_enter (p0_tracepoint, 32 bytes of stack):
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
	 5: RShImm dst: r0 imm: 32
	  ; count_pid_comm.bt:1:1
	 6: JEqImm dst: r0 off: -1 imm: 4242 <L4>
	  ; count_pid_comm.bt:1:39
	 7: StXMemW dst: rfp src: r0 off: -32 imm: 0
	  ; count_pid_comm.bt:1:44
	 8: MovReg dst: r1 src: rfp
	  ; count_pid_comm.bt:1:44
	 9: AddImm dst: r1 imm: -28
	  ; count_pid_comm.bt:1:44
	10: MovImm dst: r2 imm: 16
	  ; count_pid_comm.bt:1:44
	11: Call FnGetCurrentComm
	  ; count_pid_comm.bt:1:44
	12: LoadMapPtr dst: r6 fd: 0 <m0_>
	  ; count_pid_comm.bt:1:44
	14: MovReg dst: r7 src: rfp
	  ; count_pid_comm.bt:1:44
	15: AddImm dst: r7 imm: -32
	  ; count_pid_comm.bt:1:44
	16: MovReg dst: r1 src: r6
	  ; count_pid_comm.bt:1:44
	17: MovReg dst: r2 src: r7
	  ; count_pid_comm.bt:1:44
	18: Call FnMapLookupElem
	  ; count_pid_comm.bt:1:44
	19: JEqImm dst: r0 off: -1 imm: 0 <L2>
	  ; count_pid_comm.bt:1:44
	20: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	  ; count_pid_comm.bt:1:44
	21: AddImm dst: r1 imm: 1
	  ; count_pid_comm.bt:1:44
	22: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	  ; count_pid_comm.bt:1:44
	23: Ja off: -1 <L4>
L2:
	  ; count_pid_comm.bt:1:44
	24: LoadMapValue dst: r3, fd: 0 off: 40 <globals>
	  ; count_pid_comm.bt:1:44
	26: MovImm dst: r4 imm: 0
	  ; count_pid_comm.bt:1:44
	27: MovReg dst: r1 src: r6
	  ; count_pid_comm.bt:1:44
	28: MovReg dst: r2 src: r7
	  ; count_pid_comm.bt:1:44
	29: Call FnMapUpdateElem
	  ; count_pid_comm.bt:1:44
	30: JNEImm dst: r0 off: -1 imm: -7 <L4>
	  ; count_pid_comm.bt:1:44
	31: LoadMapValue dst: r1, fd: 0 off: 48 <globals>
	  ; count_pid_comm.bt:1:44
	33: StXAtomicAddDW dst: r1 src: r0 off: 0
L4:
	  ; count_pid_comm.bt:1:35
	34: MovImm dst: r0 imm: 0
	  ; count_pid_comm.bt:1:35
	35: Exit

