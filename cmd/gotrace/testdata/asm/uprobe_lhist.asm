uprobe:/usr/bin/app:gt_add (p0_uprobe, 24 bytes of stack):
p0_uprobe:
	  ; uprobe_lhist.bt:1:28
	 0: MovReg dst: r6 src: r1
	  ; uprobe_lhist.bt:1:1
	 1: LoadMapValue dst: r1, fd: 0 off: 0 <stop>
	  ; uprobe_lhist.bt:1:1
	 3: LdXMemDW dst: r2 src: r1 off: 0 imm: 0
	  ; uprobe_lhist.bt:1:1
	 4: JNEImm dst: r2 off: -1 imm: 0 <L4>
	  ; uprobe_lhist.bt:1:1
	 5: Call FnGetCurrentPidTgid
	  ; uprobe_lhist.bt:1:1
	 6: RShImm dst: r0 imm: 32
	  ; uprobe_lhist.bt:1:1
	 7: JEqImm dst: r0 off: -1 imm: 4242 <L4>
	  ; uprobe_lhist.bt:1:41
	 8: LdXMemDW dst: r1 src: r6 off: 104 imm: 0
	  ; uprobe_lhist.bt:1:41
	 9: MovImm dst: r2 imm: 0
	  ; uprobe_lhist.bt:1:41
	10: JSLTImm dst: r1 off: -1 imm: 0 <L2>
	  ; uprobe_lhist.bt:1:41
	11: MovImm dst: r2 imm: 11
	  ; uprobe_lhist.bt:1:41
	12: JSGEImm dst: r1 off: -1 imm: 100 <L2>
	  ; uprobe_lhist.bt:1:41
	13: DivImm dst: r1 imm: 10
	  ; uprobe_lhist.bt:1:41
	14: MovReg dst: r2 src: r1
	  ; uprobe_lhist.bt:1:41
	15: AddImm dst: r2 imm: 1
L2:
	  ; uprobe_lhist.bt:1:41
	16: StMemDW dst: rfp src: r0 off: -24 imm: 0
	  ; uprobe_lhist.bt:1:41
	17: StXMemDW dst: rfp src: r2 off: -16 imm: 0
	  ; uprobe_lhist.bt:1:41
	18: LoadMapPtr dst: r6 fd: 0 <m0_b>
	  ; uprobe_lhist.bt:1:41
	20: MovReg dst: r7 src: rfp
	  ; uprobe_lhist.bt:1:41
	21: AddImm dst: r7 imm: -24
	  ; uprobe_lhist.bt:1:41
	22: MovReg dst: r1 src: r6
	  ; uprobe_lhist.bt:1:41
	23: MovReg dst: r2 src: r7
	  ; uprobe_lhist.bt:1:41
	24: Call FnMapLookupElem
	  ; uprobe_lhist.bt:1:41
	25: JEqImm dst: r0 off: -1 imm: 0 <L3>
	  ; uprobe_lhist.bt:1:41
	26: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	  ; uprobe_lhist.bt:1:41
	27: AddImm dst: r1 imm: 1
	  ; uprobe_lhist.bt:1:41
	28: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	  ; uprobe_lhist.bt:1:41
	29: Ja off: -1 <L4>
L3:
	  ; uprobe_lhist.bt:1:41
	30: LoadMapValue dst: r3, fd: 0 off: 40 <globals>
	  ; uprobe_lhist.bt:1:41
	32: MovImm dst: r4 imm: 0
	  ; uprobe_lhist.bt:1:41
	33: MovReg dst: r1 src: r6
	  ; uprobe_lhist.bt:1:41
	34: MovReg dst: r2 src: r7
	  ; uprobe_lhist.bt:1:41
	35: Call FnMapUpdateElem
L4:
	  ; uprobe_lhist.bt:1:28
	36: MovImm dst: r0 imm: 0
	  ; uprobe_lhist.bt:1:28
	37: Exit

