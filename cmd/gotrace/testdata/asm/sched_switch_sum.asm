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
	 6: MovReg dst: r1 src: r0
	  ; sched_switch_sum.bt:1:1
	 7: RShImm dst: r1 imm: 32
	  ; sched_switch_sum.bt:1:1
	 8: JEqImm dst: r1 off: -1 imm: 4242 <L4>
	  ; sched_switch_sum.bt:1:1
	 9: LoadMapValue dst: r2, fd: 0 off: 0 <held>
	  ; sched_switch_sum.bt:1:1
	11: LdXMemDW dst: r3 src: r2 off: 0 imm: 0
	  ; sched_switch_sum.bt:1:1
	12: JEqReg dst: r1 off: -1 src: r3 <L4>
	  ; sched_switch_sum.bt:1:57
	13: LdXMemDW dst: r7 src: r6 off: 32 imm: 0
	  ; sched_switch_sum.bt:1:35
	14: MovReg dst: r1 src: rfp
	  ; sched_switch_sum.bt:1:35
	15: AddImm dst: r1 imm: -40
	  ; sched_switch_sum.bt:1:35
	16: MovImm dst: r2 imm: 16
	  ; sched_switch_sum.bt:1:35
	17: AddImm dst: r6 imm: 8
	  ; sched_switch_sum.bt:1:35
	18: MovReg dst: r3 src: r6
	  ; sched_switch_sum.bt:1:35
	19: Call FnProbeReadKernel
	  ; sched_switch_sum.bt:1:35
	20: LdXMemDW dst: r1 src: rfp off: -40 imm: 0
	  ; sched_switch_sum.bt:1:35
	21: StXMemDW dst: rfp src: r1 off: -24 imm: 0
	  ; sched_switch_sum.bt:1:35
	22: LdXMemDW dst: r1 src: rfp off: -32 imm: 0
	  ; sched_switch_sum.bt:1:35
	23: StXMemDW dst: rfp src: r1 off: -16 imm: 0
	  ; sched_switch_sum.bt:1:35
	24: LoadMapPtr dst: r1 fd: 0 <m0_>
	  ; sched_switch_sum.bt:1:35
	26: MovReg dst: r2 src: rfp
	  ; sched_switch_sum.bt:1:35
	27: AddImm dst: r2 imm: -24
	  ; sched_switch_sum.bt:1:35
	28: Call FnMapLookupElem
	  ; sched_switch_sum.bt:1:35
	29: MovReg dst: r3 src: r0
	  ; sched_switch_sum.bt:1:35
	30: JEqImm dst: r3 off: -1 imm: 0 <L2>
	  ; sched_switch_sum.bt:1:35
	31: LdXMemDW dst: r1 src: r3 off: 0 imm: 0
	  ; sched_switch_sum.bt:1:35
	32: AddReg dst: r1 src: r7
	  ; sched_switch_sum.bt:1:35
	33: StXMemDW dst: r3 src: r1 off: 0 imm: 0
	  ; sched_switch_sum.bt:1:35
	34: Ja off: -1 <L4>
L2:
	  ; sched_switch_sum.bt:1:35
	35: StXMemDW dst: rfp src: r7 off: -48 imm: 0
	  ; sched_switch_sum.bt:1:35
	36: LoadMapPtr dst: r1 fd: 0 <m0_>
	  ; sched_switch_sum.bt:1:35
	38: MovReg dst: r2 src: rfp
	  ; sched_switch_sum.bt:1:35
	39: AddImm dst: r2 imm: -24
	  ; sched_switch_sum.bt:1:35
	40: MovReg dst: r3 src: rfp
	  ; sched_switch_sum.bt:1:35
	41: AddImm dst: r3 imm: -48
	  ; sched_switch_sum.bt:1:35
	42: MovImm dst: r4 imm: 0
	  ; sched_switch_sum.bt:1:35
	43: Call FnMapUpdateElem
	  ; sched_switch_sum.bt:1:35
	44: MovReg dst: r5 src: r0
	  ; sched_switch_sum.bt:1:35
	45: JNEImm dst: r5 off: -1 imm: -7 <L4>
	  ; sched_switch_sum.bt:1:35
	46: MovImm dst: r1 imm: 1
	  ; sched_switch_sum.bt:1:35
	47: LoadMapValue dst: r2, fd: 0 off: 40 <globals>
	  ; sched_switch_sum.bt:1:35
	49: StXAtomicAddDW dst: r2 src: r1 off: 0
L4:
	  ; sched_switch_sum.bt:1:31
	50: MovImm dst: r0 imm: 0
	  ; sched_switch_sum.bt:1:31
	51: Exit

