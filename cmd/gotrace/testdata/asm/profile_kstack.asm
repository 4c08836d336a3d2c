profile:hz:99 (p0_profile, 16 bytes of stack):
p0_profile:
	  ; profile_kstack.bt:1:19
	 0: LoadMapPtr dst: r2 fd: 0 <stack_127>
	 2: MovImm dst: r3 imm: 0
	 3: Call FnGetStackid
	 4: StXMemDW dst: rfp src: r0 off: -16 imm: 0
	 5: LoadMapPtr dst: r6 fd: 0 <m0_>
	 7: MovReg dst: r7 src: rfp
	 8: AddImm dst: r7 imm: -16
	 9: MovReg dst: r1 src: r6
	10: MovReg dst: r2 src: r7
	11: Call FnMapLookupElem
	12: JEqImm dst: r0 off: -1 imm: 0 <L2>
	13: LdXMemDW dst: r1 src: r0 off: 0 imm: 0
	14: AddImm dst: r1 imm: 1
	15: StXMemDW dst: r0 src: r1 off: 0 imm: 0
	16: Ja off: -1 <L4>
L2:
	17: LoadMapValue dst: r3, fd: 0 off: 40 <globals>
	19: MovImm dst: r4 imm: 0
	20: MovReg dst: r1 src: r6
	21: MovReg dst: r2 src: r7
	22: Call FnMapUpdateElem
	23: JNEImm dst: r0 off: -1 imm: -7 <L4>
	24: LoadMapValue dst: r1, fd: 0 off: 48 <globals>
	26: StXAtomicAddDW dst: r1 src: r0 off: 0
L4:
	  ; profile_kstack.bt:1:15
	27: MovImm dst: r0 imm: 0
	28: Exit

