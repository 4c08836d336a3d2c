uprobe:/usr/bin/app:gt_add (p0_uprobe, 16 bytes of stack):
p0_uprobe:
	  ; uprobe_lhist.bt:1:41
	 0: LdXMemDW dst: r2 src: r1 off: 104 imm: 0
	 1: MovImm dst: r1 imm: 0
	 2: JSLTImm dst: r2 off: -1 imm: 0 <L2>
	 3: MovImm dst: r1 imm: 11
	 4: JSGEImm dst: r2 off: -1 imm: 100 <L2>
	 5: DivImm dst: r2 imm: 10
	 6: MovReg dst: r1 src: r2
	 7: AddImm dst: r1 imm: 1
L2:
	 8: StXMemDW dst: rfp src: r1 off: -16 imm: 0
	 9: LoadMapPtr dst: r6 fd: 0 <m0_b>
	11: MovReg dst: r7 src: rfp
	12: AddImm dst: r7 imm: -16
	13: MovReg dst: r1 src: r6
	14: MovReg dst: r2 src: r7
	15: Call FnMapLookupElem
	16: JEqImm dst: r0 off: -1 imm: 0 <L3>
	17: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	18: AddImm dst: r1 imm: 1
	19: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	20: Ja off: -1 <L4>
L3:
	21: LoadMapValue dst: r3, fd: 0 off: 40 <globals>
	23: MovImm dst: r4 imm: 0
	24: MovReg dst: r1 src: r6
	25: MovReg dst: r2 src: r7
	26: Call FnMapUpdateElem
L4:
	  ; uprobe_lhist.bt:1:28
	27: MovImm dst: r0 imm: 0
	28: Exit

