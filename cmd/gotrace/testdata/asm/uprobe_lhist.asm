uprobe:/usr/bin/app:gt_add (p0_uprobe, 32 bytes of stack):
p0_uprobe:
	  ; uprobe_lhist.bt:1:28
	 0: MovReg dst: r6 src: r1
	  ; uprobe_lhist.bt:1:1
	 1: LoadMapValue dst: r1, fd: 0 off: 0 <stop>
	  ; uprobe_lhist.bt:1:1
	 3: LdXMemDW dst: r2 src: r1 off: 0 imm: 0
	  ; uprobe_lhist.bt:1:1
	 4: JNEImm dst: r2 off: -1 imm: 0 <L5>
	  ; uprobe_lhist.bt:1:1
	 5: Call FnGetCurrentPidTgid
	  ; uprobe_lhist.bt:1:1
	 6: RShImm dst: r0 imm: 32
	  ; uprobe_lhist.bt:1:1
	 7: JEqImm dst: r0 off: -1 imm: 4242 <L5>
	  ; uprobe_lhist.bt:1:41
	 8: LdXMemDW dst: r1 src: r6 off: 104 imm: 0
	  ; uprobe_lhist.bt:1:41
	 9: MovImm dst: r2 imm: 0
	  ; uprobe_lhist.bt:1:41
	10: MovImm dst: r3 imm: 0
	  ; uprobe_lhist.bt:1:41
	11: JSLTReg dst: r1 off: -1 src: r3 <L2>
	  ; uprobe_lhist.bt:1:41
	12: MovImm dst: r2 imm: 11
	  ; uprobe_lhist.bt:1:41
	13: MovImm dst: r4 imm: 100
	  ; uprobe_lhist.bt:1:41
	14: JSLTReg dst: r1 off: -1 src: r4 <L3>
	  ; uprobe_lhist.bt:1:41
	15: Ja off: -1 <L2>
L3:
	  ; uprobe_lhist.bt:1:41
	16: SubReg dst: r1 src: r3
	  ; uprobe_lhist.bt:1:41
	17: DivImm dst: r1 imm: 10
	  ; uprobe_lhist.bt:1:41
	18: MovReg dst: r2 src: r1
	  ; uprobe_lhist.bt:1:41
	19: AddImm dst: r2 imm: 1
L2:
	  ; uprobe_lhist.bt:1:41
	20: StMemDW dst: rfp src: r0 off: -24 imm: 0
	  ; uprobe_lhist.bt:1:41
	21: StXMemDW dst: rfp src: r2 off: -16 imm: 0
	  ; uprobe_lhist.bt:1:41
	22: LoadMapPtr dst: r1 fd: 0 <m0_b>
	  ; uprobe_lhist.bt:1:41
	24: MovReg dst: r2 src: rfp
	  ; uprobe_lhist.bt:1:41
	25: AddImm dst: r2 imm: -24
	  ; uprobe_lhist.bt:1:41
	26: Call FnMapLookupElem
	  ; uprobe_lhist.bt:1:41
	27: JEqImm dst: r0 off: -1 imm: 0 <L4>
	  ; uprobe_lhist.bt:1:41
	28: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	  ; uprobe_lhist.bt:1:41
	29: AddImm dst: r1 imm: 1
	  ; uprobe_lhist.bt:1:41
	30: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	  ; uprobe_lhist.bt:1:41
	31: Ja off: -1 <L5>
L4:
	  ; uprobe_lhist.bt:1:41
	32: StMemDW dst: rfp src: r0 off: -32 imm: 1
	  ; uprobe_lhist.bt:1:41
	33: LoadMapPtr dst: r1 fd: 0 <m0_b>
	  ; uprobe_lhist.bt:1:41
	35: MovReg dst: r2 src: rfp
	  ; uprobe_lhist.bt:1:41
	36: AddImm dst: r2 imm: -24
	  ; uprobe_lhist.bt:1:41
	37: MovReg dst: r3 src: rfp
	  ; uprobe_lhist.bt:1:41
	38: AddImm dst: r3 imm: -32
	  ; uprobe_lhist.bt:1:41
	39: MovImm dst: r4 imm: 0
	  ; uprobe_lhist.bt:1:41
	40: Call FnMapUpdateElem
L5:
	  ; uprobe_lhist.bt:1:28
	41: MovImm dst: r0 imm: 0
	  ; uprobe_lhist.bt:1:28
	42: Exit

