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
	 6: MovReg dst: r1 src: r0
	  ; uprobe_lhist.bt:1:1
	 7: RShImm dst: r1 imm: 32
	  ; uprobe_lhist.bt:1:1
	 8: JEqImm dst: r1 off: -1 imm: 4242 <L5>
	  ; uprobe_lhist.bt:1:1
	 9: LoadMapValue dst: r2, fd: 0 off: 0 <held>
	  ; uprobe_lhist.bt:1:1
	11: LdXMemDW dst: r3 src: r2 off: 0 imm: 0
	  ; uprobe_lhist.bt:1:1
	12: JEqReg dst: r1 off: -1 src: r3 <L5>
	  ; uprobe_lhist.bt:1:41
	13: LdXMemDW dst: r1 src: r6 off: 104 imm: 0
	  ; uprobe_lhist.bt:1:41
	14: MovImm dst: r2 imm: 0
	  ; uprobe_lhist.bt:1:41
	15: MovImm dst: r3 imm: 0
	  ; uprobe_lhist.bt:1:41
	16: JSLTReg dst: r1 off: -1 src: r3 <L2>
	  ; uprobe_lhist.bt:1:41
	17: MovImm dst: r2 imm: 11
	  ; uprobe_lhist.bt:1:41
	18: MovImm dst: r4 imm: 100
	  ; uprobe_lhist.bt:1:41
	19: JSLTReg dst: r1 off: -1 src: r4 <L3>
	  ; uprobe_lhist.bt:1:41
	20: Ja off: -1 <L2>
L3:
	  ; uprobe_lhist.bt:1:41
	21: SubReg dst: r1 src: r3
	  ; uprobe_lhist.bt:1:41
	22: DivImm dst: r1 imm: 10
	  ; uprobe_lhist.bt:1:41
	23: MovReg dst: r2 src: r1
	  ; uprobe_lhist.bt:1:41
	24: AddImm dst: r2 imm: 1
L2:
	  ; uprobe_lhist.bt:1:41
	25: StMemDW dst: rfp src: r0 off: -24 imm: 0
	  ; uprobe_lhist.bt:1:41
	26: StXMemDW dst: rfp src: r2 off: -16 imm: 0
	  ; uprobe_lhist.bt:1:41
	27: LoadMapPtr dst: r1 fd: 0 <m0_b>
	  ; uprobe_lhist.bt:1:41
	29: MovReg dst: r2 src: rfp
	  ; uprobe_lhist.bt:1:41
	30: AddImm dst: r2 imm: -24
	  ; uprobe_lhist.bt:1:41
	31: Call FnMapLookupElem
	  ; uprobe_lhist.bt:1:41
	32: MovReg dst: r3 src: r0
	  ; uprobe_lhist.bt:1:41
	33: JEqImm dst: r3 off: -1 imm: 0 <L4>
	  ; uprobe_lhist.bt:1:41
	34: LdXMemDW dst: r1 src: r3 off: 0 imm: 0
	  ; uprobe_lhist.bt:1:41
	35: AddImm dst: r1 imm: 1
	  ; uprobe_lhist.bt:1:41
	36: StXMemDW dst: r3 src: r1 off: 0 imm: 0
	  ; uprobe_lhist.bt:1:41
	37: Ja off: -1 <L5>
L4:
	  ; uprobe_lhist.bt:1:41
	38: StMemDW dst: rfp src: r0 off: -32 imm: 1
	  ; uprobe_lhist.bt:1:41
	39: LoadMapPtr dst: r1 fd: 0 <m0_b>
	  ; uprobe_lhist.bt:1:41
	41: MovReg dst: r2 src: rfp
	  ; uprobe_lhist.bt:1:41
	42: AddImm dst: r2 imm: -24
	  ; uprobe_lhist.bt:1:41
	43: MovReg dst: r3 src: rfp
	  ; uprobe_lhist.bt:1:41
	44: AddImm dst: r3 imm: -32
	  ; uprobe_lhist.bt:1:41
	45: MovImm dst: r4 imm: 0
	  ; uprobe_lhist.bt:1:41
	46: Call FnMapUpdateElem
L5:
	  ; uprobe_lhist.bt:1:28
	47: MovImm dst: r0 imm: 0
	  ; uprobe_lhist.bt:1:28
	48: Exit

