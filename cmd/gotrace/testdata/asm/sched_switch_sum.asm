tracepoint:sched:sched_switch (p0_tracepoint, 48 bytes of stack):
p0_tracepoint:
	  ; sched_switch_sum.bt:1:31
	 0: MovReg dst: r6 src: r1
	  ; sched_switch_sum.bt:1:1
	 1: LoadMapValue dst: r1, fd: 0 off: 0 <stop>
	  ; sched_switch_sum.bt:1:1
	 3: LdXMemDW dst: r2 src: r1 off: 0 imm: 0
	  ; sched_switch_sum.bt:1:1
	 4: JNEImm dst: r2 off: -1 imm: 0 <L4>
	  ; sched_switch_sum.bt:1:1
	 5: Call FnGetCurrentPidTgid
	  ; sched_switch_sum.bt:1:1
	 6: RShImm dst: r0 imm: 32
	  ; sched_switch_sum.bt:1:1
	 7: JEqImm dst: r0 off: -1 imm: 4242 <L4>
	  ; sched_switch_sum.bt:1:57
	 8: LdXMemDW dst: r7 src: r6 off: 32 imm: 0
	  ; sched_switch_sum.bt:1:35
	 9: LdXMemDW dst: r1 src: r6 off: 8 imm: 0
	  ; sched_switch_sum.bt:1:35
	10: LdXMemDW dst: r2 src: r6 off: 16 imm: 0
	  ; sched_switch_sum.bt:1:35
	11: StXMemDW dst: rfp src: r1 off: -24 imm: 0
	  ; sched_switch_sum.bt:1:35
	12: StXMemDW dst: rfp src: r2 off: -16 imm: 0
	  ; sched_switch_sum.bt:1:35
	13: LoadMapPtr dst: r6 fd: 0 <m0_>
	  ; sched_switch_sum.bt:1:35
	15: MovReg dst: r8 src: rfp
	  ; sched_switch_sum.bt:1:35
	16: AddImm dst: r8 imm: -24
	  ; sched_switch_sum.bt:1:35
	17: MovReg dst: r1 src: r6
	  ; sched_switch_sum.bt:1:35
	18: MovReg dst: r2 src: r8
	  ; sched_switch_sum.bt:1:35
	19: Call FnMapLookupElem
	  ; sched_switch_sum.bt:1:35
	20: JEqImm dst: r0 off: -1 imm: 0 <L2>
	  ; sched_switch_sum.bt:1:35
	21: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	  ; sched_switch_sum.bt:1:35
	22: AddReg dst: r1 src: r7
	  ; sched_switch_sum.bt:1:35
	23: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	  ; sched_switch_sum.bt:1:35
	24: Ja off: -1 <L4>
L2:
	  ; sched_switch_sum.bt:1:35
	25: StXMemDW dst: rfp src: r7 off: -48 imm: 0
	  ; sched_switch_sum.bt:1:35
	26: MovReg dst: r3 src: rfp
	  ; sched_switch_sum.bt:1:35
	27: AddImm dst: r3 imm: -48
	  ; sched_switch_sum.bt:1:35
	28: MovImm dst: r4 imm: 0
	  ; sched_switch_sum.bt:1:35
	29: MovReg dst: r1 src: r6
	  ; sched_switch_sum.bt:1:35
	30: MovReg dst: r2 src: r8
	  ; sched_switch_sum.bt:1:35
	31: Call FnMapUpdateElem
	  ; sched_switch_sum.bt:1:35
	32: JNEImm dst: r0 off: -1 imm: -7 <L4>
	  ; sched_switch_sum.bt:1:35
	33: LoadMapValue dst: r1, fd: 0 off: 48 <globals>
	  ; sched_switch_sum.bt:1:35
	35: StXAtomicAddDW dst: r1 src: r0 off: 0
L4:
	  ; sched_switch_sum.bt:1:31
	36: MovImm dst: r0 imm: 0
	  ; sched_switch_sum.bt:1:31
	37: Exit

