uprobe:/usr/bin/app:gt_add (p0_uprobe, 16 bytes of stack):
p0_uprobe:
	  ; uprobe_lhist.bt:1:28
	 0: MovReg dst: r6 src: r1
	  ; uprobe_lhist.bt:1:1
	 1: Call FnGetCurrentPidTgid
	  ; uprobe_lhist.bt:1:1
	 2: RShImm dst: r0 imm: 32
	  ; uprobe_lhist.bt:1:1
	 3: JEqImm dst: r0 off: -1 imm: 4242 <L4>
	  ; uprobe_lhist.bt:1:41
	 4: LdXMemDW dst: r1 src: r6 off: 104 imm: 0
	  ; uprobe_lhist.bt:1:41
	 5: MovImm dst: r2 imm: 0
	  ; uprobe_lhist.bt:1:41
	 6: JSLTImm dst: r1 off: -1 imm: 0 <L2>
	  ; uprobe_lhist.bt:1:41
	 7: MovImm dst: r2 imm: 11
	  ; uprobe_lhist.bt:1:41
	 8: JSGEImm dst: r1 off: -1 imm: 100 <L2>
	  ; uprobe_lhist.bt:1:41
	 9: DivImm dst: r1 imm: 10
	  ; uprobe_lhist.bt:1:41
	10: MovReg dst: r2 src: r1
	  ; uprobe_lhist.bt:1:41
	11: AddImm dst: r2 imm: 1
L2:
	  ; uprobe_lhist.bt:1:41
	12: StXMemDW dst: rfp src: r2 off: -16 imm: 0
	  ; uprobe_lhist.bt:1:41
	13: LoadMapPtr dst: r6 fd: 0 <m0_b>
	  ; uprobe_lhist.bt:1:41
	15: MovReg dst: r7 src: rfp
	  ; uprobe_lhist.bt:1:41
	16: AddImm dst: r7 imm: -16
	  ; uprobe_lhist.bt:1:41
	17: MovReg dst: r1 src: r6
	  ; uprobe_lhist.bt:1:41
	18: MovReg dst: r2 src: r7
	  ; uprobe_lhist.bt:1:41
	19: Call FnMapLookupElem
	  ; uprobe_lhist.bt:1:41
	20: JEqImm dst: r0 off: -1 imm: 0 <L3>
	  ; uprobe_lhist.bt:1:41
	21: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	  ; uprobe_lhist.bt:1:41
	22: AddImm dst: r1 imm: 1
	  ; uprobe_lhist.bt:1:41
	23: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	  ; uprobe_lhist.bt:1:41
	24: Ja off: -1 <L4>
L3:
	  ; uprobe_lhist.bt:1:41
	25: LoadMapValue dst: r3, fd: 0 off: 40 <globals>
	  ; uprobe_lhist.bt:1:41
	27: MovImm dst: r4 imm: 0
	  ; uprobe_lhist.bt:1:41
	28: MovReg dst: r1 src: r6
	  ; uprobe_lhist.bt:1:41
	29: MovReg dst: r2 src: r7
	  ; uprobe_lhist.bt:1:41
	30: Call FnMapUpdateElem
L4:
	  ; uprobe_lhist.bt:1:28
	31: MovImm dst: r0 imm: 0
	  ; uprobe_lhist.bt:1:28
	32: Exit

