tracepoint:raw_syscalls:sys_enter (p0_tracepoint, 24 bytes of stack):
p0_tracepoint:
	  ; count_pid.bt:1:1
	 0: LoadMapValue dst: r1, fd: 0 off: 0 <stop>
	  ; count_pid.bt:1:1
	 2: LdXMemDW dst: r2 src: r1 off: 0 imm: 0
	  ; count_pid.bt:1:1
	 3: JNEImm dst: r2 off: -1 imm: 0 <L4>
	  ; count_pid.bt:1:1
	 4: Call FnGetCurrentPidTgid
	  ; count_pid.bt:1:1
	 5: MovReg dst: r1 src: r0
	  ; count_pid.bt:1:1
	 6: RShImm dst: r1 imm: 32
	  ; count_pid.bt:1:1
	 7: JEqImm dst: r1 off: -1 imm: 4242 <L4>
	  ; count_pid.bt:1:39
	 8: StXMemDW dst: rfp src: r1 off: -16 imm: 0
	  ; count_pid.bt:1:39
	 9: LoadMapPtr dst: r1 fd: 0 <m0_>
	  ; count_pid.bt:1:39
	11: MovReg dst: r2 src: rfp
	  ; count_pid.bt:1:39
	12: AddImm dst: r2 imm: -16
	  ; count_pid.bt:1:39
	13: Call FnMapLookupElem
	  ; count_pid.bt:1:39
	14: MovReg dst: r3 src: r0
	  ; count_pid.bt:1:39
	15: JEqImm dst: r3 off: -1 imm: 0 <L2>
	  ; count_pid.bt:1:39
	16: LdXMemDW dst: r1 src: r3 off: 0 imm: 0
	  ; count_pid.bt:1:39
	17: AddImm dst: r1 imm: 1
	  ; count_pid.bt:1:39
	18: StXMemDW dst: r3 src: r1 off: 0 imm: 0
	  ; count_pid.bt:1:39
	19: Ja off: -1 <L4>
L2:
	  ; count_pid.bt:1:39
	20: StMemDW dst: rfp src: r0 off: -24 imm: 1
	  ; count_pid.bt:1:39
	21: LoadMapPtr dst: r1 fd: 0 <m0_>
	  ; count_pid.bt:1:39
	23: MovReg dst: r2 src: rfp
	  ; count_pid.bt:1:39
	24: AddImm dst: r2 imm: -16
	  ; count_pid.bt:1:39
	25: MovReg dst: r3 src: rfp
	  ; count_pid.bt:1:39
	26: AddImm dst: r3 imm: -24
	  ; count_pid.bt:1:39
	27: MovImm dst: r4 imm: 0
	  ; count_pid.bt:1:39
	28: Call FnMapUpdateElem
	  ; count_pid.bt:1:39
	29: MovReg dst: r5 src: r0
	  ; count_pid.bt:1:39
	30: JNEImm dst: r5 off: -1 imm: -7 <L4>
	  ; count_pid.bt:1:39
	31: MovImm dst: r1 imm: 1
	  ; count_pid.bt:1:39
	32: LoadMapValue dst: r2, fd: 0 off: 40 <globals>
	  ; count_pid.bt:1:39
	34: StXAtomicAddDW dst: r2 src: r1 off: 0
L4:
	  ; count_pid.bt:1:35
	35: MovImm dst: r0 imm: 0
	  ; count_pid.bt:1:35
	36: Exit

