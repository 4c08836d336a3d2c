uprobe:/usr/bin/app:gt_add (p0_uprobe, 16 bytes of stack):
p0_uprobe:
	  ; uprobe_lhist.bt:1:41
	 0: LdXMemDW dst: r2 src: r1 off: 104 imm: 0
	  ; uprobe_lhist.bt:1:41
	 1: MovImm dst: r1 imm: 0
	  ; uprobe_lhist.bt:1:41
	 2: JSLTImm dst: r2 off: -1 imm: 0 <L2>
	  ; uprobe_lhist.bt:1:41
	 3: MovImm dst: r1 imm: 11
	  ; uprobe_lhist.bt:1:41
	 4: JSGEImm dst: r2 off: -1 imm: 100 <L2>
	  ; uprobe_lhist.bt:1:41
	 5: DivImm dst: r2 imm: 10
	  ; uprobe_lhist.bt:1:41
	 6: MovReg dst: r1 src: r2
	  ; uprobe_lhist.bt:1:41
	 7: AddImm dst: r1 imm: 1
L2:
	  ; uprobe_lhist.bt:1:41
	 8: StXMemDW dst: rfp src: r1 off: -16 imm: 0
	  ; uprobe_lhist.bt:1:41
	 9: LoadMapPtr dst: r6 fd: 0 <m0_b>
	  ; uprobe_lhist.bt:1:41
	11: MovReg dst: r7 src: rfp
	  ; uprobe_lhist.bt:1:41
	12: AddImm dst: r7 imm: -16
	  ; uprobe_lhist.bt:1:41
	13: MovReg dst: r1 src: r6
	  ; uprobe_lhist.bt:1:41
	14: MovReg dst: r2 src: r7
	  ; uprobe_lhist.bt:1:41
	15: Call FnMapLookupElem
	  ; uprobe_lhist.bt:1:41
	16: JEqImm dst: r0 off: -1 imm: 0 <L3>
	  ; uprobe_lhist.bt:1:41
	17: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	  ; uprobe_lhist.bt:1:41
	18: AddImm dst: r1 imm: 1
	  ; uprobe_lhist.bt:1:41
	19: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	  ; uprobe_lhist.bt:1:41
	20: Ja off: -1 <L4>
L3:
	  ; uprobe_lhist.bt:1:41
	21: LoadMapValue dst: r3, fd: 0 off: 40 <globals>
	  ; uprobe_lhist.bt:1:41
	23: MovImm dst: r4 imm: 0
	  ; uprobe_lhist.bt:1:41
	24: MovReg dst: r1 src: r6
	  ; uprobe_lhist.bt:1:41
	25: MovReg dst: r2 src: r7
	  ; uprobe_lhist.bt:1:41
	26: Call FnMapUpdateElem
L4:
	  ; uprobe_lhist.bt:1:28
	27: MovImm dst: r0 imm: 0
	  ; uprobe_lhist.bt:1:28
	28: Exit

