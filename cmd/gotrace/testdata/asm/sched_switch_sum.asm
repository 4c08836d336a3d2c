tracepoint:sched:sched_switch (p0_tracepoint, 48 bytes of stack):
p0_tracepoint:
	  ; sched_switch_sum.bt:1:31
	 0: MovReg dst: r6 src: r1
	  ; sched_switch_sum.bt:1:1
	 1: Call FnGetCurrentPidTgid
	  ; sched_switch_sum.bt:1:1
	 2: RShImm dst: r0 imm: 32
	  ; sched_switch_sum.bt:1:1
	 3: JEqImm dst: r0 off: -1 imm: 4242 <L4>
	  ; sched_switch_sum.bt:1:57
	 4: LdXMemDW dst: r7 src: r6 off: 32 imm: 0
	  ; sched_switch_sum.bt:1:35
	 5: LdXMemDW dst: r1 src: r6 off: 8 imm: 0
	  ; sched_switch_sum.bt:1:35
	 6: LdXMemDW dst: r2 src: r6 off: 16 imm: 0
	  ; sched_switch_sum.bt:1:35
	 7: StXMemDW dst: rfp src: r1 off: -24 imm: 0
	  ; sched_switch_sum.bt:1:35
	 8: StXMemDW dst: rfp src: r2 off: -16 imm: 0
	  ; sched_switch_sum.bt:1:35
	 9: LoadMapPtr dst: r6 fd: 0 <m0_>
	  ; sched_switch_sum.bt:1:35
	11: MovReg dst: r8 src: rfp
	  ; sched_switch_sum.bt:1:35
	12: AddImm dst: r8 imm: -24
	  ; sched_switch_sum.bt:1:35
	13: MovReg dst: r1 src: r6
	  ; sched_switch_sum.bt:1:35
	14: MovReg dst: r2 src: r8
	  ; sched_switch_sum.bt:1:35
	15: Call FnMapLookupElem
	  ; sched_switch_sum.bt:1:35
	16: JEqImm dst: r0 off: -1 imm: 0 <L2>
	  ; sched_switch_sum.bt:1:35
	17: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	  ; sched_switch_sum.bt:1:35
	18: AddReg dst: r1 src: r7
	  ; sched_switch_sum.bt:1:35
	19: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	  ; sched_switch_sum.bt:1:35
	20: Ja off: -1 <L4>
L2:
	  ; sched_switch_sum.bt:1:35
	21: StXMemDW dst: rfp src: r7 off: -48 imm: 0
	  ; sched_switch_sum.bt:1:35
	22: MovReg dst: r3 src: rfp
	  ; sched_switch_sum.bt:1:35
	23: AddImm dst: r3 imm: -48
	  ; sched_switch_sum.bt:1:35
	24: MovImm dst: r4 imm: 0
	  ; sched_switch_sum.bt:1:35
	25: MovReg dst: r1 src: r6
	  ; sched_switch_sum.bt:1:35
	26: MovReg dst: r2 src: r8
	  ; sched_switch_sum.bt:1:35
	27: Call FnMapUpdateElem
	  ; sched_switch_sum.bt:1:35
	28: JNEImm dst: r0 off: -1 imm: -7 <L4>
	  ; sched_switch_sum.bt:1:35
	29: LoadMapValue dst: r1, fd: 0 off: 48 <globals>
	  ; sched_switch_sum.bt:1:35
	31: StXAtomicAddDW dst: r1 src: r0 off: 0
L4:
	  ; sched_switch_sum.bt:1:31
	32: MovImm dst: r0 imm: 0
	  ; sched_switch_sum.bt:1:31
	33: Exit

