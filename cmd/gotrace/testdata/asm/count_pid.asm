tracepoint:raw_syscalls:sys_enter (p0_tracepoint, 16 bytes of stack):
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
	 5: RShImm dst: r0 imm: 32
	  ; count_pid.bt:1:1
	 6: JEqImm dst: r0 off: -1 imm: 4242 <L4>
	  ; count_pid.bt:1:39
	 7: StXMemDW dst: rfp src: r0 off: -16 imm: 0
	  ; count_pid.bt:1:39
	 8: LoadMapPtr dst: r6 fd: 0 <m0_>
	  ; count_pid.bt:1:39
	10: MovReg dst: r7 src: rfp
	  ; count_pid.bt:1:39
	11: AddImm dst: r7 imm: -16
	  ; count_pid.bt:1:39
	12: MovReg dst: r1 src: r6
	  ; count_pid.bt:1:39
	13: MovReg dst: r2 src: r7
	  ; count_pid.bt:1:39
	14: Call FnMapLookupElem
	  ; count_pid.bt:1:39
	15: JEqImm dst: r0 off: -1 imm: 0 <L2>
	  ; count_pid.bt:1:39
	16: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	  ; count_pid.bt:1:39
	17: AddImm dst: r1 imm: 1
	  ; count_pid.bt:1:39
	18: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	  ; count_pid.bt:1:39
	19: Ja off: -1 <L4>
L2:
	  ; count_pid.bt:1:39
	20: LoadMapValue dst: r3, fd: 0 off: 40 <globals>
	  ; count_pid.bt:1:39
	22: MovImm dst: r4 imm: 0
	  ; count_pid.bt:1:39
	23: MovReg dst: r1 src: r6
	  ; count_pid.bt:1:39
	24: MovReg dst: r2 src: r7
	  ; count_pid.bt:1:39
	25: Call FnMapUpdateElem
	  ; count_pid.bt:1:39
	26: JNEImm dst: r0 off: -1 imm: -7 <L4>
	  ; count_pid.bt:1:39
	27: LoadMapValue dst: r1, fd: 0 off: 48 <globals>
	  ; count_pid.bt:1:39
	29: StXAtomicAddDW dst: r1 src: r0 off: 0
L4:
	  ; count_pid.bt:1:35
	30: MovImm dst: r0 imm: 0
	  ; count_pid.bt:1:35
	31: Exit

