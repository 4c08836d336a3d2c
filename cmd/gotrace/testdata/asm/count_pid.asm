tracepoint:raw_syscalls:sys_enter (p0_tracepoint, 16 bytes of stack):
p0_tracepoint:
	  ; count_pid.bt:1:1
	 0: Call FnGetCurrentPidTgid
	  ; count_pid.bt:1:1
	 1: RShImm dst: r0 imm: 32
	  ; count_pid.bt:1:1
	 2: JEqImm dst: r0 off: -1 imm: 4242 <L4>
	  ; count_pid.bt:1:39
	 3: StXMemDW dst: rfp src: r0 off: -16 imm: 0
	  ; count_pid.bt:1:39
	 4: LoadMapPtr dst: r6 fd: 0 <m0_>
	  ; count_pid.bt:1:39
	 6: MovReg dst: r7 src: rfp
	  ; count_pid.bt:1:39
	 7: AddImm dst: r7 imm: -16
	  ; count_pid.bt:1:39
	 8: MovReg dst: r1 src: r6
	  ; count_pid.bt:1:39
	 9: MovReg dst: r2 src: r7
	  ; count_pid.bt:1:39
	10: Call FnMapLookupElem
	  ; count_pid.bt:1:39
	11: JEqImm dst: r0 off: -1 imm: 0 <L2>
	  ; count_pid.bt:1:39
	12: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	  ; count_pid.bt:1:39
	13: AddImm dst: r1 imm: 1
	  ; count_pid.bt:1:39
	14: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	  ; count_pid.bt:1:39
	15: Ja off: -1 <L4>
L2:
	  ; count_pid.bt:1:39
	16: LoadMapValue dst: r3, fd: 0 off: 40 <globals>
	  ; count_pid.bt:1:39
	18: MovImm dst: r4 imm: 0
	  ; count_pid.bt:1:39
	19: MovReg dst: r1 src: r6
	  ; count_pid.bt:1:39
	20: MovReg dst: r2 src: r7
	  ; count_pid.bt:1:39
	21: Call FnMapUpdateElem
	  ; count_pid.bt:1:39
	22: JNEImm dst: r0 off: -1 imm: -7 <L4>
	  ; count_pid.bt:1:39
	23: LoadMapValue dst: r1, fd: 0 off: 48 <globals>
	  ; count_pid.bt:1:39
	25: StXAtomicAddDW dst: r1 src: r0 off: 0
L4:
	  ; count_pid.bt:1:35
	26: MovImm dst: r0 imm: 0
	  ; count_pid.bt:1:35
	27: Exit

