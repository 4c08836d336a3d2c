tracepoint:sched:sched_switch (p0_tracepoint, 48 bytes of stack):
p0_tracepoint:
	  ; sched_switch_sum.bt:1:31
	 0: MovReg dst: r6 src: r1
	  ; sched_switch_sum.bt:1:1
	 1: Call FnGetCurrentPidTgid
	 2: RShImm dst: r0 imm: 32
	 3: JEqImm dst: r0 off: -1 imm: 4242 <L4>
	  ; sched_switch_sum.bt:1:57
	 4: LdXMemDW dst: r7 src: r6 off: 32 imm: 0
	  ; sched_switch_sum.bt:1:35
	 5: LdXMemDW dst: r1 src: r6 off: 8 imm: 0
	 6: LdXMemDW dst: r2 src: r6 off: 16 imm: 0
	 7: StXMemDW dst: rfp src: r1 off: -24 imm: 0
	 8: StXMemDW dst: rfp src: r2 off: -16 imm: 0
	 9: LoadMapPtr dst: r6 fd: 0 <m0_>
	11: MovReg dst: r8 src: rfp
	12: AddImm dst: r8 imm: -24
	13: MovReg dst: r1 src: r6
	14: MovReg dst: r2 src: r8
	15: Call FnMapLookupElem
	16: JEqImm dst: r0 off: -1 imm: 0 <L2>
	17: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	18: AddReg dst: r1 src: r7
	19: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	20: Ja off: -1 <L4>
L2:
	21: StXMemDW dst: rfp src: r7 off: -48 imm: 0
	22: MovReg dst: r3 src: rfp
	23: AddImm dst: r3 imm: -48
	24: MovImm dst: r4 imm: 0
	25: MovReg dst: r1 src: r6
	26: MovReg dst: r2 src: r8
	27: Call FnMapUpdateElem
	28: JNEImm dst: r0 off: -1 imm: -7 <L4>
	29: LoadMapValue dst: r1, fd: 0 off: 48 <globals>
	31: StXAtomicAddDW dst: r1 src: r0 off: 0
L4:
	  ; sched_switch_sum.bt:1:31
	32: MovImm dst: r0 imm: 0
	33: Exit

